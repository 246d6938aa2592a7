package dev.keel.agents.toolsets;

import dev.keel.agents.approval.ToolPattern;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolArguments;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonValue;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;

/**
 * cagent's {@code filesystem} toolset, confined to {@code root}: {@code read_file(path)},
 * {@code read_multiple_files(paths)}, {@code write_file(path, content)},
 * {@code edit_file(path, edits[{oldText, newText}])} (exact replacement, every edit must match),
 * {@code list_directory(path)}, {@code search_files(path, pattern, excludePatterns)} (glob over names) and
 * {@code search_files_content(path, query, is_regex)}. Paths are relative to the root; {@code ..}, absolute
 * paths outside the root and symbolic links that lead outside are refused with an error naming the path.
 * Thread-safe. Create with {@link Toolsets#filesystem(Path)}.
 */
public final class FilesystemToolset implements Toolset {
    private static final int MAX_RESULTS = 500;
    private final Path root;

    FilesystemToolset(Path root) {
        this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
    }

    /**
     * The directory the tools may see (absolute, normalised).
     *
     * @return the directory the tools may see (absolute, normalised)
     */
    public Path root() {
        return root;
    }

    @Override
    public String name() {
        return "filesystem";
    }

    @Override
    public String instructions() {
        return "File paths are relative to the working directory " + root + ".";
    }

    @Override
    public List<Tool> tools() {
        JsonSchema pathOnly = JsonSchema.object().required("path", JsonSchema.string("The file path")).build();
        return List.of(
                Tool.of(ToolSpec.of("read_file", "Read the complete contents of a file from the file system.", pathOnly),
                        true, (args, ctx) -> ToolResult.ok(Files.readString(file(args.string("path")), StandardCharsets.UTF_8))),
                Tool.of(ToolSpec.of("read_multiple_files", "Read the contents of multiple files simultaneously.",
                        JsonSchema.object().required("paths", JsonSchema.array(JsonSchema.string()).describedAs("Array of file paths to read")).build()),
                        true, (args, ctx) -> readMany(args.strings("paths"))),
                Tool.of(ToolSpec.of("write_file", "Create a new file or completely overwrite an existing file with new content.",
                        JsonSchema.object().required("path", JsonSchema.string("The file path to write"))
                                .required("content", JsonSchema.string("The content to write to the file")).build()),
                        false, (args, ctx) -> {
                            Path p = resolve(args.string("path"));
                            String content = args.string("content");
                            Files.createDirectories(p.getParent());
                            Files.writeString(p, content, StandardCharsets.UTF_8);
                            return ToolResult.ok("Wrote " + content.getBytes(StandardCharsets.UTF_8).length + " bytes to " + args.string("path"));
                        }),
                Tool.of(ToolSpec.of("edit_file", "Edit a text file: each edit replaces an exact text with new text.",
                        JsonSchema.object().required("path", JsonSchema.string("The file path to edit"))
                                .required("edits", JsonSchema.array(JsonSchema.object()
                                        .required("oldText", JsonSchema.string("The exact text to replace"))
                                        .required("newText", JsonSchema.string("The replacement text")).build())
                                        .describedAs("Array of edit operations")).build()),
                        false, (args, ctx) -> edit(args)),
                Tool.of(ToolSpec.of("list_directory", "Get a detailed listing of all files and directories in a specified path.",
                        JsonSchema.object().required("path", JsonSchema.string("The directory path to list")).build()),
                        true, (args, ctx) -> list(args.string("path", "."))),
                Tool.of(ToolSpec.of("search_files", "Recursively search for files whose name matches a glob pattern "
                                + "(* and ?). Prints the paths of matching files relative to the root.",
                        JsonSchema.object().required("path", JsonSchema.string("The starting directory path"))
                                .required("pattern", JsonSchema.string("The glob pattern to match file names against"))
                                .optional("excludePatterns", JsonSchema.array(JsonSchema.string())
                                        .describedAs("Patterns to exclude from search")).build()),
                        true, (args, ctx) -> searchFiles(args.string("path", "."), args.string("pattern"),
                                args.strings("excludePatterns", List.of()))),
                Tool.of(ToolSpec.of("search_files_content", "Search for text or a regex in the content of files.",
                        JsonSchema.object().required("path", JsonSchema.string("The starting directory path"))
                                .required("query", JsonSchema.string("The text or regex pattern to search for"))
                                .optional("is_regex", JsonSchema.bool("If true, treat query as regex; otherwise literal text"))
                                .build()),
                        true, (args, ctx) -> searchContent(args.string("path", "."), args.string("query"),
                                args.bool("is_regex", false))));
    }

    /**
     * Resolves {@code path} against the root and checks that it, and whatever symbolic links it goes
     * through, stay inside.
     *
     * @param path a path relative to the root, or absolute inside it
     * @return the real path
     * @throws IllegalArgumentException naming the path when it would leave the root
     * @throws java.io.IOException when the path cannot be resolved, or leaves the root
     */
    public Path resolve(String path) throws IOException {
        Path p = Path.of(path);
        Path resolved = (p.isAbsolute() ? p : root.resolve(p)).normalize();
        if (!resolved.startsWith(root)) {
            throw new IllegalArgumentException("path '" + path + "' is outside the allowed directory " + root);
        }
        // Symbolic links: check the real location of the deepest part that exists.
        Path existing = resolved;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing != null) {
            Path realRoot = root.toRealPath();
            Path real = Files.exists(existing) ? existing.toRealPath() : null;
            if (real == null || !real.startsWith(realRoot)) {
                throw new IllegalArgumentException("path '" + path + "' leads outside the allowed directory " + root
                        + " through a symbolic link");
            }
        }
        return resolved;
    }

    private Path file(String path) throws IOException {
        Path p = resolve(path);
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException("'" + path + "' is not a file");
        }
        return p;
    }

    private String rel(Path p) {
        String r = root.relativize(p).toString();
        return r.isEmpty() ? "." : r;
    }

    private ToolResult readMany(List<String> paths) {
        StringBuilder sb = new StringBuilder();
        for (String p : paths) {
            sb.append("=== ").append(p).append(" ===\n");
            try {
                sb.append(Files.readString(file(p), StandardCharsets.UTF_8));
            } catch (Exception e) {
                sb.append("Error: ").append(e.getMessage());
            }
            sb.append("\n\n");
        }
        return ToolResult.ok(sb.toString());
    }

    private ToolResult edit(ToolArguments args) throws IOException {
        String path = args.string("path");
        Path p = file(path);
        String content = Files.readString(p, StandardCharsets.UTF_8);
        List<JsonValue> edits = args.list("edits");
        if (edits.isEmpty()) {
            return ToolResult.error("'edits' must be a non-empty array of {oldText, newText}");
        }
        int i = 0;
        for (JsonValue e : edits) {
            i++;
            JsonObject edit = e.asObject().orElse(JsonObject.of());
            String oldText = edit.get("oldText").flatMap(JsonValue::asString).orElse(null);
            String newText = edit.get("newText").flatMap(JsonValue::asString).orElse(null);
            if (oldText == null || newText == null || oldText.isEmpty()) {
                return ToolResult.error("edit " + i + " needs a non-empty 'oldText' and a 'newText'");
            }
            int at = content.indexOf(oldText);
            if (at < 0) {
                // Nothing is written unless every edit applies.
                return ToolResult.error("edit " + i + " failed: old text not found in " + path + "; no change made");
            }
            content = content.substring(0, at) + newText + content.substring(at + oldText.length());
        }
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return ToolResult.ok("File edited successfully: " + i + " edit(s) applied to " + path);
    }

    private ToolResult list(String path) throws IOException {
        Path dir = resolve(path);
        if (!Files.isDirectory(dir)) {
            return ToolResult.error("'" + path + "' is not a directory");
        }
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> s = Files.list(dir)) {
            s.sorted().limit(MAX_RESULTS).forEach(p -> sb.append(Files.isDirectory(p) ? "DIR  " : "FILE ")
                    .append(p.getFileName()).append('\n'));
        }
        return ToolResult.ok(sb.length() == 0 ? "(empty directory)" : sb.toString());
    }

    private ToolResult searchFiles(String path, String pattern, List<String> excludes) throws IOException {
        Path start = resolve(path);
        List<String> matches = new ArrayList<>();
        walk(start, (p, relative) -> {
            for (String ex : excludes) {
                if (ToolPattern.glob(ex, relative) || ToolPattern.glob(ex, p.getFileName().toString())) {
                    return;
                }
            }
            if (ToolPattern.glob(pattern, p.getFileName().toString())) {
                matches.add(rel(p));
            }
        });
        return ToolResult.ok(matches.isEmpty() ? "No files found" : matches.size() + " files found:\n" + String.join("\n", matches));
    }

    private ToolResult searchContent(String path, String query, boolean regex) throws IOException {
        Pattern pattern;
        try {
            pattern = regex ? Pattern.compile(query) : Pattern.compile(Pattern.quote(query));
        } catch (PatternSyntaxException e) {
            return ToolResult.error("invalid regex: " + e.getDescription());
        }
        Path start = resolve(path);
        List<String> hits = new ArrayList<>();
        walk(start, (p, relative) -> {
            if (hits.size() >= MAX_RESULTS) {
                return;
            }
            try {
                List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
                for (int i = 0; i < lines.size() && hits.size() < MAX_RESULTS; i++) {
                    if (pattern.matcher(lines.get(i)).find()) {
                        hits.add(rel(p) + ":" + (i + 1) + ": " + lines.get(i));
                    }
                }
            } catch (IOException | java.io.UncheckedIOException e) {
                // Binary or unreadable files are skipped; searching text is what was asked.
            }
        });
        return ToolResult.ok(hits.isEmpty() ? "No matches found" : String.join("\n", hits));
    }

    private interface FileVisitor {
        void visit(Path file, String relative) throws IOException;
    }

    /** Walks regular files without following symbolic links, so a link cannot lead the walk outside. */
    private void walk(Path start, FileVisitor visitor) throws IOException {
        if (!Files.isDirectory(start)) {
            throw new IllegalArgumentException("'" + rel(start) + "' is not a directory");
        }
        Files.walkFileTree(start, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile()) {
                    visitor.visit(file, start.relativize(file).toString());
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
                return FileVisitResult.CONTINUE;
            }
        });
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FilesystemToolset other && root.equals(other.root);
    }

    @Override
    public int hashCode() {
        return root.hashCode();
    }

    @Override
    public String toString() {
        return "FilesystemToolset[" + root + "]";
    }
}
