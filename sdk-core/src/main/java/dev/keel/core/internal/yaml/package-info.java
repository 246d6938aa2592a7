/**
 * YAML plumbing shared by Keel's own modules (cassettes, run recordings); not API. Needs Jackson's YAML module,
 * which sdk-core itself does not require.
 */
package dev.keel.core.internal.yaml;
