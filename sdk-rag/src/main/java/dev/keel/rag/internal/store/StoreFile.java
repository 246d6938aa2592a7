package dev.keel.rag.internal.store;

import dev.keel.rag.store.CorruptStoreFileException;
import dev.keel.rag.store.Metric;
import dev.keel.rag.store.VectorStoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The Keel vector file format, version 1. All integers little-endian.
 *
 * <pre>
 * offset size  field
 * 0      8     magic "KEELVEC1"
 * 8      4     format version (1)
 * 12     4     metric (0 cosine, 1 dot product, 2 euclidean)
 * 16     4     dimension d
 * 20     4     count n
 * 24     8     records section length r (bytes)
 * 32     28    reserved, zero
 * 60     4     CRC32C of bytes 0..59
 * 64     4*n*d vectors, row-major float32 (cosine stores hold unit vectors)
 * ..     r     records: per row: id, text, metadata pair count, then key, value per pair; counts and
 *              string byte lengths are unsigned LEB128 varints, strings UTF-8
 * ..     4     CRC32C of vectors + records
 * ..     4     trailer magic "KEND"
 * </pre>
 */
public final class StoreFile {
    static final int HEADER = 64;
    static final int TRAILER = 8;
    private static final byte[] MAGIC = "KEELVEC1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "KEND".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    private static final int CHUNK_FLOATS = 1 << 18;

    private StoreFile() {
    }

    /**
     * What a file holds. {@code vectors} holds at least {@code count * dimension} floats from index 0
     * (a heap buffer when writing, the read-only file mapping when read).
     */
    public record Contents(Metric metric, int dimension, int count, FloatBuffer vectors, List<String> ids,
                           List<String> texts, List<Map<String, String>> metadata) {
    }

    /** Writes atomically (temporary file, fsync, rename). */
    public static void write(Path file, Contents contents) {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Path temp = null;
        try {
            Files.createDirectories(dir);
            temp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
            byte[] records = records(contents);
            CRC32C crc = new CRC32C();
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer header = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
                header.put(MAGIC).putInt(VERSION).putInt(contents.metric().ordinal()).putInt(contents.dimension())
                        .putInt(contents.count()).putLong(records.length);
                CRC32C headerCrc = new CRC32C();
                headerCrc.update(header.array(), 0, 60);
                header.putInt(60, (int) headerCrc.getValue());
                header.position(0).limit(HEADER);
                writeFully(channel, header);

                ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK_FLOATS * 4).order(ByteOrder.LITTLE_ENDIAN);
                long total = (long) contents.count() * contents.dimension();
                FloatBuffer vectors = contents.vectors();
                for (long done = 0; done < total; ) {
                    int n = (int) Math.min(CHUNK_FLOATS, total - done);
                    buffer.clear();
                    buffer.asFloatBuffer().put(vectors.slice((int) done, n));
                    buffer.limit(n * 4);
                    crc.update(buffer.duplicate());
                    writeFully(channel, buffer);
                    done += n;
                }
                crc.update(records, 0, records.length);
                writeFully(channel, ByteBuffer.wrap(records));
                ByteBuffer trailer = ByteBuffer.allocate(TRAILER).order(ByteOrder.LITTLE_ENDIAN);
                trailer.putInt((int) crc.getValue()).put(END).flip();
                writeFully(channel, trailer);
                channel.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            temp = null;
        } catch (IOException e) {
            throw new VectorStoreException("could not save vector store to " + target + ": " + e, e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // best effort: the temporary file has a distinct name and never replaces the target
                }
            }
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static byte[] records(Contents contents) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(Math.max(32, contents.count() * 16));
        for (int row = 0; row < contents.count(); row++) {
            string(out, contents.ids().get(row));
            string(out, contents.texts().get(row));
            Map<String, String> meta = new TreeMap<>(contents.metadata().get(row));
            varint(out, meta.size());
            for (Map.Entry<String, String> e : meta.entrySet()) {
                string(out, e.getKey());
                string(out, e.getValue());
            }
        }
        return out.toByteArray();
    }

    private static void string(java.io.ByteArrayOutputStream out, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        varint(out, bytes.length);
        out.write(bytes, 0, bytes.length);
    }

    private static void varint(java.io.ByteArrayOutputStream out, int v) {
        while ((v & ~0x7F) != 0) {
            out.write((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.write(v);
    }

    private static int varint(ByteBuffer in) {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            byte b = in.get();
            value |= (b & 0x7F) << shift;
            if (b >= 0) {
                if (value < 0) {
                    throw new IllegalStateException("negative length");
                }
                return value;
            }
        }
        throw new IllegalStateException("varint longer than 5 bytes");
    }

    /** Maps, verifies and reads a file. Nothing is returned unless every check passes. */
    public static Contents read(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long length = channel.size();
            if (length < HEADER + TRAILER) {
                throw new CorruptStoreFileException(file, "truncated: " + length + " bytes is shorter than the "
                        + (HEADER + TRAILER) + "-byte header and trailer");
            }
            MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_ONLY, 0, length);
            map.order(ByteOrder.LITTLE_ENDIAN);
            byte[] magic = new byte[8];
            map.get(0, magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new CorruptStoreFileException(file, "not a Keel vector file (bad magic)");
            }
            CRC32C headerCrc = new CRC32C();
            headerCrc.update(map.slice(0, 60));
            if ((int) headerCrc.getValue() != map.getInt(60)) {
                throw new CorruptStoreFileException(file, "header checksum mismatch");
            }
            int version = map.getInt(8);
            if (version != VERSION) {
                throw new CorruptStoreFileException(file, "unsupported format version " + version);
            }
            int metricCode = map.getInt(12);
            int dimension = map.getInt(16);
            int count = map.getInt(20);
            long recordsLength = map.getLong(24);
            if (metricCode < 0 || metricCode >= Metric.values().length || dimension < 1 || count < 0
                    || recordsLength < 0) {
                throw new CorruptStoreFileException(file, "invalid header values");
            }
            long vectorBytes = 4L * count * dimension;
            long expected = HEADER + vectorBytes + recordsLength + TRAILER;
            if (expected != length) {
                throw new CorruptStoreFileException(file, (length < expected ? "truncated" : "trailing bytes")
                        + ": header says " + expected + " bytes, file has " + length);
            }
            if (vectorBytes > Integer.MAX_VALUE * 4L - 64) {
                throw new CorruptStoreFileException(file, "too many vectors for one in-memory store");
            }
            long payloadEnd = HEADER + vectorBytes + recordsLength;
            byte[] end = new byte[4];
            map.get((int) payloadEnd + 4, end);
            if (!Arrays.equals(end, END)) {
                throw new CorruptStoreFileException(file, "bad trailer (file truncated or overwritten)");
            }
            CRC32C crc = new CRC32C();
            crc.update(map.slice(HEADER, (int) (payloadEnd - HEADER)));
            if ((int) crc.getValue() != map.getInt((int) payloadEnd)) {
                throw new CorruptStoreFileException(file, "payload checksum mismatch");
            }
            FloatBuffer vectors = map.slice(HEADER, (int) vectorBytes).order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer();
            ByteBuffer records = map.slice((int) (HEADER + vectorBytes), (int) recordsLength)
                    .order(ByteOrder.LITTLE_ENDIAN);
            List<String> ids = new ArrayList<>(count);
            List<String> texts = new ArrayList<>(count);
            List<Map<String, String>> metadata = new ArrayList<>(count);
            try {
                for (int row = 0; row < count; row++) {
                    ids.add(string(records)); // duplicates are detected by the store while indexing ids
                    texts.add(string(records));
                    int pairs = varint(records);
                    if (pairs == 0) {
                        metadata.add(Map.of());
                    } else {
                        Map<String, String> meta = new HashMap<>();
                        for (int p = 0; p < pairs; p++) {
                            meta.put(string(records), string(records));
                        }
                        metadata.add(Map.copyOf(meta));
                    }
                }
            } catch (RuntimeException e) {
                if (e instanceof CorruptStoreFileException c) {
                    throw c;
                }
                throw new CorruptStoreFileException(file, "records section is malformed: " + e);
            }
            if (records.hasRemaining()) {
                throw new CorruptStoreFileException(file, "records section has " + records.remaining()
                        + " unexpected bytes");
            }
            return new Contents(Metric.values()[metricCode], dimension, count, vectors, ids, texts, metadata);
        } catch (NoSuchFileException e) {
            throw new VectorStoreException("vector store file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new VectorStoreException("could not read vector store file " + file + ": " + e, e);
        }
    }

    private static String string(ByteBuffer buffer) {
        int length = varint(buffer);
        if (length < 0 || length > buffer.remaining()) {
            throw new IllegalStateException("string length " + length + " exceeds the section");
        }
        if (length == 0) {
            return "";
        }
        byte[] bytes = new byte[length];
        buffer.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
