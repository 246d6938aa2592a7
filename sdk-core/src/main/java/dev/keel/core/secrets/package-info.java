/**
 * Finding secrets in text before it is written or sent somewhere it must not be: the values of key
 * environment variables (raw, JSON-escaped, URL-encoded) and the shapes of common keys. Used by Keel's
 * cassettes and run recordings, and by the safety assertions of {@code sdk-testing}.
 */
package dev.keel.core.secrets;
