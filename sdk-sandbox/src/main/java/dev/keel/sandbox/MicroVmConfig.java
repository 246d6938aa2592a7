package dev.keel.sandbox;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the QEMU microVM backend.
 *
 * @param assetsDir       where {@code scripts/setup/sandbox.sh} put qemu's path, the kernel and the agent
 *                        ({@code assets.properties}); the initramfs is cached here too
 * @param accelerator     KVM, TCG, or AUTO (KVM only after a real smoke boot succeeds)
 * @param kvmProbeTimeout how long the KVM smoke boot may take before TCG is chosen
 * @param bootArgs        extra guest kernel command line arguments (empty for none)
 */
public record MicroVmConfig(Path assetsDir, Accelerator accelerator, Duration kvmProbeTimeout, String bootArgs) {
    public MicroVmConfig {
        Objects.requireNonNull(assetsDir, "assetsDir");
        if (!assetsDir.isAbsolute()) {
            throw new InvalidSandboxSpecException("assetsDir must be absolute, was: " + assetsDir);
        }
        Objects.requireNonNull(accelerator, "accelerator");
        Objects.requireNonNull(kvmProbeTimeout, "kvmProbeTimeout");
        bootArgs = bootArgs == null ? "" : bootArgs.strip();
    }

    /**
     * Defaults: assets in {@code ~/.cache/keel/sandbox} (or the system property {@code keel.sandbox.assets}),
     * accelerator AUTO, 15 s KVM probe.
     */
    public static MicroVmConfig defaults() {
        String dir = System.getProperty("keel.sandbox.assets");
        Path assets = dir != null ? Path.of(dir)
                : Path.of(System.getProperty("user.home"), ".cache", "keel", "sandbox");
        return new MicroVmConfig(assets.toAbsolutePath(), Accelerator.AUTO, Duration.ofSeconds(15), "");
    }

    public MicroVmConfig withAssetsDir(Path dir) {
        return new MicroVmConfig(dir, accelerator, kvmProbeTimeout, bootArgs);
    }

    public MicroVmConfig withAccelerator(Accelerator value) {
        return new MicroVmConfig(assetsDir, value, kvmProbeTimeout, bootArgs);
    }

    public MicroVmConfig withBootArgs(String value) {
        return new MicroVmConfig(assetsDir, accelerator, kvmProbeTimeout, value);
    }
}
