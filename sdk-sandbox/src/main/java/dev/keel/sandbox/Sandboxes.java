package dev.keel.sandbox;

import dev.keel.sandbox.internal.QemuProvider;
import java.util.Locale;

/** Entry point: sandbox providers by backend. */
public final class Sandboxes {
    /** The QEMU microVM backend's name. */
    public static final String QEMU_MICROVM = "qemu-microvm";

    private Sandboxes() {}

    /**
     * A QEMU microVM provider with {@link MicroVmConfig#defaults()}.
     *
     * @return a QEMU microVM provider with {@link MicroVmConfig#defaults()}
     */
    public static SandboxProvider microVm() {
        return microVm(MicroVmConfig.defaults());
    }

    /**
     * A QEMU microVM provider with the given settings.
     *
     * @param config the settings
     * @return a QEMU microVM provider with the given settings
     */
    public static SandboxProvider microVm(MicroVmConfig config) {
        return new QemuProvider(config);
    }

    /**
     * A provider by backend name: {@code qemu-microvm}.
     *
     * @param backend the backend's name
     * @return a provider by backend name
     * @throws UnknownBackendException for any other name
     */
    public static SandboxProvider provider(String backend) {
        String b = backend == null ? "" : backend.trim().toLowerCase(Locale.ROOT);
        if (b.equals(QEMU_MICROVM) || b.equals("qemu")) {
            return microVm();
        }
        throw new UnknownBackendException("unknown sandbox backend '" + backend + "'; available: " + QEMU_MICROVM);
    }
}
