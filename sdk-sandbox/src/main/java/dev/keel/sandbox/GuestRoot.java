package dev.keel.sandbox;

/** The root file system commands see inside the guest. */
public enum GuestRoot {
    /** Keel's busybox initramfs: boots fastest, has a POSIX shell and the busybox tools, nothing else. */
    BUSYBOX,
    /**
     * A Debian bookworm root (minbase plus python3, git and ca-certificates) built once by the setup script
     * with debootstrap, shared read-only by every sandbox under a private tmpfs overlay: a sandbox may change
     * anything in it, the next one starts clean.
     */
    DEBIAN
}
