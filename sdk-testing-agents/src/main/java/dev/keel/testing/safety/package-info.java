/**
 * Safety assertions usable in any test: no secret in any model request ({@link dev.keel.testing.safety.ModelTraffic}),
 * no model request on behalf of a user carries text of a document the user may not read
 * ({@link dev.keel.testing.safety.DocumentPermissions}, needs sdk-authz), and no egress outside a sandbox's network
 * policy was attempted ({@link dev.keel.testing.safety.SandboxEgress}, needs sdk-sandbox).
 */
package dev.keel.testing.safety;
