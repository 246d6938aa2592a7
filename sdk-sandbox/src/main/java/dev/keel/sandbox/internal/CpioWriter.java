package dev.keel.sandbox.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Writes a cpio archive in the SVR4 "newc" format (magic {@code 070701}), which is what the Linux
 * kernel unpacks as an initramfs. Only directories, regular files and symlinks, all owned by root,
 * with a fixed mtime of 0 so that the same content always gives the same bytes (the cache key).
 * Not thread-safe.
 */
public final class CpioWriter implements AutoCloseable {
    private static final int DIR = 0040000;
    private static final int FILE = 0100000;
    private static final int SYMLINK = 0120000;

    private final OutputStream out;
    private final Set<String> names = new HashSet<>();
    private long written;
    private int inode = 1;
    private boolean finished;

    public CpioWriter(OutputStream out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    /** Adds a directory entry with the given permission bits. */
    public CpioWriter directory(String name, int perm) throws IOException {
        entry(name, DIR | (perm & 07777), 2, new byte[0]);
        return this;
    }

    /** Adds a regular file with the given permission bits and content. */
    public CpioWriter file(String name, int perm, byte[] content) throws IOException {
        entry(name, FILE | (perm & 07777), 1, content);
        return this;
    }

    /** Adds a symbolic link {@code name -> target}. */
    public CpioWriter symlink(String name, String target) throws IOException {
        entry(name, SYMLINK | 0777, 1, target.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    private void entry(String name, int mode, int nlink, byte[] data) throws IOException {
        if (finished) {
            throw new IllegalStateException("archive already finished");
        }
        if (name.isEmpty() || name.startsWith("/") || name.contains("\0") || name.equals("TRAILER!!!")) {
            throw new IllegalArgumentException("invalid cpio entry name: " + name);
        }
        if (!names.add(name)) {
            throw new IllegalArgumentException("duplicate cpio entry: " + name);
        }
        header(name, mode, nlink, data.length, inode++);
        out.write(data);
        written += data.length;
        pad();
    }

    private void header(String name, int mode, int nlink, int size, int ino) throws IOException {
        byte[] nameBytes = (name + "\0").getBytes(StandardCharsets.UTF_8);
        StringBuilder h = new StringBuilder(110).append("070701");
        // ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check
        for (long v : new long[] {ino, mode, 0, 0, nlink, 0, size, 0, 0, 0, 0, nameBytes.length, 0}) {
            h.append(String.format("%08X", v));
        }
        byte[] hb = h.toString().getBytes(StandardCharsets.US_ASCII);
        out.write(hb);
        out.write(nameBytes);
        written += hb.length + nameBytes.length;
        pad();
    }

    private void pad() throws IOException {
        while (written % 4 != 0) {
            out.write(0);
            written++;
        }
    }

    /** Writes the trailer entry; the stream is flushed but not closed. Calling it twice is harmless. */
    public void finish() throws IOException {
        if (finished) {
            return;
        }
        header("TRAILER!!!", 0, 1, 0, 0);
        finished = true;
        out.flush();
    }

    @Override
    public void close() throws IOException {
        finish();
    }
}
