package dev.keel.sandbox;

/**
 * One entry of a directory listing inside the guest.
 *
 * @param name        file name (no directory part)
 * @param type        what kind of entry it is
 * @param size        size in bytes
 * @param permissions permission bits, e.g. {@code 0644}
 */
public record FileEntry(String name, Type type, long size, int permissions) {

    /** Kinds of directory entries. */
    public enum Type {
        /** A regular file. */
        FILE,
        /** A directory. */
        DIRECTORY,
        /** A symbolic link. */
        SYMLINK,
        /** Anything else: a device, socket or pipe. */
        OTHER
    }

    @Override
    public String toString() {
        return name + (type == Type.DIRECTORY ? "/" : "") + " " + size + "B " + Integer.toOctalString(permissions);
    }
}
