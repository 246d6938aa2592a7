package dev.keel.rag.internal.knowledge;

import dev.keel.rag.knowledge.KnowledgeBaseException;
import dev.keel.rag.store.InMemoryVectorStore;
import dev.keel.rag.store.VectorStoreException;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The on-disk index of a knowledge base. Each successful sync writes a complete new generation directory
 * ({@code gen-<n>/}: {@code manifest.kkb} plus one {@code <i>.kvec} vector file per embedding strategy),
 * fsyncs it, and only then atomically replaces the {@code CURRENT} file that names the live generation.
 * A crash or kill at any point leaves {@code CURRENT} naming the previous complete generation; a partial
 * generation directory is ignored and deleted by the next writer. The previous generation is kept as a
 * fallback should the current one fail its checksums. A {@code write.lock} file lock keeps two processes
 * from writing at once.
 *
 * <p>A knowledge base whose strategies keep their indexes in several directories writes each changed directory's
 * generation first ({@link #prepare}), and only when every one of them is complete switches the
 * {@code CURRENT} files one after another ({@link #commit}); a failure before the switches leaves every directory
 * as it was, a failure during them switches the ones already done back ({@link #rollBack}).
 *
 * <p>Manifest ({@code KEELKB01}, big-endian {@code DataOutput}): version, generation, owner (the knowledge base
 * that wrote it; version 2), document table (id, content hash), strategy tables (name, fingerprint, the
 * documents the table was built from (version 2), chunks: id, source, ordinal, start, end, text, heading path,
 * metadata pairs, hash; summaries for semantic strategies: hash → text), then the CRC32C of everything before it
 * and {@code KEND}. Version 1 manifests (no owner, every table built from the whole document table) still load.
 */
public final class IndexDirectory {
    private static final Logger LOG = LoggerFactory.getLogger(IndexDirectory.class);
    private static final String MAGIC = "KEELKB01";
    private static final int VERSION = 2;
    private static final String CURRENT = "CURRENT";
    private static final String MANIFEST = "manifest.kkb";

    private final Path dir;

    public IndexDirectory(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    public Path path() {
        return dir;
    }

    /**
     * What a generation holds, strategy by strategy (vectors are loaded separately); {@code owner} is the knowledge
     * base that wrote it (null in a version 1 manifest).
     */
    public record Manifest(long generation, String owner, Map<String, String> documents,
                           List<StrategyTable> strategies) {
    }

    /** One strategy's chunks and (semantic) summaries, and the documents (id → content hash) they were made from. */
    public record StrategyTable(String name, String fingerprint, Map<String, String> documents,
                                List<IndexedChunk> chunks, Map<String, String> summaries) {
    }

    /** A generation written by {@link #prepare} and not yet live. */
    public record Prepared(long generation) {
    }

    /** A loaded generation: its manifest and, per strategy index, its vectors (null when it has none). */
    public record Loaded(Manifest manifest, List<InMemoryVectorStore> vectors) {
    }

    /** Holds the write lock of the directory until closed. */
    public final class WriteLock implements AutoCloseable {
        private final FileChannel channel;
        private final FileLock lock;
        private final Path created;

        private WriteLock(FileChannel channel, FileLock lock, Path created) {
            this.channel = channel;
            this.lock = lock;
            this.created = created;
        }

        @Override
        public void close() {
            try {
                lock.release();
                channel.close();
            } catch (IOException e) {
                LOG.warn("releasing the index lock of {} failed: {}", dir, e.toString());
            }
        }

        /**
         * Releases the lock and, when taking it created the directory (and parents), removes what it created, so
         * that a sync that could not start leaves no trace.
         */
        public void closeAndUndo() {
            close();
            if (created == null) {
                return;
            }
            try {
                Files.deleteIfExists(dir.resolve("write.lock"));
                for (Path p = dir; p != null && p.startsWith(created); p = p.getParent()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                LOG.debug("could not remove {} again: {}", created, e.toString());
            }
        }
    }

    /**
     * Takes the write lock.
     *
     * @throws KnowledgeBaseException when another process (or another knowledge base in this JVM) writes here
     */
    public WriteLock lock() {
        try {
            Path created = null;
            for (Path p = dir; p != null && !Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS); p = p.getParent()) {
                created = p;
            }
            Files.createDirectories(dir);
            FileChannel channel = FileChannel.open(dir.resolve("write.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw new KnowledgeBaseException("index directory " + dir + " is being written by another knowledge "
                        + "base (process or instance); one writer at a time");
            }
            return new WriteLock(channel, lock, created);
        } catch (IOException e) {
            throw new KnowledgeBaseException("cannot lock index directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The live generation, or empty when none was written yet. */
    public Optional<Loaded> load() {
        Optional<Long> current = current();
        if (current.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(loadGeneration(current.get()));
        } catch (KnowledgeBaseException | VectorStoreException e) {
            // CURRENT only ever names complete generations, so this is damage after the fact: fall back
            Optional<Long> previous = generations().stream().filter(g -> g < current.get())
                    .max(Comparator.naturalOrder());
            if (previous.isPresent()) {
                LOG.warn("index generation {} in {} is damaged ({}); using generation {}", current.get(), dir,
                        e.getMessage(), previous.get());
                return Optional.of(loadGeneration(previous.get()));
            }
            throw new KnowledgeBaseException("index in " + dir + " is damaged and has no previous generation: "
                    + e.getMessage(), e);
        }
    }

    /** The generation {@code CURRENT} names, or 0 when there is none. */
    public long currentGeneration() {
        return current().orElse(0L);
    }

    private Optional<Long> current() {
        Path file = dir.resolve(CURRENT);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            String name = Files.readString(file, StandardCharsets.US_ASCII).strip();
            if (!name.matches("gen-\\d{16}")) {
                throw new KnowledgeBaseException("index pointer " + file + " is damaged: '" + name + "'");
            }
            return Optional.of(Long.parseLong(name.substring(4)));
        } catch (IOException e) {
            throw new KnowledgeBaseException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private Loaded loadGeneration(long generation) {
        Path genDir = dir.resolve(genName(generation));
        Manifest manifest = readManifest(genDir.resolve(MANIFEST));
        if (manifest.generation() != generation) {
            throw new KnowledgeBaseException("manifest in " + genDir + " is for generation " + manifest.generation());
        }
        List<InMemoryVectorStore> vectors = new ArrayList<>();
        for (int i = 0; i < manifest.strategies().size(); i++) {
            Path file = genDir.resolve(i + ".kvec");
            vectors.add(Files.exists(file) ? InMemoryVectorStore.load(file) : null);
        }
        return new Loaded(manifest, vectors);
    }

    /**
     * Writes {@code manifest} and {@code vectors} as a new complete generation and makes it live. Caller holds
     * the {@link #lock() write lock}. Generations other than the new one and the one live before are deleted
     * afterwards.
     */
    public void write(Manifest manifest, List<InMemoryVectorStore> vectors) {
        commit(prepare(manifest, vectors));
    }

    /**
     * Writes {@code manifest} and {@code vectors} as a complete generation directory, fsynced, not yet live.
     * Caller holds the {@link #lock() write lock}.
     *
     * @throws KnowledgeBaseException when it cannot be written (what was written of it is deleted again)
     */
    public Prepared prepare(Manifest manifest, List<InMemoryVectorStore> vectors) {
        Path genDir = dir.resolve(genName(manifest.generation()));
        try {
            if (Files.exists(genDir)) {
                deleteTree(genDir); // left by a writer that died before making it live
            }
            Files.createDirectories(genDir);
            for (int i = 0; i < vectors.size(); i++) {
                if (vectors.get(i) != null) {
                    vectors.get(i).save(genDir.resolve(i + ".kvec"));
                }
            }
            writeAtomically(genDir.resolve(MANIFEST), manifestBytes(manifest));
            fsyncDirectory(genDir);
            fsyncDirectory(dir);
        } catch (IOException | VectorStoreException e) {
            abandon(new Prepared(manifest.generation()));
            throw new KnowledgeBaseException("cannot write index generation " + manifest.generation() + " in " + dir
                    + " (the previous generation stays live): " + e.getMessage(), e);
        }
        return new Prepared(manifest.generation());
    }

    /**
     * Makes a prepared generation live (an atomic replace of {@code CURRENT}), then deletes every generation but it
     * and the one live before, which stays as the fallback.
     *
     * @return the generation live before (0 when none)
     * @throws KnowledgeBaseException when {@code CURRENT} cannot be replaced (the previous generation stays live)
     */
    public long commit(Prepared prepared) {
        long before = current().orElse(0L);
        try {
            writeAtomically(dir.resolve(CURRENT), (genName(prepared.generation()) + "\n")
                    .getBytes(StandardCharsets.US_ASCII));
            fsyncDirectory(dir);
        } catch (IOException e) {
            throw new KnowledgeBaseException("cannot make index generation " + prepared.generation() + " live in " + dir
                    + " (the previous generation stays live): " + e.getMessage(), e);
        }
        for (long old : generations()) {
            if (old != prepared.generation() && old != before) {
                try {
                    deleteTree(dir.resolve(genName(old)));
                } catch (IOException e) {
                    LOG.warn("could not delete old index generation {}: {}", old, e.toString());
                }
            }
        }
        return before;
    }

    /** Deletes a prepared generation that will not go live. Never throws. */
    public void abandon(Prepared prepared) {
        try {
            deleteTree(dir.resolve(genName(prepared.generation())));
        } catch (IOException e) {
            LOG.warn("could not delete abandoned index generation {} in {}: {}", prepared.generation(), dir,
                    e.toString());
        }
    }

    /**
     * Makes {@code previous} live again after {@link #commit} (0: no generation, as before the first sync). Never
     * throws; a failure is logged (the committed generation then stays live, itself complete).
     */
    public void rollBack(Prepared committed, long previous) {
        try {
            if (previous == 0) {
                Files.deleteIfExists(dir.resolve(CURRENT));
            } else {
                writeAtomically(dir.resolve(CURRENT), (genName(previous) + "\n").getBytes(StandardCharsets.US_ASCII));
            }
            fsyncDirectory(dir);
            deleteTree(dir.resolve(genName(committed.generation())));
        } catch (IOException e) {
            LOG.warn("could not switch {} back to generation {}: {}", dir, previous, e.toString());
        }
    }

    /**
     * Whether this path can hold Keel's index: missing, an empty directory or one Keel wrote.
     *
     * @return null when it can, else why not
     */
    public String unusable() {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        if (!Files.isDirectory(dir)) {
            return "it is a file, not an index directory (docker-agent keeps a SQLite file there; Keel keeps a "
                    + "directory: name another path)";
        }
        if (Files.exists(dir.resolve(CURRENT))) {
            return null;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.equals("write.lock") && !name.equals("." + CURRENT + ".tmp") && !name.matches("gen-\\d{16}")) {
                    return "it is a directory with other files in it (" + name + "), not a Keel index";
                }
            }
        } catch (IOException e) {
            return "it cannot be listed: " + e.getMessage();
        }
        return null;
    }

    /** Every generation directory present, complete or not. */
    public List<Long> generations() {
        List<Long> found = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return found;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "gen-*")) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.matches("gen-\\d{16}")) {
                    found.add(Long.parseLong(name.substring(4)));
                }
            }
        } catch (IOException e) {
            throw new KnowledgeBaseException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        found.sort(Comparator.naturalOrder());
        return found;
    }

    /** The highest generation number on disk (complete or not), or 0. */
    public long highestGeneration() {
        List<Long> all = generations();
        return all.isEmpty() ? 0 : all.get(all.size() - 1);
    }

    private static String genName(long generation) {
        return String.format("gen-%016d", generation);
    }

    // ---- manifest format ----

    static byte[] manifestBytes(Manifest manifest) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(MAGIC.getBytes(StandardCharsets.US_ASCII));
        out.writeInt(VERSION);
        out.writeLong(manifest.generation());
        writeString(out, manifest.owner() == null ? "" : manifest.owner());
        out.writeInt(manifest.documents().size());
        for (Map.Entry<String, String> d : manifest.documents().entrySet()) {
            writeString(out, d.getKey());
            writeString(out, d.getValue());
        }
        out.writeInt(manifest.strategies().size());
        for (StrategyTable table : manifest.strategies()) {
            writeString(out, table.name());
            writeString(out, table.fingerprint());
            out.writeInt(table.documents().size());
            for (Map.Entry<String, String> d : table.documents().entrySet()) {
                writeString(out, d.getKey());
                writeString(out, d.getValue());
            }
            out.writeInt(table.chunks().size());
            for (IndexedChunk c : table.chunks()) {
                writeString(out, c.id());
                writeString(out, c.source());
                out.writeInt(c.ordinal());
                out.writeInt(c.start());
                out.writeInt(c.end());
                writeString(out, c.text());
                writeString(out, c.headingPath());
                out.writeInt(c.metadata().size());
                for (Map.Entry<String, String> m : c.metadata().entrySet()) {
                    writeString(out, m.getKey());
                    writeString(out, m.getValue());
                }
                writeString(out, c.hash());
            }
            out.writeInt(table.summaries().size());
            for (Map.Entry<String, String> s : table.summaries().entrySet()) {
                writeString(out, s.getKey());
                writeString(out, s.getValue());
            }
        }
        out.flush();
        CRC32C crc = new CRC32C();
        crc.update(bytes.toByteArray());
        out.writeInt((int) crc.getValue());
        out.write("KEND".getBytes(StandardCharsets.US_ASCII));
        return bytes.toByteArray();
    }

    static Manifest readManifest(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new KnowledgeBaseException("cannot read index manifest " + file + ": " + e.getMessage(), e);
        }
        if (bytes.length < 16 || !new String(bytes, 0, 8, StandardCharsets.US_ASCII).equals(MAGIC)
                || !new String(bytes, bytes.length - 4, 4, StandardCharsets.US_ASCII).equals("KEND")) {
            throw new KnowledgeBaseException("index manifest " + file + " is truncated or not a Keel index");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 8);
        int stored = ByteBuffer.wrap(bytes, bytes.length - 8, 4).getInt();
        if ((int) crc.getValue() != stored) {
            throw new KnowledgeBaseException("index manifest " + file + " fails its checksum");
        }
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes, 8, bytes.length - 16))) {
            int version = in.readInt();
            if (version != VERSION && version != 1) {
                throw new KnowledgeBaseException("index manifest " + file + " has version " + version + ", expected "
                        + VERSION);
            }
            long generation = in.readLong();
            String owner = version == 1 ? null : readString(in);
            int documents = count(in);
            Map<String, String> docs = new LinkedHashMap<>();
            for (int i = 0; i < documents; i++) {
                docs.put(readString(in), readString(in));
            }
            int strategies = count(in);
            List<StrategyTable> tables = new ArrayList<>();
            for (int s = 0; s < strategies; s++) {
                String name = readString(in);
                String fingerprint = readString(in);
                Map<String, String> tableDocs = docs;
                if (version > 1) {
                    int n = count(in);
                    tableDocs = new LinkedHashMap<>();
                    for (int i = 0; i < n; i++) {
                        tableDocs.put(readString(in), readString(in));
                    }
                }
                int chunks = count(in);
                List<IndexedChunk> list = new ArrayList<>(chunks);
                for (int i = 0; i < chunks; i++) {
                    String id = readString(in);
                    String source = readString(in);
                    int ordinal = in.readInt();
                    int start = in.readInt();
                    int end = in.readInt();
                    String text = readString(in);
                    String heading = readString(in);
                    int pairs = count(in);
                    Map<String, String> metadata = new HashMap<>();
                    for (int p = 0; p < pairs; p++) {
                        metadata.put(readString(in), readString(in));
                    }
                    list.add(new IndexedChunk(id, source, ordinal, start, end, text, heading, metadata, readString(in)));
                }
                int summaries = count(in);
                Map<String, String> summaryMap = new HashMap<>();
                for (int i = 0; i < summaries; i++) {
                    summaryMap.put(readString(in), readString(in));
                }
                tables.add(new StrategyTable(name, fingerprint, tableDocs, list, summaryMap));
            }
            return new Manifest(generation, owner == null || owner.isEmpty() ? null : owner, docs, tables);
        } catch (EOFException e) {
            throw new KnowledgeBaseException("index manifest " + file + " ends early", e);
        } catch (IOException | RuntimeException e) {
            if (e instanceof KnowledgeBaseException k) {
                throw k;
            }
            throw new KnowledgeBaseException("index manifest " + file + " is damaged: " + e, e);
        }
    }

    private static int count(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 50_000_000) {
            throw new IOException("implausible count " + n);
        }
        return n;
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(InputStream stream) throws IOException {
        DataInputStream in = (DataInputStream) stream;
        int n = count(in);
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new EOFException();
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    // ---- files ----

    static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void fsyncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // not every platform can open a directory; the file fsyncs above still order the data
            LOG.debug("fsync of directory {} not possible: {}", directory, e.toString());
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public String toString() {
        return "IndexDirectory[" + dir + "]";
    }
}
