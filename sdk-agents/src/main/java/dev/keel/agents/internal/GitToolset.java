package dev.keel.agents.internal;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolArguments;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.exec.Command;
import dev.keel.core.exec.CommandRunner;
import dev.keel.core.exec.ExecResult;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * docker-agent's {@code git} toolset: five read-only tools over the repository of the working directory —
 * {@code git_status}, {@code git_log(limit, path)}, {@code git_branches}, {@code git_show(ref)} and
 * {@code git_blame(path, rev)} — run as {@code git} commands through the team's command runner (in the sandbox when
 * the team's commands run in one).
 *
 * <p>Read-only also means the repository cannot make these tools run its code: git is started without the system
 * and global configuration, with hooks, the file-system monitor, external diff and text conversion off, revisions
 * are resolved with {@code --end-of-options} (so {@code --output=...} is a revision, not an option) and paths are
 * literal and relative. Clean filters, which {@code git status} would run on changed files, cannot be switched off
 * from the command line, so {@code git_status} refuses a repository that configures one. Thread-safe.
 */
public final class GitToolset implements Toolset {
    private static final int DEFAULT_LOG = 20;
    private static final int MAX_LOG = 200;
    private static final int MAX_BLAME_LINES = 400;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final List<String> HARDENED = List.of("git", "--no-pager", "--literal-pathspecs",
            "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "-c", "diff.external=",
            "-c", "color.ui=false", "-c", "core.quotepath=false", "-c", "log.showSignature=false",
            "-c", "core.pager=cat");
    private static final Map<String, String> ENV = Map.of("GIT_CONFIG_NOSYSTEM", "1", "GIT_CONFIG_GLOBAL", "/dev/null",
            "GIT_TERMINAL_PROMPT", "0", "GIT_OPTIONAL_LOCKS", "0", "LC_ALL", "C");

    private final CommandRunner runner;
    private final Path dir;
    private final List<Tool> tools;

    /**
     * The toolset over the repository that contains {@code dir}.
     *
     * @param runner where the {@code git} commands run
     * @param dir    the working directory
     */
    public GitToolset(CommandRunner runner, Path dir) {
        this.runner = Objects.requireNonNull(runner, "runner");
        this.dir = Objects.requireNonNull(dir, "dir");
        this.tools = List.of(
                Tool.of(ToolSpec.of("git_status", "Show the working tree status: current branch and changed files "
                        + "(staged, unstaged, untracked).", JsonSchema.object().build()), true, (a, c) -> status()),
                Tool.of(ToolSpec.of("git_log", "Show recent commit history (hash, date, author, subject). Optionally "
                        + "limit the count or filter by path.", JsonSchema.object()
                        .optional("limit", JsonSchema.integer("Maximum number of commits to return (default 20)"))
                        .optional("path", JsonSchema.string("Only show commits that touch this path")).build()),
                        true, (a, c) -> log(a)),
                Tool.of(ToolSpec.of("git_branches", "List local branches, marking the current one with an asterisk.",
                        JsonSchema.object().build()), true, (a, c) -> branches()),
                Tool.of(ToolSpec.of("git_show", "Show a commit's metadata, message, and changed files with "
                        + "added/deleted line counts (default HEAD).", JsonSchema.object()
                        .optional("ref", JsonSchema.string("Commit hash or revision to show (default HEAD)")).build()),
                        true, (a, c) -> show(a)),
                Tool.of(ToolSpec.of("git_blame", "Show line-by-line authorship (commit and author) for a file at a "
                        + "revision (default HEAD).", JsonSchema.object()
                        .required("path", JsonSchema.string("File path to blame, relative to the repository root"))
                        .optional("rev", JsonSchema.string("Commit or revision to blame at (default HEAD)")).build()),
                        true, (a, c) -> blame(a)));
    }

    private ExecResult git(List<String> args) {
        List<String> argv = new ArrayList<>(HARDENED);
        argv.addAll(args);
        return runner.run(Command.of(argv).withEnv(ENV).withCwd(dir.toString()).withTimeout(TIMEOUT));
    }

    private static ToolResult failed(ExecResult r) {
        String err = r.stderr().strip();
        int nl = err.indexOf('\n');
        return ToolResult.error("Error: " + Secrets.redact(nl < 0 ? err : err.substring(0, nl)));
    }

    private ToolResult status() {
        ExecResult filters = git(List.of("config", "--includes", "--get-regexp", "^filter\\..*\\.(clean|process)$"));
        if (filters.exitCode() == 0 && !filters.stdout().isBlank()) {
            String first = filters.stdout().strip().split("\\s+", 2)[0];
            return ToolResult.error("Error: the repository configures a clean filter (" + first + "), which git status "
                    + "would run; git_status refuses it. Use a shell if you trust this repository.");
        }
        ExecResult r = git(List.of("status", "--porcelain=v1", "--branch", "--untracked-files=normal"));
        if (r.exitCode() != 0) {
            return failed(r);
        }
        List<String> changed = new ArrayList<>();
        String branch = "(detached HEAD)";
        for (String line : r.stdout().split("\n")) {
            if (line.startsWith("## ")) {
                String b = line.substring(3);
                b = b.startsWith("No commits yet on ") ? b.substring("No commits yet on ".length()) : b;
                int dots = b.indexOf("...");
                b = dots >= 0 ? b.substring(0, dots) : b.split(" ", 2)[0];
                branch = b.equals("HEAD") ? "(detached HEAD)" : b;
            } else if (line.length() > 3) {
                changed.add("  " + line.substring(0, 2).replace(' ', '.') + " " + line.substring(3));
            }
        }
        StringBuilder out = new StringBuilder("On branch ").append(branch).append('\n');
        if (changed.isEmpty()) {
            return ToolResult.ok(out.append("Working tree clean.").toString());
        }
        out.append(changed.size()).append(" changed file(s) [XY = staged/worktree; M=modified A=added D=deleted "
                + "R=renamed ?=untracked .=unchanged]:\n");
        changed.stream().sorted(java.util.Comparator.comparing(s -> s.substring(5))).forEach(s -> out.append(s)
                .append('\n'));
        return ToolResult.ok(out.toString());
    }

    private ToolResult log(ToolArguments a) {
        long asked = a.value().get("limit").map(v -> v.asLong().orElse(0)).orElse(0L);
        long limit = asked <= 0 ? DEFAULT_LOG : Math.min(asked, MAX_LOG);
        List<String> args = new ArrayList<>(List.of("log", "-n", String.valueOf(limit), "--date=short",
                "--format=%H%x09%ad%x09%an%x09%s"));
        String path = a.value().get("path").flatMap(v -> v.asString()).orElse("");
        if (!path.isBlank()) {
            String problem = pathProblem(path);
            if (problem != null) {
                return ToolResult.error("Error: " + problem);
            }
            args.add("--");
            args.add(path);
        }
        ExecResult r = git(args);
        if (r.exitCode() != 0) {
            return r.stderr().contains("does not have any commits") ? ToolResult.ok("No commits found.") : failed(r);
        }
        StringBuilder out = new StringBuilder();
        for (String line : r.stdout().split("\n")) {
            String[] f = line.split("\t", 4);
            if (f.length == 4) {
                out.append(f[0], 0, Math.min(8, f[0].length())).append("  ").append(f[1]).append("  ").append(f[2])
                        .append("  ").append(f[3]).append('\n');
            }
        }
        return ToolResult.ok(out.length() == 0 ? "No commits found." : out.toString());
    }

    private ToolResult branches() {
        ExecResult r = git(List.of("branch", "--list", "--no-color", "--no-column"));
        if (r.exitCode() != 0) {
            return failed(r);
        }
        String out = r.stdout().strip();
        return ToolResult.ok(out.isEmpty() ? "No branches." : r.stdout());
    }

    /** The commit a revision names, or a tool error; the revision can never be read as an option. */
    private Object resolve(String rev) {
        String r = rev == null || rev.isBlank() ? "HEAD" : rev.strip();
        if (r.chars().anyMatch(ch -> ch < 0x20)) {
            return ToolResult.error("Error: a revision has no control characters");
        }
        ExecResult resolved = git(List.of("rev-parse", "--verify", "--quiet", "--end-of-options", r + "^{commit}"));
        if (resolved.exitCode() != 0) {
            return ToolResult.error("Error: resolving revision '" + Secrets.redact(r) + "': no such commit");
        }
        return resolved.stdout().strip();
    }

    private ToolResult show(ToolArguments a) {
        Object hash = resolve(a.value().get("ref").flatMap(v -> v.asString()).orElse(null));
        if (hash instanceof ToolResult error) {
            return error;
        }
        ExecResult meta = git(List.of("show", "--no-patch", "--no-ext-diff", "--no-textconv",
                "--format=commit %H%nAuthor: %an <%ae>%nDate:   %ad%n%n%B", "--date=format:%Y-%m-%d %H:%M:%S %z",
                (String) hash));
        if (meta.exitCode() != 0) {
            return failed(meta);
        }
        StringBuilder out = new StringBuilder(meta.stdout().stripTrailing()).append('\n');
        ExecResult stats = git(List.of("show", "--numstat", "--no-ext-diff", "--no-textconv", "--format=",
                (String) hash));
        if (stats.exitCode() == 0 && !stats.stdout().isBlank()) {
            out.append("\nChanged files:\n");
            for (String line : stats.stdout().strip().split("\n")) {
                String[] f = line.split("\t", 3);
                if (f.length == 3) {
                    out.append("  ").append(f[2]).append(" (+").append(f[0]).append(", -").append(f[1]).append(")\n");
                }
            }
        }
        return ToolResult.ok(out.toString());
    }

    private ToolResult blame(ToolArguments a) {
        String path = a.value().get("path").flatMap(v -> v.asString()).orElse("");
        if (path.isBlank()) {
            return ToolResult.error("Error: path is required.");
        }
        String problem = pathProblem(path);
        if (problem != null) {
            return ToolResult.error("Error: " + problem);
        }
        Object hash = resolve(a.value().get("rev").flatMap(v -> v.asString()).orElse(null));
        if (hash instanceof ToolResult error) {
            return error;
        }
        ExecResult r = git(List.of("blame", "--no-textconv", "--line-porcelain", (String) hash, "--", path));
        if (r.exitCode() != 0) {
            return failed(r);
        }
        StringBuilder out = new StringBuilder();
        String commit = "";
        String author = "";
        int line = 0;
        for (String l : r.stdout().split("\n")) {
            if (l.startsWith("\t")) {
                line++;
                if (line > MAX_BLAME_LINES) {
                    continue;
                }
                out.append(commit, 0, Math.min(8, commit.length())).append(' ')
                        .append(String.format("%-20s %4d| ", author, line)).append(l.substring(1)).append('\n');
            } else if (l.startsWith("author ")) {
                author = l.substring(7);
            } else if (l.matches("[0-9a-f]{40}( .*)?")) {
                commit = l.substring(0, 40);
            }
        }
        if (line > MAX_BLAME_LINES) {
            out.append("... (").append(line - MAX_BLAME_LINES).append(" more lines truncated)\n");
        }
        return ToolResult.ok(out.toString());
    }

    /** Why {@code path} is not a path inside the repository, or null. */
    static String pathProblem(String path) {
        if (path.chars().anyMatch(ch -> ch < 0x20)) {
            return "a path has no control characters";
        }
        Path p = Path.of(path);
        if (p.isAbsolute() || path.startsWith("~")) {
            return "'" + path + "' must be relative to the repository";
        }
        if (p.normalize().startsWith("..")) {
            return "'" + path + "' leads out of the repository";
        }
        return null;
    }

    @Override
    public String name() {
        return "git";
    }

    @Override
    public String instructions() {
        return "## Git\n\nRead-only access to the git repository of the working directory: git_status (branch and "
                + "changed files), git_log (recent commits; limit and path filters), git_branches (the current one "
                + "marked *), git_show (a commit's metadata, message and changed files), git_blame (line-by-line "
                + "authorship). These tools never change the repository; to stage, commit or check out, use a shell.";
    }

    @Override
    public List<Tool> tools() {
        return tools;
    }

    @Override
    public String toString() {
        return "GitToolset[" + dir + "]";
    }
}
