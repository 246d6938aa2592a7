package dev.keel.sandbox;

/** Which virtualisation the microVM backend uses. */
public enum Accelerator {
    /** KVM when a real smoke boot under KVM succeeds on this host, otherwise TCG. */
    AUTO,
    /** Hardware virtualisation through /dev/kvm only (fails if it does not work). */
    KVM,
    /** QEMU's TCG emulator: slower, works everywhere. */
    TCG
}
