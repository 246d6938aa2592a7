package dev.keel.agents.internal.lsp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.agents.mcp.McpRestartPolicy;
import dev.keel.core.internal.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crafted WorkspaceEdits handed to the lsp toolset's applier, the way {@code lsp_rename} hands it the server's answer,
 * with the real typescript-language-server holding the documents: every refused edit leaves every file (inside and
 * outside the working directory) byte for byte as it was, and creates none.
 */
class LspWorkspaceEditAttackTest {
    @TempDir
    Path dir;
    @TempDir
    Path elsewhere;
    private LspToolset lsp;
    private String a;
    private String b;

    @BeforeEach
    void project() throws Exception {
        Files.writeString(dir.resolve("tsconfig.json"), "{\"compilerOptions\": {\"strict\": true}}\n");
        Files.createDirectories(dir.resolve("src"));
        Files.writeString(dir.resolve("src/a.ts"), "export const a = 1;\r\nexport const face = \"\uD83D\uDE00\";\r\n");
        Files.writeString(dir.resolve("src/b.ts"), "import { a } from \"./a\";\nexport const b = a + 1;\n");
        Files.writeString(dir.resolve("notes.md"), "# notes\n");
        Files.writeString(elsewhere.resolve("secret.ts"), "export const key = 1;\n");
        List<String> cmd = LanguageServers.typescript();
        lsp = LspToolset.of(new LspToolset.Config("lsp:typescript", cmd.get(0), cmd.subList(1, cmd.size()), Map.of(),
                dir, List.of(".ts"), Duration.ofSeconds(120), Duration.ofSeconds(120), McpRestartPolicy.resilient()));
        // The server opens a.ts at version 1 (what it saw is what is on disk now).
        assertThat(LanguageServers.call(lsp, "lsp_hover", "{\"file\":\"src/a.ts\",\"line\":1,\"character\":14}")
                .error()).isFalse();
        a = uri(dir.resolve("src/a.ts"));
        b = uri(dir.resolve("src/b.ts"));
    }

    @AfterEach
    void close() {
        lsp.close();
    }

    private static String uri(Path p) {
        return LspPaths.uri(p);
    }

    /** Every file under both folders with its bytes, to compare before and after. */
    private Map<Path, String> snapshot() throws Exception {
        Map<Path, String> all = new TreeMap<>();
        for (Path root : List.of(dir, elsewhere)) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path p : files.filter(Files::isRegularFile).toList()) {
                    all.put(p, Files.readString(p));
                }
            }
        }
        return all;
    }

    private static JsonNode json(String text) throws Exception {
        return Json.mapper().readTree(text);
    }

    private static String edit(int line, int from, int to, String text) {
        return "{\"range\":{\"start\":{\"line\":%d,\"character\":%d},\"end\":{\"line\":%d,\"character\":%d}},\"newText\":\"%s\"}"
                .formatted(line, from, line, to, text);
    }

    /** A good edit of b.ts plus {@code bad}: refused with {@code message}, and nothing anywhere changes. */
    private void refused(String bad, String message) throws Exception {
        Map<Path, String> before = snapshot();
        JsonNode edit = json("{\"changes\":{\"" + b + "\":[" + edit(1, 13, 14, "bee") + "]," + bad + "}}");
        assertThatThrownBy(() -> lsp.applyServerEdit(edit)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void aGoodEditInBothFormsIsWrittenInUtf16Positions() throws Exception {
        // documentChanges at the version the server has: the emoji (2 UTF-16 units) is replaced whole; CRLF stays.
        List<WorkspaceEdits.Change> changes = lsp.applyServerEdit(json("{\"documentChanges\":[{\"textDocument\":"
                + "{\"uri\":\"" + a + "\",\"version\":1},\"edits\":[" + edit(1, 21, 23, "\uD83D\uDE4C") + ","
                + edit(0, 13, 14, "alpha") + "]}]}"));
        assertThat(changes).hasSize(1);
        assertThat(Files.readString(dir.resolve("src/a.ts")))
                .isEqualTo("export const alpha = 1;\r\nexport const face = \"\uD83D\uDE4C\";\r\n");
        // changes (no versions): b.ts was never opened; it is written, and the server is sent its new text.
        lsp.applyServerEdit(json("{\"changes\":{\"" + b + "\":[" + edit(0, 9, 10, "alpha") + "," + edit(1, 17, 18,
                "alpha") + "]}}"));
        assertThat(Files.readString(dir.resolve("src/b.ts")))
                .isEqualTo("import { alpha } from \"./a\";\nexport const b = alpha + 1;\n");
        assertThat(LanguageServers.call(lsp, "lsp_diagnostics", "{\"file\":\"src/b.ts\"}").content())
                .isEqualTo("No diagnostics for src/b.ts");
    }

    @Test
    void aFileOutsideTheWorkingDirectoryIsRefused() throws Exception {
        refused("\"" + uri(elsewhere.resolve("secret.ts")) + "\":[" + edit(0, 0, 0, "pwned") + "]",
                "outside the working directory");
    }

    @Test
    void dotDotInTheUriIsRefusedPlainOrPercentEncoded() throws Exception {
        String sneaky = "file://" + dir.resolve("src") + "/../../" + elsewhere.getFileName() + "/secret.ts";
        refused("\"" + sneaky + "\":[" + edit(0, 0, 0, "pwned") + "]", "outside the working directory");
        String encoded = "file://" + dir.resolve("src") + "/%2e%2e/%2E%2E/" + elsewhere.getFileName() + "/secret.ts";
        refused("\"" + encoded + "\":[" + edit(0, 0, 0, "pwned") + "]", "outside the working directory");
    }

    @Test
    void aSymbolicLinkLeadingOutIsRefused() throws Exception {
        Files.createSymbolicLink(dir.resolve("src/link.ts"), elsewhere.resolve("secret.ts"));
        refused("\"" + uri(dir.resolve("src/link.ts")) + "\":[" + edit(0, 0, 0, "pwned") + "]",
                "through a symbolic link");
    }

    @Test
    void aFileUriOfAnotherHostIsRefused() throws Exception {
        refused("\"file://fileserver" + dir.resolve("src/a.ts") + "\":[" + edit(0, 0, 0, "x") + "]",
                "a file of another host (fileserver)");
        refused("\"https://example.com/a.ts\":[" + edit(0, 0, 0, "x") + "]", "not a file: URI");
    }

    @Test
    void aFileOfAnotherTypeOrMissingIsRefused() throws Exception {
        refused("\"" + uri(dir.resolve("notes.md")) + "\":[" + edit(0, 0, 0, "x") + "]", "handles .ts files");
        refused("\"" + uri(dir.resolve("src/new.ts")) + "\":[" + edit(0, 0, 0, "x") + "]", "does not exist");
        assertThat(dir.resolve("src/new.ts")).doesNotExist();
    }

    @Test
    void aFileChangedOnDiskSinceTheServerSawItIsRefused() throws Exception {
        // The server answered about a.ts as it was; then someone else wrote it, before the edit is applied.
        Files.writeString(dir.resolve("src/a.ts"), "// edited by hand\nexport const a = 1;\n");
        refused("\"" + a + "\":[" + edit(0, 13, 14, "alpha") + "]", "a.ts changed on disk since the language server "
                + "read it");
        Map<Path, String> before = snapshot();
        assertThatThrownBy(() -> lsp.applyServerEdit(json("{\"documentChanges\":[{\"textDocument\":{\"uri\":\"" + b
                + "\",\"version\":null},\"edits\":[" + edit(1, 13, 14, "bee") + "]},{\"textDocument\":{\"uri\":\"" + a
                + "\",\"version\":1},\"edits\":[" + edit(0, 0, 0, "x") + "]}]}")))
                .hasMessageContaining("a.ts changed on disk");
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void anEditForAnotherVersionIsRefused() throws Exception {
        Map<Path, String> before = snapshot();
        assertThatThrownBy(() -> lsp.applyServerEdit(json("{\"documentChanges\":[{\"textDocument\":{\"uri\":\"" + a
                + "\",\"version\":7},\"edits\":[" + edit(0, 13, 14, "alpha") + "]}]}")))
                .hasMessageContaining("version 7 of a.ts, but the language server was sent version 1");
        assertThatThrownBy(() -> lsp.applyServerEdit(json("{\"documentChanges\":[{\"textDocument\":{\"uri\":\"" + b
                + "\",\"version\":3},\"edits\":[" + edit(0, 0, 0, "x") + "]}]}")))
                .hasMessageContaining("never sent to the language server");
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void oneBadEditAmongGoodOnesWritesNothing() throws Exception {
        refused("\"" + a + "\":[" + edit(0, 0, 0, "ok") + "," + edit(0, 0, 99, "far") + "]",
                "past the end of line 1");
        refused("\"" + a + "\":[" + edit(0, 0, 5, "one") + "," + edit(0, 3, 8, "two") + "]", "overlaps");
        refused("\"" + a + "\":[" + edit(1, 22, 22, "split") + "]", "splits a surrogate pair");
        refused("\"" + a + "\":[" + edit(0, 20, 20, "between CR and LF") + "]", "past the end of line 1");
        refused("\"" + a + "\":[{\"range\":{\"start\":{\"line\":0}},\"newText\":\"x\"}]", "bad start.character");
    }

    @Test
    void resourceOperationsAreRefused() throws Exception {
        String good = "{\"textDocument\":{\"uri\":\"" + b + "\",\"version\":null},\"edits\":[" + edit(1, 13, 14, "bee")
                + "]}";
        for (String op : List.of(
                "{\"kind\":\"create\",\"uri\":\"" + uri(dir.resolve("src/c.ts")) + "\"}",
                "{\"kind\":\"rename\",\"oldUri\":\"" + a + "\",\"newUri\":\"" + uri(dir.resolve("src/z.ts")) + "\"}",
                "{\"kind\":\"delete\",\"uri\":\"" + a + "\"}")) {
            Map<Path, String> before = snapshot();
            assertThatThrownBy(() -> lsp.applyServerEdit(json("{\"documentChanges\":[" + good + "," + op + "]}")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Keel's lsp tools apply text "
                            + "edits only");
            assertThat(snapshot()).as(op).isEqualTo(before);
        }
    }
}
