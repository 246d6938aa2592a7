package dev.keel.agents.toolsets;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonParseException;
import dev.keel.core.json.JsonValue;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * cagent's {@code memory} toolset, persistent across runs: {@code add_memory(memory)},
 * {@code get_memories()}, {@code search_memories(query)} and {@code delete_memory(id)}. Memories are kept
 * as JSON lines ({@code {"id","created_at","memory"}}) in {@link #path()} (created with its directories on
 * first write); every change rewrites the file atomically, so a crash never leaves half a file. Thread-safe
 * within one instance; do not point two live instances at the same file. Create with
 * {@link Toolsets#memory(Path)}.
 */
public final class MemoryToolset implements Toolset {
    private final Path path;
    private final Clock clock;

    MemoryToolset(Path path, Clock clock) {
        this.path = Objects.requireNonNull(path, "path").toAbsolutePath();
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * One stored memory.
     *
     * @param id        its id, unique within the file
     * @param createdAt when it was stored
     * @param text      the memory
     */
    public record Memory(String id, Instant createdAt, String text) {
        /**
         * Requires every field.
         *
         * @param createdAt when it was stored
         * @param id its id, unique within the file
         * @param text the memory
         */
        public Memory {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(createdAt, "createdAt");
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * The JSON-lines file.
     *
     * @return the JSON-lines file
     */
    public Path path() {
        return path;
    }

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public String instructions() {
        return "You have a persistent memory: store durable facts with add_memory and look them up with "
                + "search_memories or get_memories before asking the user again.";
    }

    @Override
    public List<Tool> tools() {
        return List.of(
                Tool.of(ToolSpec.of("add_memory", "Add a new memory to the database",
                        JsonSchema.object().required("memory", JsonSchema.string("The memory content to store")).build()),
                        false, (args, ctx) -> ToolResult.ok("Memory added with id " + add(args.string("memory")))),
                Tool.of(ToolSpec.of("get_memories", "Retrieve all stored memories"), true,
                        (args, ctx) -> ToolResult.ok(format(read()))),
                Tool.of(ToolSpec.of("search_memories", "Find memories containing all the given words (case-insensitive)",
                        JsonSchema.object().required("query", JsonSchema.string("Words to look for")).build()),
                        true, (args, ctx) -> ToolResult.ok(format(search(args.string("query"))))),
                Tool.of(ToolSpec.of("delete_memory", "Delete a specific memory by ID",
                        JsonSchema.object().required("id", JsonSchema.string("The ID of the memory to delete")).build()),
                        false, (args, ctx) -> {
                            String id = args.string("id");
                            return delete(id) ? ToolResult.ok("Memory " + id + " deleted")
                                    : ToolResult.error("no memory with id '" + id + "'");
                        }));
    }

    /**
     * Stores a memory and returns its id.
     *
     * @param memory the text to remember
     * @return the new memory's id
     */
    public synchronized String add(String memory) {
        List<Memory> all = read();
        long next = all.stream().mapToLong(m -> parseId(m.id())).max().orElse(0) + 1;
        all.add(new Memory(String.valueOf(next), clock.instant(), memory));
        write(all);
        return String.valueOf(next);
    }

    private static long parseId(String id) {
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Memories containing every word of {@code query}, ignoring case.
     *
     * @param query the query
     * @return memories containing every word of {@code query}, ignoring case
     */
    public synchronized List<Memory> search(String query) {
        String[] words = query.toLowerCase(Locale.ROOT).split("\\s+");
        List<Memory> out = new ArrayList<>();
        for (Memory m : read()) {
            String text = m.text().toLowerCase(Locale.ROOT);
            boolean all = true;
            for (String w : words) {
                all &= w.isEmpty() || text.contains(w);
            }
            if (all) {
                out.add(m);
            }
        }
        return out;
    }

    /**
     * Deletes a memory; false when there is none with that id.
     *
     * @param id the memory's id
     * @return true when a memory was deleted
     */
    public synchronized boolean delete(String id) {
        List<Memory> all = read();
        boolean removed = all.removeIf(m -> m.id().equals(id));
        if (removed) {
            write(all);
        }
        return removed;
    }

    /**
     * All memories, oldest first.
     *
     * @return all memories, oldest first
     * @throws IllegalStateException naming the line when the file holds something that is not a memory
     */
    public synchronized List<Memory> read() {
        List<Memory> out = new ArrayList<>();
        if (!Files.exists(path)) {
            return out;
        }
        try {
            int line = 0;
            for (String s : Files.readAllLines(path, StandardCharsets.UTF_8)) {
                line++;
                if (!s.isBlank()) {
                    out.add(memory(s, line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read memory file " + path, e);
        }
        return out;
    }

    private Memory memory(String text, int line) {
        try {
            JsonObject o = JsonObject.parse(text);
            String id = o.get("id").flatMap(JsonValue::asString).orElseThrow(() -> new JsonParseException("no id"));
            String memory = o.get("memory").flatMap(JsonValue::asString)
                    .orElseThrow(() -> new JsonParseException("no memory text"));
            Instant created = Instant.parse(o.get("created_at").flatMap(JsonValue::asString).orElse("1970-01-01T00:00:00Z"));
            return new Memory(id, created, memory);
        } catch (JsonParseException | DateTimeParseException e) {
            throw new IllegalStateException("memory file " + path + " line " + line + " is not a memory: " + e.getMessage(), e);
        }
    }

    private void write(List<Memory> all) {
        try {
            Files.createDirectories(path.getParent());
            Path tmp = Files.createTempFile(path.getParent(), path.getFileName().toString(), ".tmp");
            StringBuilder sb = new StringBuilder();
            all.forEach(m -> sb.append(JsonObject.builder().put("id", m.id()).put("created_at", m.createdAt().toString())
                    .put("memory", m.text()).build().toJson()).append('\n'));
            Files.writeString(tmp, sb, StandardCharsets.UTF_8);
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write memory file " + path, e);
        }
    }

    private static String format(List<Memory> memories) {
        if (memories.isEmpty()) {
            return "No memories found.";
        }
        StringBuilder sb = new StringBuilder();
        memories.forEach(m -> sb.append('[').append(m.id()).append("] ").append(m.text()).append('\n'));
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MemoryToolset other && path.equals(other.path);
    }

    @Override
    public int hashCode() {
        return path.hashCode();
    }

    @Override
    public String toString() {
        return "MemoryToolset[" + path + "]";
    }
}
