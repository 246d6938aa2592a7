package dev.keel.agents;

import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An agent's response cache (docker-agent's {@code cache}): when a user asks a question the agent already answered,
 * the stored answer is replayed without calling the model. Questions match case-insensitively unless
 * {@link Builder#caseSensitive(boolean)}, and with surrounding white space unless {@link Builder#trimSpaces(boolean)}.
 * With {@link Builder#file(Path)} the entries live in a JSON file (one object of question → answer), read when the
 * cache is built and rewritten atomically after each new answer; a file that cannot be read starts the cache empty
 * (logged). Only answers that completed normally are stored.
 *
 * <p>Thread-safe; a cache is shared state, so two agents are equal only when they hold the same cache instance.
 */
public final class ResponseCache {
    private static final Logger log = LoggerFactory.getLogger(ResponseCache.class);

    private final boolean caseSensitive;
    private final boolean trimSpaces;
    private final Path file;
    private final Map<String, String> entries = new ConcurrentHashMap<>();

    private ResponseCache(Builder b) {
        caseSensitive = b.caseSensitive;
        trimSpaces = b.trimSpaces;
        file = b.file;
        if (file != null && Files.exists(file)) {
            try {
                JsonObject stored = JsonObject.parse(Files.readString(file, StandardCharsets.UTF_8));
                stored.members().forEach((q, a) -> a.asString().ifPresent(text -> entries.put(q, text)));
            } catch (IOException | RuntimeException e) {
                log.warn("response cache {} cannot be read ({}); starting empty", file, e.getMessage());
            }
        }
    }

    /**
     * Starts a cache (in memory, case-insensitive, white space kept).
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The stored answer to {@code question}.
     *
     * @param question the user's message
     * @return the answer, or empty
     */
    public Optional<String> lookup(String question) {
        return Optional.ofNullable(entries.get(key(question)));
    }

    /**
     * Stores {@code answer} for {@code question} (replacing an earlier one) and, with a file, saves it.
     *
     * @param question the user's message
     * @param answer the agent's final answer
     * @throws UncheckedIOException when the file cannot be written; the entry stays in memory
     */
    public void store(String question, String answer) {
        entries.put(key(question), Objects.requireNonNull(answer, "answer"));
        if (file != null) {
            save();
        }
    }

    /**
     * The number of stored answers.
     *
     * @return the number of entries
     */
    public int size() {
        return entries.size();
    }

    /**
     * The file the entries are kept in.
     *
     * @return the file, or empty for an in-memory cache
     */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    private String key(String question) {
        String q = trimSpaces ? question.strip() : question;
        return caseSensitive ? q : q.toLowerCase(Locale.ROOT);
    }

    private synchronized void save() {
        Map<String, JsonValue> sorted = new TreeMap<>();
        entries.forEach((q, a) -> sorted.put(q, JsonValue.of(a)));
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            Files.writeString(tmp, JsonObject.of(sorted).toJson(), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the response cache to " + file, e);
        }
    }

    @Override
    public String toString() {
        return "ResponseCache[" + entries.size() + " entries" + (caseSensitive ? ", case-sensitive" : "")
                + (trimSpaces ? ", trimmed" : "") + (file != null ? ", " + file : "") + "]";
    }

    /** Builder for {@link ResponseCache}. Not thread-safe. */
    public static final class Builder {
        private boolean caseSensitive;
        private boolean trimSpaces;
        private Path file;

        private Builder() {}

        /**
         * Whether questions must match in case too (default false).
         *
         * @param caseSensitive whether case matters
         * @return this builder
         */
        public Builder caseSensitive(boolean caseSensitive) {
            this.caseSensitive = caseSensitive;
            return this;
        }

        /**
         * Whether leading and trailing white space is ignored (default false).
         *
         * @param trimSpaces whether to strip questions before comparing
         * @return this builder
         */
        public Builder trimSpaces(boolean trimSpaces) {
            this.trimSpaces = trimSpaces;
            return this;
        }

        /**
         * Keeps the entries in this JSON file ({@code null}: in memory only).
         *
         * @param file the file
         * @return this builder
         */
        public Builder file(Path file) {
            this.file = file;
            return this;
        }

        /**
         * Builds the cache, reading the file's entries when it exists.
         *
         * @return the cache
         */
        public ResponseCache build() {
            return new ResponseCache(this);
        }
    }
}
