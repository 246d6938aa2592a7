package dev.keel.agents.toolsets;

import dev.keel.agents.approval.ToolPattern;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolArguments;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.exec.Command;
import dev.keel.core.exec.CommandRunner;
import dev.keel.core.exec.ExecResult;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;

/**
 * cagent's {@code filesystem} toolset, confined to {@code root}: {@code read_file(path)},
 * {@code read_multiple_files(paths)}, {@code write_file(path, content)},
 * {@code edit_file(path, edits[{oldText, newText}])} (exact replacement, every edit must match),
 * {@code list_directory(path)}, {@code search_files(path, pattern, excludePatterns)} (glob over names) and
 * {@code search_files_content(path, query, is_regex)}. Paths are relative to the root (the working
 * directory). A path must stay inside the root, or inside one of the {@link #allowed()} directories when they
 * are set, and never inside a {@link #denied()} one (denial wins). {@code ..}, absolute paths and symbolic
 * links are resolved before the check, so none of them leads outside: a refused path is an error naming it,
 * before any file is touched. Listings and searches skip denied directories and, with {@link #ignoresVcs()},
 * {@code .git} folders and what the root's {@code .gitignore} names. Thread-safe. Create with
 * {@link Toolsets#filesystem(Path)} or {@link #builder(Path)}.
 *
 * <pre>{@code
 * FilesystemToolset files = FilesystemToolset.builder(workDir)
 *         .allowed(List.of(workDir, home)).denied(List.of(home.resolve(".ssh")))
 *         .postEdit(List.of(new FilesystemToolset.PostEdit("*.java", "google-java-format -i ${file}")), runner)
 *         .build();
 * }</pre>
 */
public final class FilesystemToolset implements Toolset {
    private static final int MAX_RESULTS = 500;
    private final Path root;
    private final List<Path> allowed;
    private final List<Path> denied;
    private final List<PostEdit> postEdit;
    private final CommandRunner postEditRunner;
    private final boolean ignoreVcs;

    private FilesystemToolset(Builder b) {
        this.root = b.root;
        this.allowed = b.allowed;
        this.denied = b.denied;
        this.postEdit = b.postEdit;
        this.postEditRunner = b.postEditRunner;
        this.ignoreVcs = b.ignoreVcs;
    }

    /**
     * Starts a filesystem toolset whose relative paths start at {@code root}.
     *
     * @param root the working directory
     * @return the builder
     */
    public static Builder builder(Path root) {
        return new Builder(root);
    }

    /**
     * A command run after {@code write_file} or {@code edit_file} changed a file that matches {@code path}
     * (a glob on the file's name or its path relative to the root); {@code ${file}} in {@code cmd} is the
     * file's absolute path, shell-quoted.
     *
     * @param path the glob, such as {@code *.go} or {@code src/*}{@code /*.ts}
     * @param cmd  the shell command
     */
    public record PostEdit(String path, String cmd) {
        /**
         * Checks the fields.
         *
         * @param path the glob
         * @param cmd  the shell command
         */
        public PostEdit {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(cmd, "cmd");
        }
    }

    /**
     * The directories the tools may reach instead of the root's tree; empty means the root's tree.
     *
     * @return the allowed directories (absolute, normalised)
     */
    public List<Path> allowed() {
        return allowed;
    }

    /**
     * The directories the tools never reach, even inside an allowed one.
     *
     * @return the denied directories (absolute, normalised)
     */
    public List<Path> denied() {
        return denied;
    }

    /**
     * The commands run after edits.
     *
     * @return the post-edit commands
     */
    public List<PostEdit> postEdit() {
        return postEdit;
    }

    /**
     * Whether listings and searches skip {@code .git} folders and {@code .gitignore}d files.
     *
     * @return whether VCS files are skipped
     */
    public boolean ignoresVcs() {
        return ignoreVcs;
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
                            return ToolResult.ok("Wrote " + content.getBytes(StandardCharsets.UTF_8).length + " bytes to "
                                    + args.string("path") + afterEdit(p));
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
     * through, stay inside the root (or an allowed directory) and outside every denied one.
     *
     * @param path a path relative to the root, or absolute
     * @return the resolved path (absolute, normalised)
     * @throws IllegalArgumentException naming the path when it is not allowed
     * @throws java.io.IOException when the path cannot be resolved
     */
    public Path resolve(String path) throws IOException {
        Path p = Path.of(path);
        Path resolved = (p.isAbsolute() ? p : root.resolve(p)).normalize();
        check(path, resolved, "");
        // Symbolic links: check the real location of the deepest part that exists.
        Path existing = resolved;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing != null) {
            Path real;
            try {
                real = existing.toRealPath();
            } catch (IOException e) {
                throw new IllegalArgumentException("path '" + path + "' goes through a broken symbolic link");
            }
            Path rest = existing.relativize(resolved);
            check(path, rest.toString().isEmpty() ? real : real.resolve(rest).normalize(), " through a symbolic link");
        }
        return resolved;
    }

    private void check(String asked, Path candidate, String how) {
        List<Path> roots = allowed.isEmpty() ? List.of(root) : allowed;
        if (roots.stream().noneMatch(r -> within(candidate, r))) {
            throw new IllegalArgumentException("path '" + asked + "' is outside the allowed "
                    + (allowed.isEmpty() ? "directory " + root : "directories " + allowed) + how);
        }
        for (Path d : denied) {
            if (within(candidate, d)) {
                throw new IllegalArgumentException("path '" + asked + "' is in the denied directory " + d + how);
            }
        }
    }

    /** Inside {@code dir}, written as given or at its real location (a directory reached through a link). */
    private static boolean within(Path p, Path dir) {
        if (p.startsWith(dir)) {
            return true;
        }
        try {
            return Files.exists(dir) && p.startsWith(dir.toRealPath());
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether a walk may show {@code p}: not denied, not VCS-ignored. */
    private boolean visible(Path p) {
        for (Path d : denied) {
            if (within(p, d) || within(p.toAbsolutePath().normalize(), d)) {
                return false;
            }
        }
        if (!ignoreVcs) {
            return true;
        }
        String name = p.getFileName() == null ? "" : p.getFileName().toString();
        if (name.equals(".git")) {
            return false;
        }
        String relative = p.startsWith(root) ? root.relativize(p).toString().replace('\\', '/') : null;
        for (String g : gitignore()) {
            if (ToolPattern.glob(g, name) || relative != null && ToolPattern.glob(g, relative)) {
                return false;
            }
        }
        return true;
    }

    /** The root's {@code .gitignore} globs (comments, negations and blank lines left out). */
    private List<String> gitignore() {
        Path file = root.resolve(".gitignore");
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        try {
            Set<String> globs = new LinkedHashSet<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String g = line.strip();
                if (g.isEmpty() || g.startsWith("#") || g.startsWith("!")) {
                    continue;
                }
                g = g.startsWith("/") ? g.substring(1) : g;
                globs.add(g.endsWith("/") ? g.substring(0, g.length() - 1) : g);
            }
            return List.copyOf(globs);
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Runs the post-edit commands whose glob matches; their failures are reported, the edit stays. */
    private String afterEdit(Path file) {
        if (postEdit.isEmpty()) {
            return "";
        }
        String name = file.getFileName().toString();
        String relative = file.startsWith(root) ? root.relativize(file).toString().replace('\\', '/') : file.toString();
        StringBuilder notes = new StringBuilder();
        for (PostEdit rule : postEdit) {
            if (!ToolPattern.glob(rule.path(), name) && !ToolPattern.glob(rule.path(), relative)) {
                continue;
            }
            String quoted = "'" + file.toString().replace("'", "'\\''") + "'";
            ExecResult r = postEditRunner.run(Command.shell(rule.cmd().replace("${file}", quoted)).withCwd(root.toString()));
            if (!r.ok()) {
                notes.append("\nwarning: post-edit command '").append(rule.cmd()).append("' failed")
                        .append(r.timedOut() ? " (timed out)" : " with exit code " + r.exitCode()).append(": ")
                        .append((r.stderr().isBlank() ? r.stdout() : r.stderr()).strip());
            }
        }
        return notes.toString();
    }

    private Path file(String path) throws IOException {
        Path p = resolve(path);
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException("'" + path + "' is not a file");
        }
        return p;
    }

    private String rel(Path p) {
        if (!p.startsWith(root)) {
            return p.toString();
        }
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
        return ToolResult.ok("File edited successfully: " + i + " edit(s) applied to " + path + afterEdit(p));
    }

    private ToolResult list(String path) throws IOException {
        Path dir = resolve(path);
        if (!Files.isDirectory(dir)) {
            return ToolResult.error("'" + path + "' is not a directory");
        }
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(this::visible).sorted().limit(MAX_RESULTS).forEach(p -> sb.append(Files.isDirectory(p) ? "DIR  " : "FILE ")
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
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return dir.equals(start) || visible(dir) ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile() && visible(file)) {
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
        return o instanceof FilesystemToolset other && root.equals(other.root) && allowed.equals(other.allowed)
                && denied.equals(other.denied) && postEdit.equals(other.postEdit) && ignoreVcs == other.ignoreVcs
                && Objects.equals(postEditRunner, other.postEditRunner);
    }

    @Override
    public int hashCode() {
        return Objects.hash(root, allowed, denied, postEdit, ignoreVcs);
    }

    @Override
    public String toString() {
        return "FilesystemToolset[" + root + (allowed.isEmpty() ? "" : ", allowed=" + allowed)
                + (denied.isEmpty() ? "" : ", denied=" + denied) + (postEdit.isEmpty() ? "" : ", postEdit=" + postEdit)
                + (ignoreVcs ? ", ignoreVcs" : "") + "]";
    }

    /**
     * Builds a {@link FilesystemToolset}. Defaults: the root's tree only, nothing denied, no post-edit commands,
     * VCS files shown (the team loader turns docker-agent's {@code ignore_vcs} default on). Setters replace what
     * was set before. Not thread-safe.
     */
    public static final class Builder {
        private final Path root;
        private List<Path> allowed = List.of();
        private List<Path> denied = List.of();
        private List<PostEdit> postEdit = List.of();
        private CommandRunner postEditRunner;
        private boolean ignoreVcs;

        private Builder(Path root) {
            this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
        }

        private List<Path> absolute(List<Path> dirs) {
            return Objects.requireNonNull(dirs, "dirs").stream().map(d -> root.resolve(d).toAbsolutePath().normalize())
                    .distinct().toList();
        }

        /**
         * The directories the tools may reach (relative ones start at the root); empty, the default, means the
         * root's tree. Set the root itself here to keep it reachable next to others.
         *
         * @param dirs the directories
         * @return this builder
         */
        public Builder allowed(List<Path> dirs) {
            this.allowed = absolute(dirs);
            return this;
        }

        /**
         * Directories the tools never reach, even inside an allowed one (relative ones start at the root).
         *
         * @param dirs the directories
         * @return this builder
         */
        public Builder denied(List<Path> dirs) {
            this.denied = absolute(dirs);
            return this;
        }

        /**
         * Commands run through {@code runner} after an edit of a matching file.
         *
         * @param rules  the commands
         * @param runner where they run (their working directory is the root)
         * @return this builder
         */
        public Builder postEdit(List<PostEdit> rules, CommandRunner runner) {
            List<PostEdit> copy = List.copyOf(Objects.requireNonNull(rules, "rules"));
            if (!copy.isEmpty()) {
                Objects.requireNonNull(runner, "runner");
            }
            this.postEdit = copy;
            this.postEditRunner = runner;
            return this;
        }

        /**
         * Skips {@code .git} folders and what the root's {@code .gitignore} names in listings and searches.
         *
         * @param ignore whether to skip them
         * @return this builder
         */
        public Builder ignoreVcs(boolean ignore) {
            this.ignoreVcs = ignore;
            return this;
        }

        /**
         * The toolset.
         *
         * @return the toolset
         */
        public FilesystemToolset build() {
            return new FilesystemToolset(this);
        }
    }
}
