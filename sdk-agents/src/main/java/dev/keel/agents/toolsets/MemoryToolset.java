package dev.keel.agents.toolsets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.json.Json;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * cagent's {@code memory} toolset, persistent across runs: {@code add_memory(memory)},
 * {@code get_memories()}, {@code search_memories(query)} and {@code delete_memory(id)}. Memories are kept
 * as JSON lines in {@code path} (created with its directories on first write); every change rewrites the
 * file atomically, so a crash never leaves half a file. Thread-safe within one instance; do not point two
 * live instances at the same file.
 *
 * @param path the JSON-lines file
 */
public record MemoryToolset(Path path) implements Toolset {
    /**
     * Creates the value, checking its components.
     *
     * @param path the JSON-lines file
     */
    public MemoryToolset {
        Objects.requireNonNull(path, "path");
        path = path.toAbsolutePath();
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
                        false, (args, ctx) -> ToolResult.ok("Memory added with id " + add(Args.string(args, "memory")))),
                Tool.of(ToolSpec.of("get_memories", "Retrieve all stored memories"), true,
                        (args, ctx) -> ToolResult.ok(format(read()))),
                Tool.of(ToolSpec.of("search_memories", "Find memories containing all the given words (case-insensitive)",
                        JsonSchema.object().required("query", JsonSchema.string("Words to look for")).build()),
                        true, (args, ctx) -> ToolResult.ok(format(search(Args.string(args, "query"))))),
                Tool.of(ToolSpec.of("delete_memory", "Delete a specific memory by ID",
                        JsonSchema.object().required("id", JsonSchema.string("The ID of the memory to delete")).build()),
                        false, (args, ctx) -> delete(Args.string(args, "id"))
                                ? ToolResult.ok("Memory " + args.get("id").asText() + " deleted")
                                : ToolResult.error("no memory with id '" + args.get("id").asText() + "'")));
    }

    /**
     * Stores a memory and returns its id.
     *
     * @param memory the text to remember
     * @return the new memory's id
     */
    public synchronized String add(String memory) {
        List<ObjectNode> all = read();
        long next = all.stream().mapToLong(m -> m.path("id").asLong(0)).max().orElse(0) + 1;
        ObjectNode n = Json.object().put("id", String.valueOf(next)).put("created_at", Instant.now().toString())
                .put("memory", memory);
        all.add(n);
        write(all);
        return String.valueOf(next);
    }

    /**
     * Memories containing every word of {@code query}, ignoring case.
     *
     * @param query the words to look for
     * @return the matching memories
     */
    public synchronized List<ObjectNode> search(String query) {
        String[] words = query.toLowerCase(Locale.ROOT).split("\\s+");
        List<ObjectNode> out = new ArrayList<>();
        for (ObjectNode m : read()) {
            String text = m.path("memory").asText().toLowerCase(Locale.ROOT);
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
        List<ObjectNode> all = read();
        boolean removed = all.removeIf(m -> m.path("id").asText().equals(id));
        if (removed) {
            write(all);
        }
        return removed;
    }

    /**
     * All memories, oldest first.
     *
     * @return all memories, oldest first
     */
    public synchronized List<ObjectNode> read() {
        List<ObjectNode> out = new ArrayList<>();
        if (!Files.exists(path)) {
            return out;
        }
        try {
            int line = 0;
            for (String s : Files.readAllLines(path, StandardCharsets.UTF_8)) {
                line++;
                if (s.isBlank()) {
                    continue;
                }
                JsonNode n = Json.parse(s);
                if (!(n instanceof ObjectNode o)) {
                    throw new IllegalStateException("memory file " + path + " line " + line + " is not a JSON object");
                }
                out.add(o);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read memory file " + path, e);
        }
        return out;
    }

    private void write(List<ObjectNode> all) {
        try {
            Files.createDirectories(path.getParent());
            Path tmp = Files.createTempFile(path.getParent(), path.getFileName().toString(), ".tmp");
            StringBuilder sb = new StringBuilder();
            all.forEach(m -> sb.append(Json.write(m)).append('\n'));
            Files.writeString(tmp, sb, StandardCharsets.UTF_8);
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write memory file " + path, e);
        }
    }

    private static String format(List<ObjectNode> memories) {
        if (memories.isEmpty()) {
            return "No memories found.";
        }
        StringBuilder sb = new StringBuilder();
        memories.forEach(m -> sb.append('[').append(m.path("id").asText()).append("] ").append(m.path("memory").asText())
                .append('\n'));
        return sb.toString();
    }
}
