package dev.keel.agents.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolArguments;
import dev.keel.agents.tool.ToolResult;
import dev.keel.core.exec.Command;
import dev.keel.core.exec.ExecResult;
import dev.keel.core.exec.LocalCommandRunner;
import dev.keel.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker-agent's git tools against a real repository made with the git CLI, and the attacks a hostile repository or
 * a hostile model would try: options smuggled in as revisions, paths out of the repository, pathspec magic, and
 * repository configuration that makes git run commands (file-system monitor, clean filters, hooks).
 */
class GitToolsetTest {
    @TempDir
    Path repo;
    private final LocalCommandRunner host = LocalCommandRunner.create();
    private GitToolset git;

    private void sh(String script) {
        ExecResult r = host.run(Command.shell(script).withCwd(repo.toString()).withEnv(Map.of(
                "PATH", System.getenv("PATH"), "GIT_CONFIG_NOSYSTEM", "1", "GIT_CONFIG_GLOBAL", "/dev/null",
                "GIT_AUTHOR_DATE", "2026-11-02T10:00:00Z", "GIT_COMMITTER_DATE", "2026-11-02T10:00:00Z")));
        assertThat(r.exitCode()).as(script + ": " + r.stderr()).isZero();
    }

    @BeforeEach
    void repository() throws Exception {
        sh("git init -q -b main && git config user.name 'Ada Lovelace' && git config user.email ada@example.com");
        Files.writeString(repo.resolve("engine.txt"), "first line\nsecond line\n");
        sh("git add engine.txt && git commit -q -m 'Add the engine'");
        Files.writeString(repo.resolve("notes.md"), "# Notes\n");
        sh("git add notes.md && git config user.name 'Charles Babbage' && git commit -q -m 'Add notes'"
                + " && git branch feature");
        git = new GitToolset(host, repo);
    }

    private ToolResult call(String tool, String json) throws Exception {
        Tool t = git.tools().stream().filter(x -> x.spec().name().equals(tool)).findFirst().orElseThrow();
        return t.call(ToolArguments.of(JsonObject.parse(json)), null);
    }

    @Test
    void theFiveToolsAreReadOnlyAndAnswerLikeDockerAgents() throws Exception {
        assertThat(git.tools()).extracting(t -> t.spec().name())
                .containsExactly("git_status", "git_log", "git_branches", "git_show", "git_blame");
        assertThat(git.tools()).allMatch(Tool::readOnly);

        assertThat(call("git_status", "{}").content()).isEqualTo("On branch main\nWorking tree clean.");
        Files.writeString(repo.resolve("engine.txt"), "first line\nchanged\n");
        Files.writeString(repo.resolve("draft.txt"), "new\n");
        assertThat(call("git_status", "{}").content()).startsWith("On branch main\n2 changed file(s)")
                .contains("  ?? draft.txt").contains("  .M engine.txt");

        String log = call("git_log", "{}").content();
        assertThat(log.lines()).hasSize(2);
        assertThat(log.lines().findFirst().orElseThrow()).matches("[0-9a-f]{8}  2026-11-02  Charles Babbage  Add notes");
        assertThat(call("git_log", "{\"limit\": 1}").content().lines()).hasSize(1);
        assertThat(call("git_log", "{\"path\": \"engine.txt\"}").content()).contains("Add the engine")
                .doesNotContain("Add notes");

        assertThat(call("git_branches", "{}").content()).isEqualTo("  feature\n* main\n");

        String show = call("git_show", "{\"ref\": \"HEAD~1\"}").content();
        assertThat(show).startsWith("commit ").contains("Author: Ada Lovelace <ada@example.com>")
                .contains("Add the engine").contains("Changed files:\n  engine.txt (+2, -0)");

        String blame = call("git_blame", "{\"path\": \"engine.txt\"}").content();
        assertThat(blame.lines()).hasSize(2).allMatch(l -> l.contains("Ada Lovelace"));
        assertThat(blame).contains("   1| first line").contains("   2| second line");
    }

    @Test
    void anOptionDisguisedAsARevisionIsARevisionThatDoesNotExist() throws Exception {
        Path written = repo.resolve("pwned.txt");
        for (String ref : List.of("--output=" + written, "-p", "--exec=touch pwned.txt", "HEAD --output=x")) {
            ToolResult r = call("git_show", "{\"ref\": " + JsonObject.of(Map.of("r", ref)).get("r").orElseThrow()
                    .toJson() + "}");
            assertThat(r.error()).as(ref).isTrue();
            assertThat(r.content()).as(ref).contains("no such commit");
            assertThat(call("git_blame", "{\"path\": \"engine.txt\", \"rev\": "
                    + JsonObject.of(Map.of("r", ref)).get("r").orElseThrow().toJson() + "}").error()).isTrue();
        }
        assertThat(written).doesNotExist();
        assertThat(repo.resolve("x")).doesNotExist();
    }

    @Test
    void pathsStayInsideTheRepositoryAndAreLiteral() throws Exception {
        for (String path : List.of("../outside.txt", "/etc/passwd", "~/.ssh/id_rsa", "notes/../../x")) {
            ToolResult r = call("git_blame", "{\"path\": \"" + path + "\"}");
            assertThat(r.error()).as(path).isTrue();
            assertThat(call("git_log", "{\"path\": \"" + path + "\"}").error()).as(path).isTrue();
        }
        // pathspec magic is taken literally: ':(top)*' names no file, so no commit matches
        assertThat(call("git_log", "{\"path\": \":(glob)**\"}").content()).isEqualTo("No commits found.");
    }

    @Test
    void aHostileRepositoryCannotMakeTheToolsRunItsCommands() throws Exception {
        Path monitor = repo.resolve("monitor-ran");
        Path filter = repo.resolve("filter-ran");
        Path hook = repo.resolve("hook-ran");
        sh("git config core.fsmonitor 'touch " + monitor + "'"
                + " && mkdir -p .git/hooks && printf '#!/bin/sh\\ntouch " + hook + "\\n' > .git/hooks/post-checkout"
                + " && chmod +x .git/hooks/post-checkout");
        Files.writeString(repo.resolve("engine.txt"), "changed\n");
        assertThat(call("git_status", "{}").content()).contains(" engine.txt");
        assertThat(call("git_log", "{}").error()).isFalse();
        assertThat(call("git_show", "{}").error()).isFalse();
        assertThat(monitor).doesNotExist();
        assertThat(hook).doesNotExist();

        sh("git config filter.evil.clean 'touch " + filter + "; cat' && echo '*.txt filter=evil' > .gitattributes");
        ToolResult status = call("git_status", "{}");
        assertThat(status.error()).isTrue();
        assertThat(status.content()).contains("clean filter (filter.evil.clean)");
        assertThat(call("git_blame", "{\"path\": \"engine.txt\"}").error()).isFalse(); // committed content only
        assertThat(filter).doesNotExist();
    }

    @Test
    void outsideARepositoryEachToolSaysSo(@TempDir Path empty) throws Exception {
        git = new GitToolset(host, empty);
        for (String tool : List.of("git_status", "git_log", "git_branches", "git_show")) {
            ToolResult r = call(tool, "{}");
            assertThat(r.error()).as(tool).isTrue();
        }
        assertThat(call("git_status", "{}").content()).containsIgnoringCase("not a git repository");
    }
}
