package dev.keel.agents.toolsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolArguments;
import dev.keel.agents.tool.ToolContext;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.json.JsonValue;
import dev.keel.core.exec.LocalCommandRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.OkHttpClient;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ToolsetsTest {
    @TempDir
    Path dir;
    private final ToolContext ctx = new ToolContext("a", "s", new ConcurrentHashMap<>());

    private static ToolResult call(Toolset set, String tool, String json) throws Exception {
        Tool t = set.tools().stream().filter(x -> x.spec().name().equals(tool)).findFirst().orElseThrow();
        return t.call(ToolArguments.parse(json), new ToolContext("a", "s", new ConcurrentHashMap<>()));
    }

    private ToolResult callIn(Toolset set, String tool, String json) throws Exception {
        Tool t = set.tools().stream().filter(x -> x.spec().name().equals(tool)).findFirst().orElseThrow();
        return t.call(ToolArguments.parse(json), ctx);
    }

    @Test
    void toolNamesMatchCagent() {
        assertThat(Toolsets.filesystem(dir).tools()).extracting(t -> t.spec().name()).containsExactly("read_file",
                "read_multiple_files", "write_file", "edit_file", "list_directory", "search_files", "search_files_content");
        assertThat(Toolsets.todo().tools()).extracting(t -> t.spec().name())
                .containsExactly("create_todo", "create_todos", "update_todo", "list_todos");
        assertThat(Toolsets.memory(dir.resolve("m.jsonl")).tools()).extracting(t -> t.spec().name())
                .containsExactly("add_memory", "get_memories", "search_memories", "delete_memory");
        assertThat(Toolsets.think().tools()).extracting(t -> t.spec().name()).containsExactly("think");
        assertThat(Toolsets.shell(dir).tools()).extracting(t -> t.spec().name()).containsExactly("shell");
        assertThat(Toolsets.filesystem(dir).tools()).filteredOn(Tool::readOnly).extracting(t -> t.spec().name())
                .doesNotContain("write_file", "edit_file");
    }

    @Test
    void filesystemWritesReadsEditsAndSearches() throws Exception {
        FilesystemToolset fs = Toolsets.filesystem(dir);
        assertThat(call(fs, "write_file", "{\"path\":\"src/a.txt\",\"content\":\"hello world\\nsecond line\"}").error()).isFalse();
        assertThat(call(fs, "read_file", "{\"path\":\"src/a.txt\"}").content()).isEqualTo("hello world\nsecond line");
        ToolResult edit = call(fs, "edit_file", "{\"path\":\"src/a.txt\",\"edits\":[{\"oldText\":\"world\",\"newText\":\"keel\"}]}");
        assertThat(edit.error()).isFalse();
        assertThat(Files.readString(dir.resolve("src/a.txt"))).isEqualTo("hello keel\nsecond line");
        ToolResult missing = call(fs, "edit_file", "{\"path\":\"src/a.txt\",\"edits\":[{\"oldText\":\"keel\",\"newText\":\"x\"},"
                + "{\"oldText\":\"absent\",\"newText\":\"y\"}]}");
        assertThat(missing.error()).isTrue();
        assertThat(missing.content()).contains("edit 2", "not found");
        assertThat(Files.readString(dir.resolve("src/a.txt"))).isEqualTo("hello keel\nsecond line");
        assertThat(call(fs, "list_directory", "{\"path\":\".\"}").content()).isEqualTo("DIR  src\n");
        Files.writeString(dir.resolve("src/b.md"), "notes about keel");
        assertThat(call(fs, "search_files", "{\"path\":\".\",\"pattern\":\"*.md\"}").content()).isEqualTo("1 files found:\nsrc/b.md");
        assertThat(call(fs, "search_files_content", "{\"path\":\"src\",\"query\":\"keel\"}").content())
                .contains("a.txt:1: hello keel", "b.md:1: notes about keel");
        assertThat(call(fs, "search_files_content", "{\"path\":\"src\",\"query\":\"sec.nd\",\"is_regex\":true}").content())
                .isEqualTo("src/a.txt:2: second line");
        assertThat(call(fs, "read_multiple_files", "{\"paths\":[\"src/b.md\",\"nope\"]}").content())
                .contains("notes about keel", "=== nope ===\nError:");
    }

    @Test
    void filesystemRefusesEscapes() throws Exception {
        Path root = Files.createDirectory(dir.resolve("root"));
        Path outside = Files.writeString(dir.resolve("secret.txt"), "top secret");
        Files.createSymbolicLink(root.resolve("link"), outside);
        Files.createSymbolicLink(root.resolve("dirlink"), dir);
        FilesystemToolset fs = Toolsets.filesystem(root);
        assertThatThrownBy(() -> call(fs, "read_file", "{\"path\":\"../secret.txt\"}"))
                .hasMessageContaining("'../secret.txt' is outside the allowed directory");
        assertThatThrownBy(() -> call(fs, "read_file", "{\"path\":\"" + outside + "\"}")).hasMessageContaining("outside");
        assertThatThrownBy(() -> call(fs, "read_file", "{\"path\":\"link\"}")).hasMessageContaining("symbolic link");
        assertThatThrownBy(() -> call(fs, "write_file", "{\"path\":\"dirlink/new.txt\",\"content\":\"x\"}"))
                .hasMessageContaining("symbolic link");
        assertThat(Files.exists(dir.resolve("new.txt"))).isFalse();
        assertThatThrownBy(() -> call(fs, "write_file", "{\"path\":\"a/../../x.txt\",\"content\":\"x\"}")).hasMessageContaining("outside");
        assertThat(call(fs, "search_files", "{\"path\":\".\",\"pattern\":\"*secret*\"}").content()).isEqualTo("No files found");
    }

    @Test
    void shellRunsThroughCommandRunnerWithTimeoutAndCap() throws Exception {
        ShellToolset shell = ShellToolset.builder(LocalCommandRunner.in(dir)).timeout(Duration.ofMillis(500)).outputLimit(10)
                .env(Map.of("GREETING", "hi")).build();
        assertThat(call(shell, "shell", "{\"cmd\":\"echo $GREETING\"}")).isEqualTo(ToolResult.ok("hi\n"));
        ToolResult failed = call(shell, "shell", "{\"cmd\":\"echo oops >&2; exit 3\"}");
        assertThat(failed.error()).isTrue();
        assertThat(failed.content()).contains("exit code 3", "oops");
        ToolResult slow = call(shell, "shell", "{\"cmd\":\"sleep 5\"}");
        assertThat(slow.error()).isTrue();
        assertThat(slow.content()).contains("timed out");
        assertThat(call(shell, "shell", "{\"cmd\":\"seq 1 1000\"}").content()).startsWith("1\n2\n3\n4\n5").contains("[output truncated]");
        assertThat(call(Toolsets.shell(LocalCommandRunner.create()), "shell", "{\"cmd\":\"pwd\",\"cwd\":\"" + dir + "\"}").content().strip())
                .isEqualTo(dir.toRealPath().toString());
    }

    @Test
    void scriptCommandsBecomeToolsWithArgumentsAsEnvironment() throws Exception {
        ScriptToolset scripts = Toolsets.script(LocalCommandRunner.in(dir), Map.of("greet",
                ScriptToolset.Script.of("echo \"hello $who\"", "Greets someone").withArgs(Map.of("who", "Whom to greet"))));
        assertThat(scripts.tools()).singleElement().satisfies(t -> {
            assertThat(t.spec().name()).isEqualTo("greet");
            assertThat(t.spec().parameters().toJson().at("/required/0").flatMap(JsonValue::asString)).contains("who");
        });
        assertThat(call(scripts, "greet", "{\"who\":\"$(rm -rf /); world\"}").content()).isEqualTo("hello $(rm -rf /); world\n");
    }

    @Test
    void todosLiveInSessionState() throws Exception {
        TodoToolset todo = Toolsets.todo();
        assertThat(callIn(todo, "create_todos", "{\"descriptions\":[\"design\",\"build\"]}").content()).contains("todo_1", "todo_2");
        assertThat(callIn(todo, "update_todo", "{\"id\":\"todo_2\",\"status\":\"completed\"}").error()).isFalse();
        assertThat(callIn(todo, "update_todo", "{\"id\":\"todo_9\",\"status\":\"completed\"}").error()).isTrue();
        assertThat(callIn(todo, "update_todo", "{\"id\":\"todo_1\",\"status\":\"done\"}").error()).isTrue();
        assertThat(callIn(todo, "list_todos", "{}").content())
                .contains("[todo_1] design (Status: pending)", "[todo_2] build (Status: completed)");
        assertThat(ctx.state().get(TodoToolset.STATE_KEY).asArray().orElseThrow().size()).isEqualTo(2);
    }

    @Test
    void memoryPersistsAcrossInstances() throws Exception {
        Path file = dir.resolve("mem/memories.jsonl");
        assertThat(call(Toolsets.memory(file), "add_memory", "{\"memory\":\"User prefers Kotlin\"}").content()).contains("id 1");
        call(Toolsets.memory(file), "add_memory", "{\"memory\":\"Deploys on Fridays are forbidden\"}");
        MemoryToolset again = Toolsets.memory(file);
        assertThat(call(again, "search_memories", "{\"query\":\"kotlin user\"}").content()).isEqualTo("[1] User prefers Kotlin\n");
        assertThat(call(again, "delete_memory", "{\"id\":\"1\"}").error()).isFalse();
        assertThat(call(again, "delete_memory", "{\"id\":\"1\"}").error()).isTrue();
        assertThat(call(Toolsets.memory(file), "get_memories", "{}").content()).isEqualTo("[2] Deploys on Fridays are forbidden\n");
        assertThat(Files.readAllLines(file)).hasSize(1);
    }

    @Test
    void fetchHonoursTheHostAllowlist() throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            server.enqueue(new MockResponse.Builder().body("x".repeat(100)).build());
            server.start();
            OkHttpClient client = new OkHttpClient();
            FetchToolset fetch = FetchToolset.builder(client).allowedHosts(List.of("127.0.0.*", "localhost"))
                    .allowPrivateAddresses(true).timeout(Duration.ofSeconds(5)).maxBytes(10).build();
            String url = server.url("/page").toString().replace("localhost", "127.0.0.1");
            ToolResult ok = call(fetch, "fetch", "{\"urls\":[\"" + url + "\"]}");
            assertThat(ok.content()).contains("HTTP 200", "xxxxxxxxxx\n[truncated at 10 bytes]");
            assertThat(server.takeRequest().getTarget()).isEqualTo("/page");
            FetchToolset strict = FetchToolset.builder(client).allowedHosts(List.of("*.example.com"))
                    .allowPrivateAddresses(true).timeout(Duration.ofSeconds(5)).maxBytes(10).build();
            ToolResult refused = call(strict, "fetch", "{\"urls\":[\"" + url + "\"]}");
            assertThat(refused.error()).isTrue();
            assertThat(refused.content()).contains("not in the allowed hosts");
            assertThat(server.getRequestCount()).isEqualTo(1);
            assertThat(strict.allows("api.example.com")).isTrue();
            assertThat(strict.allows("example.com.evil.org")).isFalse();
        }
    }

    @Test
    void thinkEchoes() throws Exception {
        assertThat(call(Toolsets.think(), "think", "{\"thought\":\"plan first\"}")).isEqualTo(ToolResult.ok("Thought: plan first"));
    }
}
