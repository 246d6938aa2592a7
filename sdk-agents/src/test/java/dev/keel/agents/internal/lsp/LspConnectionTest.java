package dev.keel.agents.internal.lsp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.keel.agents.mcp.McpRestartPolicy;
import dev.keel.agents.tool.ToolArguments;
import dev.keel.agents.tool.ToolContext;
import dev.keel.agents.tool.ToolResult;
import dev.keel.core.internal.json.Json;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wire and the failure modes that need no real language server: framing by bytes (not characters) with any
 * headers, a server that never answers, a server that exits at once.
 */
class LspConnectionTest {

    @Property
    void framedMessagesReadBackInOrderWhateverTheirText(@ForAll @Size(max = 5) List<String> texts,
                                                        @ForAll boolean extraHeaders) throws Exception {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        List<JsonNode> sent = new ArrayList<>();
        for (String text : texts) {
            JsonNode message = JsonNodeFactory.instance.objectNode().put("jsonrpc", "2.0").put("method", "m")
                    .put("text", text);
            sent.add(message);
            byte[] body = Json.mapper().writeValueAsBytes(message);
            String headers = "Content-Length: " + body.length + "\r\n"
                    + (extraHeaders ? "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n" : "") + "\r\n";
            wire.write(headers.getBytes(StandardCharsets.US_ASCII));
            wire.write(body);
        }
        ByteArrayInputStream in = new ByteArrayInputStream(wire.toByteArray());
        for (JsonNode expected : sent) {
            assertThat(LspConnection.readMessage(in)).isEqualTo(expected);
        }
        assertThat(LspConnection.readMessage(in)).isNull();
    }

    @Test
    void aTruncatedMessageEndsTheStreamInsteadOfHanging() throws Exception {
        byte[] wire = "Content-Length: 100\r\n\r\n{\"jsonrpc\":".getBytes(StandardCharsets.US_ASCII);
        assertThat(LspConnection.readMessage(new ByteArrayInputStream(wire))).isNull();
    }

    private static ToolResult workspace(LspToolset lsp) throws Exception {
        return lsp.tools().get(0).call(ToolArguments.parse("{}"), new ToolContext("a", "s", "c", Map.of()));
    }

    @Test
    void aServerThatNeverAnswersIsAToolErrorNotAHang(@TempDir Path dir) throws Exception {
        LspToolset lsp = LspToolset.of(new LspToolset.Config("lsp:silent", "sh", List.of("-c", "cat > /dev/null"),
                Map.of(), dir, List.of(), Duration.ofSeconds(2), Duration.ofSeconds(2), McpRestartPolicy.never()));
        try {
            ToolResult r = workspace(lsp);
            assertThat(r.error()).isTrue();
            assertThat(r.content()).contains("did not initialise").contains("did not answer initialize within 2000 ms");
        } finally {
            lsp.close();
        }
        assertThat(ProcessHandle.current().descendants().filter(p -> p.info().commandLine()
                .map(c -> c.contains("cat")).orElse(false)).toList()).as("no process left behind").isEmpty();
    }

    @Test
    void aServerThatExitsAtOnceIsAToolErrorWithItsExitCode(@TempDir Path dir) throws Exception {
        LspToolset lsp = LspToolset.of(new LspToolset.Config("lsp:broken", "sh", List.of("-c", "exit 3"), Map.of(),
                dir, List.of(), Duration.ofSeconds(60), Duration.ofSeconds(60), McpRestartPolicy.never()));
        try {
            ToolResult r = workspace(lsp);
            assertThat(r.error()).isTrue();
            assertThat(r.content()).contains("exited with code 3");
        } finally {
            lsp.close();
        }
    }

    @Test
    void aServerGetsOnlyTheVariablesItIsGiven(@TempDir Path dir) throws Exception {
        // The "server" writes its environment to a file and exits; the JVM's other variables must not be there.
        Path out = dir.resolve("env.txt");
        LspToolset lsp = LspToolset.of(new LspToolset.Config("lsp:env", "sh", List.of("-c", "env > " + out),
                Map.of("GOFLAGS", "-mod=mod"), dir, List.of(), Duration.ofSeconds(60), Duration.ofSeconds(60),
                McpRestartPolicy.never()));
        try {
            workspace(lsp);
        } finally {
            lsp.close();
        }
        String env = Files.readString(out);
        assertThat(env).contains("GOFLAGS=-mod=mod").contains("PATH=");
        for (String name : System.getenv().keySet()) {
            if (!List.of("HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER", "LANG", "TMPDIR", "PWD", "SHLVL", "_")
                    .contains(name)) {
                assertThat(env).as(name).doesNotContain("\n" + name + "=").doesNotStartWith(name + "=");
            }
        }
    }
}
