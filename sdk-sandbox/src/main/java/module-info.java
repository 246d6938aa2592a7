/**
 * Keel sandbox: disposable QEMU microVM sandboxes with the workspace at the same absolute path, no host
 * environment, and a small static guest agent for exec, stdin, signals, PTYs and files.
 */
module dev.keel.sandbox {
    requires transitive dev.keel.core;
    requires org.slf4j;
    requires com.fasterxml.jackson.databind;
    requires org.bouncycastle.pkix;
    requires org.bouncycastle.provider;

    exports dev.keel.sandbox;
}
