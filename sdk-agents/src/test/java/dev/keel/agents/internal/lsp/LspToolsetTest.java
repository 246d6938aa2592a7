package dev.keel.agents.internal.lsp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.agents.mcp.McpRestartPolicy;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolArguments;
import dev.keel.agents.tool.ToolContext;
import dev.keel.agents.tool.ToolResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lsp toolset against a real typescript-language-server over stdio, on a small project in a temporary folder. */
class LspToolsetTest {
    @TempDir
    Path dir;
    private LspToolset lsp;

    @BeforeEach
    void project() throws Exception {
        LanguageServers.typescriptProject(dir);
        Files.writeString(dir.resolve("src/main.ts"), """
                import { add } from "./math";

                const total: number = add(1, 2);
                const again = add(total, 3);
                console.log(again);
                """);
        lsp = toolset(McpRestartPolicy.resilient(), List.of(".ts"));
    }

    private LspToolset toolset(McpRestartPolicy restart, List<String> fileTypes) {
        List<String> cmd = LanguageServers.typescript();
        return LspToolset.of(new LspToolset.Config("lsp:typescript", cmd.get(0), cmd.subList(1, cmd.size()), Map.of(),
                dir, fileTypes, Duration.ofSeconds(120), Duration.ofSeconds(120), restart));
    }

    @AfterEach
    void close() {
        lsp.close();
    }

    private ToolResult eventually(String tool, String json, String expected) throws Exception {
        return LanguageServers.eventually(lsp, tool, json, expected);
    }

    private ToolResult call(String tool, String json) throws Exception {
        return LanguageServers.call(lsp, tool, json);
    }

    @Test
    void offersDockerAgentsToolNamesTheReadingOnesReadOnly() {
        assertThat(lsp.tools()).extracting(t -> t.spec().name()).containsExactly("lsp_workspace", "lsp_hover",
                "lsp_definition", "lsp_references", "lsp_implementations", "lsp_signature_help",
                "lsp_document_symbols", "lsp_workspace_symbols", "lsp_diagnostics", "lsp_rename", "lsp_code_actions",
                "lsp_format", "lsp_call_hierarchy", "lsp_type_hierarchy", "lsp_inlay_hints");
        assertThat(lsp.tools()).filteredOn(t -> !t.spec().name().equals("lsp_rename")
                && !t.spec().name().equals("lsp_format")).allMatch(Tool::readOnly);
        assertThat(lsp.serverPid()).as("nothing starts before a call").isEmpty();
    }

    @Test
    void diagnosticsReportATypeErrorAndFollowTheFileOnDisk() throws Exception {
        Files.writeString(dir.resolve("src/bad.ts"), """
                import { add } from "./math";
                export const n: number = add(1, "two");
                """);
        ToolResult bad = eventually("lsp_diagnostics", "{\"file\":\"src/bad.ts\"}", "error");
        assertThat(bad.error()).as(bad.content()).isFalse();
        assertThat(bad.content()).contains("src/bad.ts:2:33: error [2345]")
                .contains("Argument of type 'string' is not assignable to parameter of type 'number'");

        Files.writeString(dir.resolve("src/bad.ts"), """
                import { add } from "./math";
                export const n: number = add(1, 2);
                """);
        ToolResult fixed = eventually("lsp_diagnostics", "{\"file\":\"" + dir.resolve("src/bad.ts") + "\"}",
                "No diagnostics");
        assertThat(fixed.content()).isEqualTo("No diagnostics for src/bad.ts");
    }

    @Test
    void hoverDefinitionAndReferences() throws Exception {
        ToolResult hover = eventually("lsp_hover", "{\"file\":\"src/main.ts\",\"line\":3,\"character\":23}",
                "number");
        assertThat(hover.content()).contains("add(a: number, b: number): number").contains("Adds two numbers.");

        ToolResult definition = call("lsp_definition", "{\"file\":\"src/main.ts\",\"line\":3,\"character\":23}");
        assertThat(definition.content()).contains("1 location").contains(
                "src/math.ts:2:17: export function add(a: number, b: number): number {");

        ToolResult references = call("lsp_references", "{\"file\":\"src/math.ts\",\"line\":2,\"character\":17}");
        assertThat(references.content()).contains("4 locations").contains("src/math.ts:2:17")
                .contains("src/main.ts:1:10").contains("src/main.ts:3:23").contains("src/main.ts:4:15");
        ToolResult withoutDeclaration = call("lsp_references",
                "{\"file\":\"src/math.ts\",\"line\":2,\"character\":17,\"include_declaration\":false}");
        assertThat(withoutDeclaration.content()).startsWith("3 locations").doesNotContain("\nsrc/math.ts:2:17");
    }

    @Test
    void symbolsAndWorkspace() throws Exception {
        assertThat(call("lsp_document_symbols", "{\"file\":\"src/main.ts\"}").content())
                .contains("constant total 3:7").contains("constant again 4:7");
        call("lsp_diagnostics", "{\"file\":\"src/math.ts\"}");
        assertThat(eventually("lsp_workspace_symbols", "{\"query\":\"add\"}", "math.ts").content())
                .contains("function add").contains("src/math.ts:2:1");
        assertThat(call("lsp_workspace", "{}").content()).contains("typescript-language-server").contains("lsp_hover")
                .contains("File types: .ts");
    }

    @Test
    void pathsOutsideTheWorkingDirectoryAreRefused(@TempDir Path elsewhere) throws Exception {
        Files.writeString(elsewhere.resolve("secret.ts"), "export const key = 1;\n");
        for (String path : List.of("../" + elsewhere.getFileName() + "/secret.ts", elsewhere.resolve("secret.ts").toString(),
                "src/../../secret.ts")) {
            ToolResult r = call("lsp_diagnostics", "{\"file\":\"" + path + "\"}");
            assertThat(r.error()).as(path).isTrue();
            assertThat(r.content()).contains("outside the working directory");
        }
        Files.createSymbolicLink(dir.resolve("src/link.ts"), elsewhere.resolve("secret.ts"));
        ToolResult link = call("lsp_hover", "{\"file\":\"src/link.ts\",\"line\":1,\"character\":14}");
        assertThat(link.error()).isTrue();
        assertThat(link.content()).contains("through a symbolic link");
        assertThat(lsp.serverPid()).as("a refused path starts no server").isEmpty();
    }

    @Test
    void fileTypesAndBadPositionsAreToolErrors() throws Exception {
        Files.writeString(dir.resolve("notes.md"), "# notes\n");
        ToolResult wrongType = call("lsp_diagnostics", "{\"file\":\"notes.md\"}");
        assertThat(wrongType.error()).isTrue();
        assertThat(wrongType.content()).contains("handles .ts files");
        ToolResult zero = call("lsp_hover", "{\"file\":\"src/main.ts\",\"line\":0,\"character\":1}");
        assertThat(zero.error()).isTrue();
        assertThat(zero.content()).contains("'line' is 1-based");
        ToolResult missing = call("lsp_hover", "{\"file\":\"src/none.ts\",\"line\":1,\"character\":1}");
        assertThat(missing.error()).isTrue();
        assertThat(missing.content()).contains("no such file");
    }

    @Test
    void aServerKilledMidSessionIsAToolErrorThenRestarts() throws Exception {
        assertThat(call("lsp_hover", "{\"file\":\"src/main.ts\",\"line\":3,\"character\":23}").error()).isFalse();
        ProcessHandle server = ProcessHandle.of(lsp.serverPid().orElseThrow()).orElseThrow();
        List<ProcessHandle> children = server.descendants().toList();
        server.destroyForcibly();
        server.onExit().get(30, TimeUnit.SECONDS);
        LspToolset never = toolset(McpRestartPolicy.never(), List.of());
        try {
            assertThat(never.tools().get(0).call(ToolArguments.parse("{}"), new ToolContext("a", "s", "c", Map.of()))
                    .error()).isFalse();
            ProcessHandle neverServer = ProcessHandle.of(never.serverPid().orElseThrow()).orElseThrow();
            neverServer.destroyForcibly();
            neverServer.onExit().get(30, TimeUnit.SECONDS);
            ToolResult down = never.tools().get(1).call(ToolArguments.parse(
                    "{\"file\":\"src/main.ts\",\"line\":3,\"character\":23}"), new ToolContext("a", "s", "c", Map.of()));
            assertThat(down.error()).isTrue();
            assertThat(down.content()).contains("not restarted").contains("never");
        } finally {
            never.close();
        }
        // The resilient one starts a new server at the next call, which answers.
        ToolResult again = eventually("lsp_definition", "{\"file\":\"src/main.ts\",\"line\":3,\"character\":23}",
                "math.ts");
        assertThat(again.error()).as(again.content()).isFalse();
        assertThat(again.content()).contains("src/math.ts:2:17");
        assertThat(lsp.serverPid().orElseThrow()).isNotEqualTo(server.pid());
        for (ProcessHandle child : children) {
            child.onExit().get(30, TimeUnit.SECONDS); // tsserver follows its parent once its stdin closes
        }
    }

    @Test
    void closeShutsTheServerAndItsChildrenDown() throws Exception {
        call("lsp_diagnostics", "{\"file\":\"src/main.ts\"}");
        ProcessHandle server = ProcessHandle.of(lsp.serverPid().orElseThrow()).orElseThrow();
        List<ProcessHandle> children = server.descendants().toList();
        assertThat(children).as("typescript-language-server runs tsserver").isNotEmpty();
        lsp.close();
        assertThat(server.isAlive()).isFalse();
        for (ProcessHandle child : children) {
            child.onExit().get(10, TimeUnit.SECONDS);
            assertThat(child.isAlive()).isFalse();
        }
        lsp.close(); // twice is harmless
        ToolResult after = call("lsp_hover", "{\"file\":\"src/main.ts\",\"line\":3,\"character\":23}");
        assertThat(after.error()).isTrue();
        assertThat(after.content()).contains("closed");
    }
}
