package dev.keel.sandbox.internal;

import dev.keel.sandbox.InvalidSandboxSpecException;
import dev.keel.sandbox.Workspace;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;

/**
 * Workspaces as the guest mounts them: resolved to their real paths when the sandbox is created (a symlink or a
 * {@code ..} in the given path is followed here, once, and the result is what the guest gets and what
 * {@code info()} states), checked again for overlaps, and checked for the user extended attributes the file
 * sharing needs to keep guest ownership and modes off the host.
 */
final class WorkspaceMounts {
    /**
     * One mount.
     *
     * @param requested the workspace as the spec gives it
     * @param real      its real path: the host directory shared and the guest mount point
     * @param alias     the given path, made a guest symlink to the real one; {@code null} when not needed or not
     *                  possible (a {@code ..} in it, or it lies inside a workspace)
     */
    record Mount(Workspace requested, Path real, String alias) {
        Workspace asMounted() {
            return new Workspace(real, requested.readOnly());
        }
    }

    private WorkspaceMounts() {}

    /** @throws InvalidSandboxSpecException when a workspace is missing, not a directory, the host root, or overlaps */
    static List<Mount> resolve(List<Workspace> workspaces) {
        List<Mount> out = new ArrayList<>();
        for (Workspace w : workspaces) {
            Path real;
            try {
                real = w.path().toRealPath();
            } catch (NoSuchFileException e) {
                throw new InvalidSandboxSpecException("workspace directory does not exist: " + w.path());
            } catch (IOException e) {
                throw new InvalidSandboxSpecException("cannot resolve workspace " + w.path() + ": " + e.getMessage(), e);
            }
            if (!Files.isDirectory(real)) {
                throw new InvalidSandboxSpecException("workspace is not a directory: " + w.path()
                        + (real.equals(w.path()) ? "" : " (resolves to " + real + ")"));
            }
            if (real.getNameCount() == 0) {
                throw new InvalidSandboxSpecException("the host root cannot be a workspace: " + w.path());
            }
            for (Mount m : out) {
                if (real.startsWith(m.real()) || m.real().startsWith(real)) {
                    throw new InvalidSandboxSpecException("workspaces must not overlap: " + m.requested().path()
                            + " and " + w.path() + " (real paths " + m.real() + " and " + real + ")");
                }
            }
            if (!w.readOnly()) {
                checkUserXattrs(w.path(), real);
            }
            out.add(new Mount(w, real, null));
        }
        List<Mount> withAliases = new ArrayList<>();
        for (Mount m : out) {
            Path given = m.requested().path();
            boolean plain = given.normalize().equals(given);
            boolean insideAMount = out.stream().anyMatch(o -> given.startsWith(o.real()));
            String alias = !given.equals(m.real()) && plain && !insideAMount ? given.toString() : null;
            withAliases.add(new Mount(m.requested(), m.real(), alias));
        }
        return withAliases;
    }

    /**
     * Guest ownership, modes, device nodes and symlinks live in {@code user.virtfs.*} extended attributes of the
     * host files (qemu's mapped-xattr security model), never in the host's own metadata: the workspace's file
     * system must support user extended attributes.
     */
    private static void checkUserXattrs(Path given, Path real) {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(real, UserDefinedFileAttributeView.class);
        String probe = "keel.probe." + ProcessHandle.current().pid() + "." + System.nanoTime();
        try {
            if (view == null) {
                throw new UnsupportedOperationException("no user extended attributes");
            }
            view.write(probe, ByteBuffer.wrap(new byte[] {1}));
            view.delete(probe);
        } catch (UnsupportedOperationException | FileSystemException e) {
            String reason = e.getMessage() == null ? "" : e.getMessage();
            if (e instanceof FileSystemException fse && fse.getReason() != null
                    && !fse.getReason().toLowerCase(java.util.Locale.ROOT).contains("not supported")) {
                return; // e.g. permission denied: the guest could not write there either; nothing to protect
            }
            throw new InvalidSandboxSpecException("workspace " + given + " is on a file system without user extended"
                    + " attributes, which the sandbox needs to keep guest file ownership, modes and symlinks off the"
                    + " host (" + reason + "); use a directory on ext4, xfs, btrfs or tmpfs (Linux 6.6+)", e);
        } catch (IOException e) {
            // not a support problem (e.g. permission denied): the guest could not write there either
        }
    }
}
