package dev.keel.agents.internal.lsp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.agents.mcp.McpRestartPolicy;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolArguments;
import dev.keel.agents.tool.ToolContext;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.toolsets.ConfiguredToolset;
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

/**
 * The lsp tools docker-agent has beyond reading (rename, format, code actions, call and type hierarchy, inlay hints)
 * against a real typescript-language-server: the writing ones change the files on disk and the server follows.
 */
class LspEditToolsTest {
    @TempDir
    Path dir;
    private LspToolset lsp;

    @BeforeEach
    void project() throws Exception {
        LanguageServers.typescriptProject(dir);
        Files.writeString(dir.resolve("src/math.ts"), """

                export interface Shape {
                  area(): number;
                }

                export class Square implements Shape {
                  constructor(private side: number) {}
                  area(): number {
                    return this.side * this.side;
                  }
                }
                """, java.nio.file.StandardOpenOption.APPEND);
        Files.writeString(dir.resolve("src/main.ts"), """
                import { add } from "./math";

                export function twice(n: number): number {
                  return add(n, n);
                }
                const total = add(1, 2);
                console.log(twice(total));
                """);
        lsp = toolset(Map.of());
    }

    private LspToolset toolset(Map<String, Object> initializationOptions) {
        List<String> cmd = LanguageServers.typescript();
        return LspToolset.of(new LspToolset.Config("lsp:typescript", cmd.get(0), cmd.subList(1, cmd.size()), Map.of(),
                dir, List.of(".ts"), Duration.ofSeconds(120), Duration.ofSeconds(120), McpRestartPolicy.resilient(),
                initializationOptions));
    }

    @AfterEach
    void close() throws Exception {
        java.util.OptionalLong pid = lsp.serverPid();
        List<ProcessHandle> processes = pid.isPresent() ? ProcessHandle.of(pid.getAsLong()).stream()
                .flatMap(p -> java.util.stream.Stream.concat(java.util.stream.Stream.of(p), p.descendants())).toList()
                : List.of();
        lsp.close();
        for (ProcessHandle p : processes) {
            p.onExit().get(30, TimeUnit.SECONDS);
            assertThat(p.isAlive()).as("no process left after close: " + p.pid()).isFalse();
        }
    }

    private ToolResult call(String tool, String json) throws Exception {
        return LanguageServers.call(lsp, tool, json);
    }

    private ToolResult eventually(String tool, String json, String expected) throws Exception {
        return LanguageServers.eventually(lsp, tool, json, expected);
    }

    @Test
    void theWritingToolsAreNotReadOnlyAndAReadOnlyToolsetLeavesThemOut() throws Exception {
        assertThat(lsp.tools()).extracting(t -> t.spec().name()).containsExactly("lsp_workspace", "lsp_hover",
                "lsp_definition", "lsp_references", "lsp_implementations", "lsp_signature_help",
                "lsp_document_symbols", "lsp_workspace_symbols", "lsp_diagnostics", "lsp_rename", "lsp_code_actions",
                "lsp_format", "lsp_call_hierarchy", "lsp_type_hierarchy", "lsp_inlay_hints");
        assertThat(lsp.tools()).filteredOn(t -> !t.readOnly()).extracting(t -> t.spec().name())
                .containsExactly("lsp_rename", "lsp_format");
        assertThat(ConfiguredToolset.builder(lsp).readOnlyOnly(true).build().tools()).extracting(t -> t.spec().name())
                .hasSize(13).doesNotContain("lsp_rename", "lsp_format").contains("lsp_code_actions");
    }

    @Test
    void renameChangesEveryFileThatUsesTheSymbolAndTheServerFollows() throws Exception {
        // Loaded first, so the server knows both files when it renames.
        assertThat(eventually("lsp_references", "{\"file\":\"src/math.ts\",\"line\":2,\"character\":17}",
                "src/main.ts").content()).contains("4 locations");
        ToolResult r = call("lsp_rename", "{\"file\":\"src/math.ts\",\"line\":2,\"character\":17,\"new_name\":\"sum\"}");
        assertThat(r.error()).as(r.content()).isFalse();
        assertThat(r.content()).startsWith("Renamed the symbol at src/math.ts:2:17 to 'sum': 4 edits in 2 files:")
                .contains("\n- src/math.ts (1 edit)").contains("\n- src/main.ts (3 edits)");
        assertThat(Files.readString(dir.resolve("src/math.ts"))).contains("export function sum(a: number, b: number)")
                .doesNotContain("add");
        assertThat(Files.readString(dir.resolve("src/main.ts"))).isEqualTo("""
                import { sum } from "./math";

                export function twice(n: number): number {
                  return sum(n, n);
                }
                const total = sum(1, 2);
                console.log(twice(total));
                """);
        try (var listing = Files.list(dir.resolve("src"))) {
            assertThat(listing.map(p -> p.getFileName().toString()).sorted().toList())
                    .as("no temporary file left").containsExactly("main.ts", "math.ts");
        }
        // The server has the new texts: no error about 'add', and the definition is found under the new name.
        assertThat(eventually("lsp_diagnostics", "{\"file\":\"src/main.ts\"}", "No diagnostics").content())
                .isEqualTo("No diagnostics for src/main.ts");
        assertThat(call("lsp_definition", "{\"file\":\"src/main.ts\",\"line\":6,\"character\":15}").content())
                .contains("src/math.ts:2:17: export function sum(a: number, b: number): number {");
    }

    @Test
    void renameOfNothingIsAToolErrorAndWritesNothing() throws Exception {
        String before = Files.readString(dir.resolve("src/main.ts"));
        ToolResult r = call("lsp_rename", "{\"file\":\"src/main.ts\",\"line\":2,\"character\":1,\"new_name\":\"x\"}");
        assertThat(r.error()).isTrue();
        assertThat(r.content()).contains("src/main.ts:2:1");
        assertThat(Files.readString(dir.resolve("src/main.ts"))).isEqualTo(before);
        ToolResult empty = call("lsp_rename", "{\"file\":\"src/main.ts\",\"line\":3,\"character\":17,\"new_name\":\" \"}");
        assertThat(empty.error()).isTrue();
        assertThat(empty.content()).contains("'new_name' is empty");
    }

    @Test
    void formatRewritesABadlyFormattedFileInItsOwnIndentation() throws Exception {
        Files.writeString(dir.resolve("src/ugly.ts"), """
                export function   f( a:number,b:number ){
                  if(a>b){
                return a-b}
                    return   b-a;
                }
                """);
        ToolResult r = call("lsp_format", "{\"file\":\"src/ugly.ts\"}");
        assertThat(r.error()).as(r.content()).isFalse();
        assertThat(r.content()).startsWith("Formatted src/ugly.ts: applied ");
        assertThat(Files.readString(dir.resolve("src/ugly.ts"))).isEqualTo("""
                export function f(a: number, b: number) {
                  if (a > b) {
                    return a - b
                  }
                  return b - a;
                }
                """);
        assertThat(call("lsp_format", "{\"file\":\"src/ugly.ts\"}").content())
                .isEqualTo("No formatting changes needed for src/ugly.ts");
        assertThat(LspToolset.formattingOptions("a\n\tb\n")).containsEntry("insertSpaces", false);
        assertThat(LspToolset.formattingOptions("a\n    b\n        c\n")).containsEntry("tabSize", 4)
                .containsEntry("insertSpaces", true);
    }

    @Test
    void codeActionsAreListedForADiagnosticAndNothingIsWritten() throws Exception {
        Files.writeString(dir.resolve("src/uses.ts"), "export const three = add(1, 2);\n");
        assertThat(eventually("lsp_diagnostics", "{\"file\":\"src/uses.ts\"}", "2304").content())
                .contains("Cannot find name 'add'");
        ToolResult r = call("lsp_code_actions", "{\"file\":\"src/uses.ts\",\"start_line\":1}");
        assertThat(r.error()).as(r.content()).isFalse();
        assertThat(r.content()).startsWith("Available code actions for src/uses.ts:1:")
                .containsPattern("\\d+\\. \\[quickfix\\] Add import from \"\\./math\"");
        assertThat(Files.readString(dir.resolve("src/uses.ts"))).isEqualTo("export const three = add(1, 2);\n");
        ToolResult past = call("lsp_code_actions", "{\"file\":\"src/uses.ts\",\"start_line\":9}");
        assertThat(past.error()).isTrue();
        assertThat(past.content()).contains("past the end of src/uses.ts (2 lines)");
    }

    @Test
    void callHierarchyInAndOut() throws Exception {
        eventually("lsp_references", "{\"file\":\"src/math.ts\",\"line\":2,\"character\":17}", "src/main.ts");
        ToolResult in = call("lsp_call_hierarchy",
                "{\"file\":\"src/math.ts\",\"line\":2,\"character\":17,\"direction\":\"incoming\"}");
        assertThat(in.error()).as(in.content()).isFalse();
        assertThat(in.content()).startsWith("Incoming calls to add (function) src/math.ts:2:17")
                .contains("- twice (function) src/main.ts:3:17").contains("call at src/main.ts:4:10")
                .contains("src/main.ts:6:15");
        ToolResult out = call("lsp_call_hierarchy",
                "{\"file\":\"src/main.ts\",\"line\":3,\"character\":17,\"direction\":\"outgoing\"}");
        assertThat(out.content()).startsWith("Outgoing calls from twice (function) src/main.ts:3:17")
                .contains("- add (function) src/math.ts:2:17").contains("call at src/main.ts:4:10");
        ToolResult sideways = call("lsp_call_hierarchy",
                "{\"file\":\"src/main.ts\",\"line\":3,\"character\":17,\"direction\":\"sideways\"}");
        assertThat(sideways.error()).isTrue();
        assertThat(sideways.content()).contains("'incoming' or 'outgoing'");
    }

    @Test
    void typeHierarchyNamesTheCapabilityTypescriptLanguageServerLacks() throws Exception {
        ToolResult r = call("lsp_type_hierarchy",
                "{\"file\":\"src/math.ts\",\"line\":10,\"character\":14,\"direction\":\"supertypes\"}");
        assertThat(r.error()).isTrue();
        assertThat(r.content()).contains("does not support textDocument/prepareTypeHierarchy")
                .contains("typeHierarchyProvider");
        assertThat(call("lsp_workspace", "{}").content()).contains("lsp_call_hierarchy")
                .doesNotContain("lsp_type_hierarchy");
    }

    @Test
    void inlayHintsWhenTheServerIsToldToGiveThem() throws Exception {
        assertThat(call("lsp_inlay_hints", "{\"file\":\"src/main.ts\"}").content())
                .as("typescript-language-server gives none by default").isEqualTo("No inlay hints for src/main.ts:1-8");
        lsp.close();
        lsp = toolset(Map.of("preferences", Map.of("includeInlayParameterNameHints", "all",
                "includeInlayVariableTypeHints", true, "includeInlayFunctionLikeReturnTypeHints", true)));
        eventually("lsp_hover", "{\"file\":\"src/main.ts\",\"line\":6,\"character\":15}", "number");
        ToolResult all = call("lsp_inlay_hints", "{\"file\":\"src/main.ts\"}");
        assertThat(all.error()).as(all.content()).isFalse();
        assertThat(all.content()).contains("src/main.ts:4:14: a: (parameter)").contains("src/main.ts:6:12: : number (type)")
                .contains("src/main.ts:6:19: a: (parameter)");
        ToolResult line6 = call("lsp_inlay_hints", "{\"file\":\"src/main.ts\",\"start_line\":6,\"end_line\":6}");
        assertThat(line6.content()).startsWith("3 inlay hints for src/main.ts:6-6:").doesNotContain(":4:");
    }
}
