package dev.keel.core.internal.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.function.UnaryOperator;

/**
 * Writes a file so that a reader sees the old content or the new one, never a part: the bytes go to a hidden
 * temporary file in the same directory, are forced to disk, and the temporary file is moved over the target
 * (atomically where the file system can). On any failure the temporary file is deleted and the target is left as
 * it was. Stateless and thread-safe; two writers of one file leave one of the two contents.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /**
     * Writes {@code bytes} to {@code file} atomically, creating its directory if needed.
     *
     * @param file  the target
     * @param bytes the whole new content
     * @throws IOException when it cannot be written (the target is unchanged)
     */
    public static void write(Path file, byte[] bytes) throws IOException {
        write(file, bytes, UnaryOperator.identity());
    }

    /**
     * Writes {@code bytes} to {@code file} atomically, through {@code decorator}.
     *
     * @param file      the target
     * @param bytes     the whole new content
     * @param decorator wraps the stream the bytes are written to (tests use it to fail in the middle of a write)
     * @throws IOException when it cannot be written (the target is unchanged)
     */
    public static void write(Path file, byte[] bytes, UnaryOperator<OutputStream> decorator) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE);
                 OutputStream out = decorator.apply(Channels.newOutputStream(channel))) {
                out.write(bytes);
                out.flush();
                channel.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // Best effort: a leftover hidden .tmp file never replaces the target.
                }
            }
        }
    }
}
