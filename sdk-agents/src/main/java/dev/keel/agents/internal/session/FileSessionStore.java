package dev.keel.agents.internal.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.agents.session.SessionConflictException;
import dev.keel.agents.session.SessionStore;
import dev.keel.agents.session.SessionStoreException;
import dev.keel.agents.session.SessionSummary;
import dev.keel.agents.session.StoredSession;
import dev.keel.core.internal.json.Json;
import dev.keel.core.json.JsonParseException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One file per session, {@code <name>.session.json}: {@code {"id", "version", "updated_at", "session"}}. A save
 * writes a complete temporary file, forces it to disk and renames it over the old one (atomic), all under an
 * exclusive lock on {@code <name>.lock} (across processes) and a lock per session (within this store), after
 * checking the stored version. File names are the id in base64url (a SHA-256 for long ids), so no id can name a
 * path outside the directory. Thread-safe.
 */
public final class FileSessionStore implements SessionStore {
    private static final Logger LOG = LoggerFactory.getLogger(FileSessionStore.class);
    private final Path directory;
    private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    public FileSessionStore(Path directory) {
        this.directory = Objects.requireNonNull(directory, "directory").toAbsolutePath();
        try {
            Files.createDirectories(this.directory);
        } catch (IOException e) {
            throw new SessionStoreException("cannot create the session directory " + this.directory + ": " + e.getMessage(), e);
        }
    }

    static String fileName(String sessionId) {
        String b64 = Base64.getUrlEncoder().withoutPadding().encodeToString(sessionId.getBytes(StandardCharsets.UTF_8));
        if (b64.length() <= 120) {
            return b64;
        }
        try {
            return "h-" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(sessionId.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Path file(String sessionId) {
        return directory.resolve(fileName(sessionId) + ".session.json");
    }

    @Override
    public Optional<StoredSession> load(String sessionId) {
        Objects.requireNonNull(sessionId, "sessionId");
        Path f = file(sessionId);
        String text;
        try {
            text = Files.readString(f, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new SessionStoreException("cannot read session " + sessionId + " from " + f + ": " + e.getMessage(), e);
        }
        return Optional.of(parse(sessionId, f, text));
    }

    private static StoredSession parse(String sessionId, Path f, String text) {
        try {
            JsonNode n = Json.parse(text);
            if (!n.path("id").isTextual() || !n.path("version").canConvertToLong() || !n.path("session").isObject()
                    || !n.path("updated_at").isTextual()) {
                throw new SessionStoreException(f + " is not a stored session (expected id, version, updated_at, session)");
            }
            if (!n.get("id").asText().equals(sessionId)) {
                throw new SessionStoreException(f + " holds session " + n.get("id").asText() + ", not " + sessionId);
            }
            return new StoredSession(sessionId, n.get("version").asLong(), Json.write(n.get("session")),
                    Instant.parse(n.get("updated_at").asText()));
        } catch (JsonParseException | IllegalArgumentException | java.time.format.DateTimeParseException e) {
            throw new SessionStoreException(f + " is not a readable stored session: " + e.getMessage(), e);
        }
    }

    @Override
    public StoredSession save(String sessionId, String json, long expectedVersion) {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(json, "json");
        JsonNode session;
        try {
            session = Json.parse(json);
        } catch (JsonParseException e) {
            throw new SessionStoreException("session " + sessionId + " is not JSON: " + e.getMessage(), e);
        }
        ReentrantLock local = locks.computeIfAbsent(sessionId, id -> new ReentrantLock());
        local.lock();
        Path lockFile = directory.resolve(fileName(sessionId) + ".lock");
        try (FileChannel lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lockAcross(lockChannel)) {
            long actual = load(sessionId).map(StoredSession::version).orElse(0L);
            if (actual != expectedVersion) {
                throw new SessionConflictException(sessionId, expectedVersion, actual);
            }
            StoredSession saved = new StoredSession(sessionId, actual + 1, json, Instant.now());
            ObjectNode doc = Json.object();
            doc.put("id", sessionId).put("version", saved.version()).put("updated_at", saved.updatedAt().toString());
            doc.set("session", session);
            writeAtomically(file(sessionId), Json.write(doc));
            return saved;
        } catch (IOException e) {
            throw new SessionStoreException("cannot save session " + sessionId + " in " + directory + ": " + e.getMessage(), e);
        } finally {
            local.unlock();
        }
    }

    /** An exclusive lock on the file, waiting for another process (or another store in this JVM) to let go. */
    private static FileLock lockAcross(FileChannel channel) throws IOException {
        while (true) {
            try {
                return channel.lock();
            } catch (OverlappingFileLockException sameJvm) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SessionStoreException("interrupted while waiting for a session lock");
                }
            }
        }
    }

    private void writeAtomically(Path target, String text) throws IOException {
        Path tmp = Files.createTempFile(directory, ".tmp-", ".json");
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    out.write(buf);
                }
                out.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system of " + directory + " cannot rename atomically", e);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public boolean delete(String sessionId) {
        try {
            Files.deleteIfExists(directory.resolve(fileName(sessionId) + ".lock"));
            return Files.deleteIfExists(file(sessionId));
        } catch (IOException e) {
            throw new SessionStoreException("cannot delete session " + sessionId + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads every stored file (the ids of long names are hashed, so names alone cannot be matched): a listing costs
     * one read per session. A file that is not a readable stored session is left out with a warning naming it, so
     * one damaged file never hides the others.
     */
    @Override
    public List<SessionSummary> list(String idPrefix, int limit) {
        Listings.check(idPrefix, limit);
        List<SessionSummary> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*.session.json")) {
            for (Path f : files) {
                summary(f).filter(s -> s.id().startsWith(idPrefix)).ifPresent(found::add);
            }
        } catch (IOException e) {
            throw new SessionStoreException("cannot list the sessions in " + directory + ": " + e.getMessage(), e);
        }
        return Listings.newest(found.stream(), idPrefix, limit);
    }

    private static Optional<SessionSummary> summary(Path f) {
        String text;
        try {
            text = Files.readString(f, StandardCharsets.UTF_8);
        } catch (NoSuchFileException deletedMeanwhile) {
            return Optional.empty();
        } catch (IOException e) {
            LOG.warn("session file {} is left out of the listing: {}", f, e.toString());
            return Optional.empty();
        }
        try {
            JsonNode n = Json.parse(text);
            String id = n.path("id").asText("");
            if (!n.path("id").isTextual() || !f.getFileName().toString().equals(fileName(id) + ".session.json")) {
                throw new IllegalArgumentException("it holds no id, or one that is not its file name's");
            }
            StoredSession s = parse(id, f, text);
            return Optional.of(new SessionSummary(s.id(), s.version(), s.updatedAt()));
        } catch (JsonParseException | IllegalArgumentException | SessionStoreException e) {
            LOG.warn("session file {} is left out of the listing: it is not a readable stored session ({})", f,
                    e.getClass().getSimpleName());
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return "SessionStore[files in " + directory + "]";
    }
}
