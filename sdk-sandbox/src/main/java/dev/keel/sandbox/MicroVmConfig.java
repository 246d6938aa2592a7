package dev.keel.sandbox;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the QEMU microVM backend. Immutable.
 *
 * @param assetsDir       where {@code scripts/setup/sandbox.sh} put qemu's path, the kernel and the agent
 *                        ({@code assets-v2.properties}); the initramfs and VM snapshots are cached here too
 * @param accelerator     KVM, TCG, or AUTO (KVM only after a real smoke boot succeeds)
 * @param kvmProbeTimeout how long the KVM smoke boot may take before TCG is chosen
 * @param bootArgs        extra guest kernel command line arguments (empty for none)
 * @param snapshots       restore sandboxes from a saved booted VM (QEMU migration stream) instead of booting
 *                        them, as long as restoring is measured to be faster than booting
 * @param upstreamTls     what the egress proxy trusts when it opens TLS connections to upstream hosts itself
 *                        (credential injection into HTTPS); {@code null} = the JDK's default trust store
 */
public record MicroVmConfig(Path assetsDir, Accelerator accelerator, Duration kvmProbeTimeout, String bootArgs,
                            boolean snapshots, javax.net.ssl.SSLContext upstreamTls) {
    /**
     * Creates the value, checking its components.
     *
     * @param assetsDir where {@code scripts/setup/sandbox.sh} put qemu's path, the kernel and the agent ({@code
     *     assets-v2.properties}); the initramfs and VM snapshots are cached here too
     * @param accelerator KVM, TCG, or AUTO (KVM only after a real smoke boot succeeds)
     * @param kvmProbeTimeout how long the KVM smoke boot may take before TCG is chosen
     * @param bootArgs extra guest kernel command line arguments (empty for none)
     * @param snapshots restore sandboxes from a saved booted VM (QEMU migration stream) instead of booting them,
     *     as long as restoring is measured to be faster than booting
     * @param upstreamTls what the egress proxy trusts when it opens TLS connections to upstream hosts itself
     *     (credential injection into HTTPS); {@code null} = the JDK's default trust store
     */
    public MicroVmConfig {
        Objects.requireNonNull(assetsDir, "assetsDir");
        if (!assetsDir.isAbsolute()) {
            throw new InvalidSandboxSpecException("assetsDir must be absolute, was: " + assetsDir);
        }
        Objects.requireNonNull(accelerator, "accelerator");
        Objects.requireNonNull(kvmProbeTimeout, "kvmProbeTimeout");
        if (kvmProbeTimeout.isNegative() || kvmProbeTimeout.isZero()) {
            throw new InvalidSandboxSpecException("kvmProbeTimeout must be positive, was " + kvmProbeTimeout);
        }
        bootArgs = bootArgs == null ? "" : bootArgs.strip();
    }

    /**
     * Defaults: assets where the setup script put them — the system property {@code keel.sandbox.assets}, else the
     * environment variable {@code KEEL_SANDBOX_CACHE} (which the setup script honours too), else
     * {@code ~/.cache/keel/sandbox} — accelerator AUTO, 15 s KVM probe, snapshots on.
     *
     * @return the defaults
     */
    public static MicroVmConfig defaults() {
        String dir = System.getProperty("keel.sandbox.assets");
        if (dir == null || dir.isBlank()) {
            dir = System.getenv("KEEL_SANDBOX_CACHE");
        }
        Path assets = dir != null && !dir.isBlank() ? Path.of(dir)
                : Path.of(System.getProperty("user.home"), ".cache", "keel", "sandbox");
        return new MicroVmConfig(assets.toAbsolutePath(), Accelerator.AUTO, Duration.ofSeconds(15), "", true, null);
    }

    /**
     * A copy with another assets directory.
     *
     * @param dir the assets directory
     * @return a copy with another assets directory
     */
    public MicroVmConfig withAssetsDir(Path dir) {
        return new MicroVmConfig(dir, accelerator, kvmProbeTimeout, bootArgs, snapshots, upstreamTls);
    }

    /**
     * A copy with another accelerator choice.
     *
     * @param value the accelerator choice
     * @return a copy with another accelerator choice
     */
    public MicroVmConfig withAccelerator(Accelerator value) {
        return new MicroVmConfig(assetsDir, value, kvmProbeTimeout, bootArgs, snapshots, upstreamTls);
    }

    /**
     * A copy with another time limit for the KVM smoke boot.
     *
     * @param value the time limit
     * @return a copy with another time limit for the KVM smoke boot
     */
    public MicroVmConfig withKvmProbeTimeout(Duration value) {
        return new MicroVmConfig(assetsDir, accelerator, value, bootArgs, snapshots, upstreamTls);
    }

    /**
     * A copy with extra kernel command line arguments.
     *
     * @param value the extra arguments
     * @return a copy with extra kernel command line arguments
     */
    public MicroVmConfig withBootArgs(String value) {
        return new MicroVmConfig(assetsDir, accelerator, kvmProbeTimeout, value, snapshots, upstreamTls);
    }

    /**
     * A copy whose egress proxies trust this context's trust managers for upstream TLS.
     *
     * @param value the context whose trust managers are used
     * @return a copy whose egress proxies trust this context's trust managers for upstream TLS
     */
    public MicroVmConfig withUpstreamTls(javax.net.ssl.SSLContext value) {
        return new MicroVmConfig(assetsDir, accelerator, kvmProbeTimeout, bootArgs, snapshots, value);
    }

    /**
     * A copy with snapshot restore switched on or off ({@code false}: every sandbox boots its kernel).
     *
     * @param value whether to restore from snapshots
     * @return a copy with snapshot restore switched on or off
     */
    public MicroVmConfig withSnapshots(boolean value) {
        return new MicroVmConfig(assetsDir, accelerator, kvmProbeTimeout, bootArgs, value, upstreamTls);
    }
}
