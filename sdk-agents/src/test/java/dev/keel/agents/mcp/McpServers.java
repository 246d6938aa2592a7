package dev.keel.agents.mcp;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/** Locates the MCP servers installed by scripts/setup/mcp-servers.sh and starts HTTP ones on free ports. */
public final class McpServers {
    private McpServers() {}

    public static Path home() {
        String override = System.getenv("KEEL_MCP_HOME");
        Path home = override != null ? Path.of(override) : Path.of(System.getProperty("user.home"), ".cache/keel/mcp");
        Path marker = home.resolve("node_modules/@modelcontextprotocol/server-everything/package.json");
        if (!Files.exists(marker)) {
            String msg = "MCP servers not installed in " + home + "; run scripts/setup/mcp-servers.sh";
            if ("true".equals(System.getenv("CI"))) {
                fail(msg);
            }
            Assumptions.abort(msg);
        }
        return home;
    }

    public static String script(String pkg) {
        return home().resolve("node_modules/@modelcontextprotocol/" + pkg + "/dist/index.js").toString();
    }

    public static McpToolset filesystem(Path dir) {
        return McpToolset.stdio("node", List.of(script("server-filesystem"), dir.toString()), Map.of());
    }

    public static McpToolset everythingStdio() {
        return McpToolset.stdio("node", List.of(script("server-everything"), "stdio"), Map.of());
    }

    /** Starts server-everything with an HTTP transport; the caller destroys the process. */
    public static Process everythingHttp(String transport, int port) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("node", script("server-everything"), transport)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("PORT", String.valueOf(port));
        Process p = pb.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return p;
            } catch (IOException notYet) {
                if (!p.isAlive()) {
                    fail("server-everything " + transport + " exited with " + p.exitValue());
                }
                Thread.sleep(100);
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException("server-everything " + transport + " did not listen on " + port);
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
