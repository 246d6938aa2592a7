package dev.keel.agents.team;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.Runner;
import dev.keel.agents.internal.lsp.LanguageServers;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A team file's {@code lsp} toolset, run as docker-agent runs it: the real typescript-language-server started over
 * stdio in the team's working directory; a scripted model (over real HTTP) calls an {@code lsp_*} tool and gets the
 * server's answer; the {@code tools} filter keeps docker-agent's tool names; closing the runner stops the server.
 */
class TeamLspTest {
    @TempDir
    Path dir;
    private ScriptedModelServer llm;

    @BeforeEach
    void start() throws Exception {
        llm = ScriptedModelServer.start();
        Files.writeString(dir.resolve("tsconfig.json"), "{\"compilerOptions\": {\"strict\": true}}\n");
        Files.writeString(dir.resolve("math.ts"), "export function add(a: number, b: number): number {\n"
                + "  return a + b;\n}\n");
        Files.writeString(dir.resolve("bad.ts"), "import { add } from \"./math\";\nexport const n: number = add(1, \"two\");\n");
    }

    @AfterEach
    void stop() {
        llm.close();
    }

    private Team load(String extra) {
        List<String> cmd = LanguageServers.typescript();
        return TeamFiles.parse(dir, """
                agents:
                  root:
                    model: openai/main-model
                    instruction: Check the code.
                    toolsets:
                      - type: lsp
                        command: %s
                        args: ["%s", "%s"]
                        file_types: [".ts"]
                %s
                """.formatted(cmd.get(0), cmd.get(1), cmd.get(2), extra.indent(8).stripTrailing()));
    }

    /** The typescript-language-server processes this JVM started. */
    private static List<ProcessHandle> servers() {
        return ProcessHandle.current().descendants().filter(p -> p.info().commandLine()
                .map(c -> c.contains("typescript-language-server")).orElse(false)).toList();
    }

    @Test
    void aScriptedModelGetsTheServersDiagnostics() {
        Team team = load("tools: [lsp_diagnostics, lsp_definition]\nlifecycle:\n  call_timeout: 120s\n  startup_timeout: 120s");
        assertThat(team.warnings()).isEmpty();
        llm.respond(ScriptedReply.toolCall("lsp_definition", Map.of("file", "bad.ts", "line", 2, "character", 26)))
                .respond(ScriptedReply.toolCall("lsp_diagnostics", Map.of("file", "bad.ts")))
                .respond(ScriptedReply.text("There is a type error."));
        try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
            runner.run("check bad.ts");
            assertThat(servers()).hasSize(1);
        }
        assertThat(llm.requests().get(0).toolNames()).containsExactlyInAnyOrder("lsp_diagnostics", "lsp_definition");
        assertThat(llm.requests().get(0).systemPrompt()).contains("lsp_diagnostics");
        String diagnostics = ((ToolResultMessage) llm.requests().get(2).lastMessage()).content();
        assertThat(diagnostics).contains("bad.ts:2:33: error [2345]")
                .contains("Argument of type 'string' is not assignable to parameter of type 'number'");
        String definition = ((ToolResultMessage) llm.requests().get(1).lastMessage()).content();
        assertThat(definition).contains("math.ts:1:17: export function add(a: number, b: number): number {");
        assertThat(servers()).as("closing the runner stops the language server").isEmpty();
    }

    @Test
    void aFileOutsideTheWorkingDirectoryIsAToolErrorForTheModel(@TempDir Path other) throws Exception {
        Files.writeString(other.resolve("x.ts"), "export const x = 1;\n");
        Team team = load("");
        llm.respond(ScriptedReply.toolCall("lsp_hover", Map.of("file", other.resolve("x.ts").toString(), "line", 1,
                "character", 14))).respond(ScriptedReply.text("cannot"));
        try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
            runner.run("hover");
        }
        ToolResultMessage result = (ToolResultMessage) llm.requests().get(1).lastMessage();
        assertThat(result.content()).contains("outside the working directory");
        assertThat(servers()).isEmpty();
    }

    @Test
    void aMissingCommandIsALocatedErrorAndAPinnedOneIsCheckedAtStart() {
        assertThatThrownBy(() -> TeamFiles.parse(dir, """
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: lsp
                        file_types: [".go"]
                """)).isInstanceOf(TeamFileException.class).hasMessageContaining("toolsets[0].command");
        Team pinned = TeamFiles.parse(dir, """
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: lsp
                        command: keel-no-such-language-server
                        version: golang/tools@v0.30.0
                """);
        assertThat(pinned.warnings()).isEmpty();
        assertThatThrownBy(() -> pinned.root().toolsets().get(0).tools())
                .hasMessageContaining("keel-no-such-language-server").hasMessageContaining("golang/tools@v0.30.0");
    }

    @Test
    void everyDockerAgentLspToolIsOfferedAndAReadOnlyToolsetLeavesOutTheWritingOnes() {
        Team team = TeamFiles.parse(dir, """
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: lsp
                        command: keel-no-such-language-server
                        tools: [lsp_hover, lsp_rename, lsp_format, lsp_code_actions, lsp_call_hierarchy,
                                lsp_type_hierarchy, lsp_inlay_hints]
                      - type: lsp
                        command: keel-no-such-language-server
                        readonly: true
                """);
        assertThat(team.warnings()).isEmpty();
        assertThat(team.root().toolsets().get(0).tools()).extracting(t -> t.spec().name()).containsExactly("lsp_hover",
                "lsp_rename", "lsp_code_actions", "lsp_format", "lsp_call_hierarchy", "lsp_type_hierarchy",
                "lsp_inlay_hints");
        assertThat(team.root().toolsets().get(0).tools()).filteredOn(t -> !t.readOnly())
                .extracting(t -> t.spec().name()).containsExactly("lsp_rename", "lsp_format");
        assertThat(team.root().toolsets().get(1).tools()).extracting(t -> t.spec().name()).hasSize(13)
                .doesNotContain("lsp_rename", "lsp_format");
    }

    /** A scripted model renames a symbol through the real server: both files change on disk. */
    @Test
    void aScriptedModelRenamesASymbolAcrossFiles() throws Exception {
        Team team = load("lifecycle:\n  call_timeout: 120s\n  startup_timeout: 120s");
        llm.respond(ScriptedReply.toolCall("lsp_references", Map.of("file", "math.ts", "line", 1, "character", 17)))
                .respond(ScriptedReply.toolCall("lsp_rename", Map.of("file", "math.ts", "line", 1, "character", 17,
                        "new_name", "plus")))
                .respond(ScriptedReply.text("Renamed."));
        try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
            runner.run("rename add to plus");
        }
        String renamed = ((ToolResultMessage) llm.requests().get(2).lastMessage()).content();
        assertThat(renamed).contains("to 'plus'", "- math.ts (1 edit)", "- bad.ts (2 edits)");
        assertThat(Files.readString(dir.resolve("math.ts"))).startsWith("export function plus(a: number");
        assertThat(Files.readString(dir.resolve("bad.ts"))).isEqualTo(
                "import { plus } from \"./math\";\nexport const n: number = plus(1, \"two\");\n");
        assertThat(servers()).isEmpty();
    }

    /** Without approval a rename is refused before it reaches the server; a read-only lsp tool runs unasked. */
    @Test
    void aRenameNeedsApprovalAndTheDefaultDenialWritesNothing() throws Exception {
        Team team = load("lifecycle:\n  call_timeout: 120s\n  startup_timeout: 120s");
        String before = Files.readString(dir.resolve("math.ts"));
        llm.respond(ScriptedReply.toolCall("lsp_rename", Map.of("file", "math.ts", "line", 1, "character", 17,
                        "new_name", "plus")))
                .respond(ScriptedReply.toolCall("lsp_hover", Map.of("file", "math.ts", "line", 1, "character", 17)))
                .respond(ScriptedReply.text("Not allowed."));
        try (Runner runner = team.runner().models(llm.models()).build()) {
            runner.run("rename add to plus");
        }
        String denied = ((ToolResultMessage) llm.requests().get(1).lastMessage()).content();
        assertThat(denied).contains("lsp_rename").doesNotContain("Renamed");
        String hover = ((ToolResultMessage) llm.requests().get(2).lastMessage()).content();
        assertThat(hover).contains("add(a: number, b: number): number");
        assertThat(Files.readString(dir.resolve("math.ts"))).isEqualTo(before);
    }

    @Test
    void aServerThatCannotStartIsAToolErrorNamingIt() {
        Team team = TeamFiles.parse(dir, """
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: lsp
                        command: keel-no-such-language-server
                """);
        llm.respond(ScriptedReply.toolCall("lsp_workspace", Map.of())).respond(ScriptedReply.text("no server"));
        try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
            runner.run("what is here?");
        }
        ToolResultMessage result = (ToolResultMessage) llm.requests().get(1).lastMessage();
        assertThat(result.content()).contains("cannot start the language server 'keel-no-such-language-server'");
    }
}
