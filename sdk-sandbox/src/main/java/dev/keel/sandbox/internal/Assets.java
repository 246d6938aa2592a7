package dev.keel.sandbox.internal;

import dev.keel.sandbox.SandboxPrerequisiteException;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * What the setup script ({@code scripts/setup/sandbox.sh}) installed: the qemu binary, the guest kernel
 * and its modules, busybox and the guest agent, as listed in {@code assets-v2.properties}.
 *
 * @param qemu    qemu-system-x86_64
 * @param kernel  the guest kernel image (bzImage)
 * @param modules the kernel's {@code lib/modules/<release>} directory
 * @param busybox a static busybox binary
 * @param agent   the static guest agent binary
 * @param versions pinned package versions, for info and cache keys
 * @param debianRoot the debootstrapped Debian root directory, or {@code null} when the setup script did not build one
 * @param fsguard the workspace quota guard qemu is started with (a preload library)
 */
public record Assets(Path qemu, Path kernel, Path modules, Path busybox, Path agent, String versions, Path debianRoot,
                     Path fsguard) {

    /**
     * The file the setup script writes. Its name carries the format version (v2 added the workspace guard), so
     * Keel versions that share one cache directory never read or overwrite each other's index.
     */
    public static final String FILE = "assets-v2.properties";

    /** Reads and checks {@code dir/assets-v2.properties}; every listed file must exist. */
    public static Assets load(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new SandboxPrerequisiteException("sandbox assets not installed (no " + file
                    + "); run scripts/setup/sandbox.sh (installs qemu-system-x86, the guest kernel and agent)");
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new SandboxPrerequisiteException("cannot read " + file + ": " + e.getMessage());
        }
        Assets a = new Assets(path(p, "qemu", file), path(p, "kernel", file), path(p, "modules", file),
                path(p, "busybox", file), path(p, "agent", file),
                "kernel " + p.getProperty("kernel.version", "?") + ", busybox " + p.getProperty("busybox.version", "?"),
                optionalDir(p.getProperty("debian.root")), path(p, "fsguard", file));
        for (Path each : new Path[] {a.qemu, a.kernel, a.modules, a.busybox, a.agent, a.fsguard}) {
            if (!Files.exists(each)) {
                throw new SandboxPrerequisiteException(each + " (listed in " + file
                        + ") is missing; run scripts/setup/sandbox.sh again");
            }
        }
        return a;
    }

    private static Path optionalDir(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        Path dir = Path.of(value.trim());
        return Files.isDirectory(dir.resolve("usr/bin")) ? dir : null;
    }

    private static Path path(Properties p, String key, Path file) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) {
            throw new SandboxPrerequisiteException(file + " has no '" + key + "'; run scripts/setup/sandbox.sh again");
        }
        return Path.of(v.trim());
    }
}
