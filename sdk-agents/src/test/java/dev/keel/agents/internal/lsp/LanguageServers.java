package dev.keel.agents.internal.lsp;

import static org.assertj.core.api.Assertions.fail;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolArguments;
import dev.keel.agents.tool.ToolContext;
import dev.keel.agents.tool.ToolResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/** Locates the language server installed by scripts/setup/language-servers.sh. */
public final class LanguageServers {
    private LanguageServers() {}

    /** The install folder; fails under CI=true when the server is missing, skips the test otherwise. */
    public static Path home() {
        String override = System.getenv("KEEL_LSP_HOME");
        Path home = override != null ? Path.of(override) : Path.of(System.getProperty("user.home"), ".cache/keel/lsp");
        if (!Files.exists(typescriptServerScript(home))) {
            String msg = "language servers not installed in " + home + "; run scripts/setup/language-servers.sh";
            if ("true".equals(System.getenv("CI"))) {
                fail(msg);
            }
            Assumptions.abort(msg);
        }
        return home;
    }

    private static Path typescriptServerScript(Path home) {
        return home.resolve("node_modules/typescript-language-server/lib/cli.mjs");
    }

    /** The command line of typescript-language-server over stdio: {@code node …/cli.mjs --stdio}. */
    public static List<String> typescript() {
        return List.of("node", typescriptServerScript(home()).toString(), "--stdio");
    }

    /** A strict TypeScript project: {@code tsconfig.json} over {@code src/}, and {@code src/math.ts} with {@code add}. */
    public static void typescriptProject(Path dir) throws IOException {
        Files.writeString(dir.resolve("tsconfig.json"), """
                {"compilerOptions": {"strict": true, "target": "es2020", "module": "commonjs"}, "include": ["src"]}
                """);
        Files.createDirectories(dir.resolve("src"));
        Files.writeString(dir.resolve("src/math.ts"), """
                /** Adds two numbers. */
                export function add(a: number, b: number): number {
                  return a + b;
                }
                """);
    }

    /** Calls one of the toolset's tools with JSON arguments. */
    public static ToolResult call(LspToolset toolset, String tool, String json) throws Exception {
        Tool t = toolset.tools().stream().filter(x -> x.spec().name().equals(tool)).findFirst().orElseThrow();
        return t.call(ToolArguments.parse(json), new ToolContext("root", "s", "c", Map.of()));
    }

    /**
     * Calls the tool until its answer contains {@code expected}: a server answers in steps while it loads a project,
     * and says nothing when it is done. Polls the answer, never sleeps a fixed time before asking.
     */
    public static ToolResult eventually(LspToolset toolset, String tool, String json, String expected)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        ToolResult r = call(toolset, tool, json);
        while (!r.content().contains(expected) && !r.error() && System.nanoTime() < deadline) {
            Thread.sleep(200);
            r = call(toolset, tool, json);
        }
        return r;
    }
}
