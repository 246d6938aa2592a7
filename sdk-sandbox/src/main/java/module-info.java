/**
 * Keel sandbox: disposable microVM sandboxes with the workspace at the same absolute path, no host environment, and network only through an allow/deny egress proxy that injects credentials.
 */
module dev.keel.sandbox {
    requires transitive dev.keel.core;
}
