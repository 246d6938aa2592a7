package dev.keel.sandbox;

/**
 * How much a sandbox may add to its read-write workspaces, counted on the host where its writes land: bytes by
 * apparent file size (a sparse file counts in full) and new directory entries (files, directories, links). Both are
 * net: deleting or shrinking gives room back. Past a limit the guest's write fails with {@code ENOSPC}
 * ("No space left on device"), its creation with {@code EDQUOT} ("Disk quota exceeded"); nothing reaches the
 * host's disk. The limit covers all of a sandbox's read-write workspaces together.
 *
 * @param bytes most bytes the sandbox may add; positive
 * @param files most entries the sandbox may add; positive
 */
public record WorkspaceQuota(long bytes, long files) {
    /** The default: 4 GiB and 200,000 entries (a large {@code node_modules} fits; a full disk does not). */
    public static final WorkspaceQuota DEFAULT = new WorkspaceQuota(4L << 30, 200_000);

    /**
     * Validates the limits.
     *
     * @param bytes most bytes the sandbox may add; positive
     * @param files most entries the sandbox may add; positive
     */
    public WorkspaceQuota {
        if (bytes <= 0 || files <= 0) {
            throw new InvalidSandboxSpecException("workspace quota limits must be positive, were " + bytes + " bytes and "
                    + files + " files");
        }
    }

    /**
     * A quota of {@code bytes} bytes and {@code files} entries.
     *
     * @param bytes most bytes the sandbox may add
     * @param files most entries the sandbox may add
     * @return the quota
     */
    public static WorkspaceQuota of(long bytes, long files) {
        return new WorkspaceQuota(bytes, files);
    }

    @Override
    public String toString() {
        return bytes + " bytes, " + files + " files";
    }
}
