package dev.keel.agents.toolsets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolArguments;
import dev.keel.agents.tool.ToolContext;
import dev.keel.agents.tool.ToolResult;
import dev.keel.core.exec.LocalCommandRunner;
import dev.keel.core.json.JsonValue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on the filesystem toolset's allow and deny lists: {@code ..}, absolute paths, symbolic links to a
 * file or a folder, a new file written through a linked folder, and searches and listings that would show what
 * a denied folder holds. Every refusal happens before the file is touched.
 */
class FilesystemAccessTest {
    @TempDir
    Path tmp;
    private Path work;
    private Path other;
    private Path secrets;

    @BeforeEach
    void layout() throws Exception {
        work = Files.createDirectories(tmp.resolve("work"));
        other = Files.createDirectories(tmp.resolve("other"));
        secrets = Files.createDirectories(work.resolve("secrets"));
        Files.writeString(secrets.resolve("key"), "TOPSECRET");
        Files.writeString(work.resolve("notes.txt"), "hello");
        Files.writeString(other.resolve("shared.txt"), "shared");
        Files.writeString(tmp.resolve("outside.txt"), "TOPSECRET outside");
    }

    private static ToolResult call(FilesystemToolset fs, String tool, String json) throws Exception {
        Tool t = fs.tools().stream().filter(x -> x.spec().name().equals(tool)).findFirst().orElseThrow();
        try {
            return t.call(ToolArguments.parse(json), new ToolContext("a", "s", new ConcurrentHashMap<>()));
        } catch (IllegalArgumentException e) {
            return ToolResult.error(e.getMessage()); // what the runner makes of a thrown refusal
        }
    }

    private static String path(String p) {
        return "{\"path\":" + JsonValue.of(p).toJson() + "}";
    }

    @Test
    void deniedFolderCannotBeReachedByAnySpelling() throws Exception {
        Files.createSymbolicLink(work.resolve("innocent"), secrets.resolve("key"));
        Files.createSymbolicLink(work.resolve("docs"), secrets);
        FilesystemToolset fs = FilesystemToolset.builder(work).denied(List.of(Path.of("secrets"))).build();
        for (String p : List.of("secrets/key", "./secrets/key", "notes/../secrets/key", secrets.resolve("key").toString(),
                "innocent", "docs/key", "SECRETS/../secrets/key")) {
            ToolResult r = call(fs, "read_file", path(p));
            assertThat(r.error()).as(p).isTrue();
            assertThat(r.content()).as(p).doesNotContain("TOPSECRET").contains("denied directory");
        }
        ToolResult write = call(fs, "write_file", "{\"path\":\"docs/planted\",\"content\":\"x\"}");
        assertThat(write.error()).isTrue();
        assertThat(secrets.resolve("planted")).doesNotExist();
        assertThat(call(fs, "search_files_content", "{\"path\":\".\",\"query\":\"TOPSECRET\"}").content())
                .isEqualTo("No matches found");
        assertThat(call(fs, "search_files", "{\"path\":\".\",\"pattern\":\"key\"}").content()).isEqualTo("No files found");
        assertThat(call(fs, "list_directory", path(".")).content()).contains("notes.txt").doesNotContain("secrets");
        assertThat(call(fs, "read_file", path("notes.txt")).content()).isEqualTo("hello");
    }

    @Test
    void allowListWidensToNamedFoldersOnlyAndLinksCannotLeaveThem() throws Exception {
        Files.createSymbolicLink(work.resolve("escape"), tmp.resolve("outside.txt"));
        Files.createSymbolicLink(other.resolve("up"), tmp);
        FilesystemToolset fs = FilesystemToolset.builder(work).allowed(List.of(Path.of("."), other)).build();
        assertThat(call(fs, "read_file", path(other.resolve("shared.txt").toString())).content()).isEqualTo("shared");
        assertThat(call(fs, "read_file", path("../other/shared.txt")).content()).isEqualTo("shared");
        for (String p : List.of("../outside.txt", tmp.resolve("outside.txt").toString(), "escape",
                other.resolve("up/outside.txt").toString(), "../other/../outside.txt")) {
            ToolResult r = call(fs, "read_file", path(p));
            assertThat(r.error()).as(p).isTrue();
            assertThat(r.content()).as(p).doesNotContain("TOPSECRET").contains("outside the allowed directories");
        }
        ToolResult planted = call(fs, "write_file", "{\"path\":\"" + other.resolve("up/planted.txt") + "\",\"content\":\"x\"}");
        assertThat(planted.error()).isTrue();
        assertThat(tmp.resolve("planted.txt")).doesNotExist();
    }

    @Test
    void denyWinsOverAllowAndDefaultStaysInTheWorkingDirectory() throws Exception {
        FilesystemToolset fs = FilesystemToolset.builder(work).allowed(List.of(tmp)).denied(List.of(work.resolve("secrets")))
                .build();
        assertThat(call(fs, "read_file", path("../outside.txt")).content()).isEqualTo("TOPSECRET outside");
        assertThat(call(fs, "read_file", path("secrets/key")).error()).isTrue();
        FilesystemToolset plain = Toolsets.filesystem(work);
        assertThat(call(plain, "read_file", path("../outside.txt")).content()).contains("outside the allowed directory");
    }

    @Test
    void postEditCommandsRunOnMatchingFilesAndReportFailures() throws Exception {
        FilesystemToolset fs = FilesystemToolset.builder(work).postEdit(List.of(
                new FilesystemToolset.PostEdit("*.txt", "echo formatted >> ${file}"),
                new FilesystemToolset.PostEdit("src/*.md", "exit 3")), LocalCommandRunner.in(work)).build();
        assertThat(call(fs, "write_file", "{\"path\":\"it's.txt\",\"content\":\"a\\n\"}").error()).isFalse();
        assertThat(Files.readString(work.resolve("it's.txt"))).isEqualTo("a\nformatted\n");
        ToolResult md = call(fs, "write_file", "{\"path\":\"src/x.md\",\"content\":\"# x\"}");
        assertThat(md.error()).isFalse();
        assertThat(md.content()).contains("post-edit command 'exit 3' failed with exit code 3");
        assertThat(Files.readString(work.resolve("src/x.md"))).isEqualTo("# x");
        assertThat(call(fs, "write_file", "{\"path\":\"y.json\",\"content\":\"{}\"}").content()).doesNotContain("post-edit");
        ToolResult edit = call(fs, "edit_file", "{\"path\":\"notes.txt\",\"edits\":[{\"oldText\":\"hello\",\"newText\":\"bye\"}]}");
        assertThat(edit.error()).isFalse();
        assertThat(Files.readString(work.resolve("notes.txt"))).isEqualTo("byeformatted\n");
    }

    @Test
    void vcsFilesAreSkippedWhenAsked() throws Exception {
        Files.createDirectories(work.resolve(".git"));
        Files.writeString(work.resolve(".git/config"), "needle");
        Files.writeString(work.resolve(".gitignore"), "# build output\nbuild/\n*.log\n");
        Files.createDirectories(work.resolve("build"));
        Files.writeString(work.resolve("build/out.txt"), "needle");
        Files.writeString(work.resolve("app.log"), "needle");
        Files.writeString(work.resolve("src.txt"), "needle");
        FilesystemToolset ignoring = FilesystemToolset.builder(work).ignoreVcs(true).build();
        assertThat(call(ignoring, "search_files_content", "{\"path\":\".\",\"query\":\"needle\"}").content())
                .isEqualTo("src.txt:1: needle");
        assertThat(call(ignoring, "list_directory", path(".")).content()).doesNotContain(".git\n", "build", "app.log")
                .contains("src.txt", ".gitignore");
        FilesystemToolset showing = FilesystemToolset.builder(work).build();
        assertThat(call(showing, "search_files_content", "{\"path\":\".\",\"query\":\"needle\"}").content().lines())
                .hasSize(4);
    }
}
