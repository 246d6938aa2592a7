/**
 * Keel's JSON plumbing (the shared Jackson mapper, conversion between Keel's JSON values and Jackson
 * trees, parsing and writing of values, binding to records). Exported only to Keel's own modules; not API.
 */
package dev.keel.core.internal.json;
