package dev.keel.sandbox;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A host directory shared with the guest at the same absolute path. The path is kept as given; when a sandbox is
 * created it is resolved to its real path (symlinks followed, {@code ..} taken physically), the guest mounts the
 * real path, and {@link SandboxInfo#workspaces()} states it. When the given path only differs by symlinks, the guest
 * also gets it as a symlink to the real path, so commands that use the given path work unchanged.
 *
 * @param path     absolute host path
 * @param readOnly the guest may read but not write it
 */
public record Workspace(Path path, boolean readOnly) {
    /**
     * Creates the value, checking its components.
     *
     * @param path absolute host path; the guest sees it at exactly this path
     * @param readOnly the guest may read but not write it
     */
    public Workspace {
        Objects.requireNonNull(path, "path");
        if (!path.isAbsolute()) {
            throw new InvalidSandboxSpecException("workspace path must be absolute, was: " + path);
        }
    }

    /**
     * A read-write workspace.
     *
     * @param path the host directory
     * @return a read-write workspace
     */
    public static Workspace readWrite(Path path) {
        return new Workspace(path, false);
    }

    /**
     * A read-only workspace.
     *
     * @param path the host directory
     * @return a read-only workspace
     */
    public static Workspace readOnly(Path path) {
        return new Workspace(path, true);
    }

    @Override
    public String toString() {
        return path + (readOnly ? " (ro)" : " (rw)");
    }
}
