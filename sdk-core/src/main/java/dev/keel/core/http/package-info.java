/**
 * Shared HTTP: one configurable OkHttp client per configuration, with timeouts, retries that honour
 * {@code Retry-After}, and an interceptor list (the cassette recorder plugs in there).
 */
package dev.keel.core.http;
