package dev.keel.samples;

import com.sun.net.httpserver.HttpServer;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolArguments;
import dev.keel.agents.tool.ToolContext;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.toolsets.ShellToolset;
import dev.keel.agents.toolsets.Toolsets;
import dev.keel.core.exec.Command;
import dev.keel.core.exec.ExecResult;
import dev.keel.sandbox.GuestRoot;
import dev.keel.sandbox.NetworkPolicy;
import dev.keel.sandbox.Sandbox;
import dev.keel.sandbox.SandboxPrerequisiteException;
import dev.keel.sandbox.SandboxProvider;
import dev.keel.sandbox.SandboxSpec;
import dev.keel.sandbox.Sandboxes;
import dev.keel.sandbox.SecretRule;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;

/**
 * A microVM sandbox over a temporary project: commands run in the guest, the project directory is
 * shared at the same absolute path, nothing else of the host is visible, and the network goes only
 * through Keel's proxy, which injects an API key the guest never sees. A loopback HTTP server stands in
 * for the API. Finally the agents' shell toolset is pointed at the sandbox: the {@code shell} tool a model
 * calls runs in the VM. Needs scripts/setup/sandbox.sh.
 */
public final class SandboxSample {
    private SandboxSample() {}

    /** The Debian guest root (python3, git) when the setup script built it, else the busybox root. */
    private static Sandbox create(SandboxProvider provider, Path project, int apiPort) {
        try {
            return provider.create(spec(project, GuestRoot.DEBIAN, apiPort));
        } catch (SandboxPrerequisiteException e) {
            System.out.println("Debian guest root not available (" + e.getMessage() + "); using the busybox root");
            return provider.create(spec(project, GuestRoot.BUSYBOX, apiPort));
        }
    }

    /** GET through the sandbox's proxy with the sentinel where the key goes: busybox wget, or python3 on Debian. */
    private static Command fetch(String url) {
        String script = "if command -v wget >/dev/null; then wget -q -O - --header 'Authorization: " + SecretRule.SENTINEL
                + "' \"$1\"; else python3 -c 'import sys, urllib.request as u; print(u.urlopen(u.Request(sys.argv[1],"
                + " headers={\"Authorization\": \"" + SecretRule.SENTINEL + "\"})).read().decode(), end=\"\")' \"$1\"; fi";
        return Command.of("sh", "-c", script, "fetch", url);
    }

    private static SandboxSpec spec(Path project, GuestRoot root, int apiPort) {
        return SandboxSpec.builder("sample")
                .root(root)
                .workspace(project)
                .env("GREETING", "hi")
                // loopback is refused unless named by address; the key goes to this plain-HTTP origin only
                .network(NetworkPolicy.denyAll().allow("localhost", "127.0.0.1"))
                .secret("http://localhost:" + apiPort, "Authorization", "Bearer sk-sample-secret-value")
                .build();
    }

    public static void main(String[] args) throws Exception {
        Path project = Files.createTempDirectory("keel-sample-project");
        Files.writeString(project.resolve("README.md"), "# demo project\n");
        HttpServer api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        api.createContext("/", exchange -> {
            String auth = String.valueOf(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] body = ("api saw Authorization=" + auth.replaceAll("(?<=Bearer sk-).+", "…") + "\n")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        api.start();
        String apiUrl = "http://localhost:" + api.getAddress().getPort() + "/v1/models";
        try (SandboxProvider provider = Sandboxes.microVm();
             Sandbox box = create(provider, project, api.getAddress().getPort())) {
            System.out.println(box.info());

            ExecResult r = box.run(Command.shell("echo \"$GREETING from kernel $(uname -r) in $(pwd)\"; ls"));
            System.out.println("exit " + r.exitCode() + ":\n" + r.stdout());

            box.run(Command.shell("echo 'written in the guest' > notes.txt"));
            System.out.println("host sees notes.txt: " + Files.readString(project.resolve("notes.txt")).trim());

            ExecResult outside = box.run(Command.shell("echo secret > /root/only-in-guest && cat /root/only-in-guest"));
            System.out.println("guest-only file, guest reads: " + outside.stdout().trim()
                    + "; exists on host: " + Files.exists(Path.of("/root/only-in-guest")));

            ExecResult allowed = box.run(fetch(apiUrl));
            System.out.println("allowed fetch: exit " + allowed.exitCode() + ", " + allowed.stdout().trim());
            ExecResult denied = box.run(fetch("http://example.com/"));
            System.out.println("denied fetch: exit " + denied.exitCode() + " " + denied.stderr().strip().lines().reduce((a, b) -> b).orElse(""));
            System.out.println("guest environment: " + box.run(Command.of("env")).stdout().replace('\n', ' '));
            System.out.println("proxy log: " + box.networkLog());

            ExecResult py = box.run(Command.shell("command -v python3 >/dev/null && python3 -c"
                    + " 'import platform; print(6*7, \"from Python\", platform.python_version())'"
                    + " || echo 'no python3 in the busybox guest; awk says' $(awk 'BEGIN{print 6*7}')"));
            System.out.println("python: " + py.stdout().trim());

            // the agents' shell toolset over the sandbox: what an agent's shell(cmd) tool call does
            ShellToolset shell = Toolsets.shell(box);
            Tool tool = shell.tools().get(0);
            ToolResult toolResult = tool.call(ToolArguments.parse(
                    "{\"cmd\": \"uname -n; cat README.md; ls /root\"}"), new ToolContext("sample", "s1", java.util.Map.of()));
            System.out.println("shell tool (" + shell.instructions() + "):\n" + toolResult.content());

            ExecResult slow = box.run(Command.of("sleep", "60").withTimeout(Duration.ofSeconds(1)));
            System.out.println("sleep 60 with a 1 s timeout: timedOut=" + slow.timedOut() + " exit=" + slow.exitCode());
        } finally {
            api.stop(0);
            try (var files = Files.walk(project)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
