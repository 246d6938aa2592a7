/**
 * Keel's JSON values: an immutable, sealed {@link dev.keel.core.json.JsonValue} model (object, array,
 * string, number, boolean, null) with parsing and serialisation, used wherever Keel's API carries JSON.
 * No JSON library appears in these signatures.
 */
package dev.keel.core.json;
