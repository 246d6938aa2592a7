package dev.keel.agents.team;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.agents.Runner;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A team file's sandboxed shell in a real Keel microVM, driven by the scripted model server over HTTP: the
 * commands run in the guest (its own kernel, no network interface), the workspace is the same path on both
 * sides, {@code runtime.network_allowlist} lets the named loopback server through and nothing else, and closing
 * the runner leaves no VM. One VM per runner, two runners. Outside CI the test is skipped when the sandbox
 * prerequisites are missing (scripts/setup/sandbox.sh); with {@code CI=true} it fails instead.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TeamSandboxVmTest {
    private ScriptedModelServer llm;
    private MockWebServer allowed;
    private MockWebServer other;
    /** On the allowed address, another port: the allowlist's {@code host:port} does not reach it. */
    private MockWebServer otherPort;
    private Path workspace;

    @BeforeAll
    void start() throws Exception {
        if (!"true".equals(System.getenv("CI"))) {
            Path assets = dev.keel.sandbox.MicroVmConfig.defaults().assetsDir().resolve("assets-v2.properties");
            Assumptions.assumeTrue(Files.exists(assets),
                    "sandbox prerequisites missing (run scripts/setup/sandbox.sh); CI=true makes this a failure");
        }
        llm = ScriptedModelServer.start();
        allowed = new MockWebServer();
        allowed.start(InetAddress.getByName("127.0.0.1"), 0);
        other = new MockWebServer();
        other.start(InetAddress.getByName("127.0.0.2"), 0);
        otherPort = new MockWebServer();
        otherPort.start(InetAddress.getByName("127.0.0.1"), 0);
        workspace = Files.createTempDirectory("keel-team-sandbox").toRealPath();
    }

    @AfterAll
    void stop() throws Exception {
        if (llm != null) {
            llm.close();
            allowed.close();
            other.close();
            otherPort.close();
        }
    }

    /** The tool result a request to the model ends with. */
    private static String lastResult(RecordedChatRequest r) {
        return ((ToolResultMessage) r.lastMessage()).content();
    }

    /** The QEMU processes this JVM started. */
    private static List<ProcessHandle> vms() {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().command().map(c -> c.contains("qemu-system")).orElse(false)).toList();
    }

    private static void awaitNoVm() throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (!vms().isEmpty() && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
        }
        assertThat(vms()).as("VMs left after the runner closed").isEmpty();
    }

    @Test
    void theShellRunsInTheGuestOnTheSameWorkspaceAndReachesOnlyTheAllowlist() throws Exception {
        Team team = Teams.parse("""
                runtime:
                  network_allowlist: ["127.0.0.1:%d"]
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: shell
                        sandbox: true
                """.formatted(allowed.getPort()), "team.yaml",
                TeamOptions.defaults(workspace).withWorkingDirectory(workspace));
        assertThat(team.warnings()).as("the port is enforced, not warned about").isEmpty();
        allowed.enqueue(new MockResponse.Builder().body("through the allowlist").build());
        List<ProcessHandle> during;
        int base = llm.requests().size();
        llm.respond(ScriptedReply.toolCall("shell", Map.of("cmd",
                        "uname -r; ls /sys/class/net; pwd; echo written-in-the-guest > from-guest.txt")))
                .respond(ScriptedReply.toolCall("shell", Map.of("cmd",
                        "wget -q -O - http://127.0.0.1:" + allowed.getPort() + "/ok")))
                .respond(ScriptedReply.toolCall("shell", Map.of("cmd",
                        "wget -q -O - http://127.0.0.2:" + other.getPort() + "/no")))
                .respond(ScriptedReply.toolCall("shell", Map.of("cmd",
                        "wget -q -O - -Y off http://127.0.0.1:" + allowed.getPort() + "/direct")))
                .respond(ScriptedReply.toolCall("shell", Map.of("cmd",
                        "wget -q -O - http://127.0.0.1:" + otherPort.getPort() + "/other-port")))
                .respond(ScriptedReply.text("done"));
        try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
            assertThat(runner.run("look around").output()).isEqualTo("done");
            during = vms();
        }
        assertThat(during).as("the shell's commands ran in a VM this JVM started").hasSize(1);
        awaitNoVm();

        List<String> inGuest = lastResult(llm.requests().get(base + 1)).lines().toList();
        assertThat(inGuest.get(0)).as("the guest's own kernel").isNotBlank().isNotEqualTo(System.getProperty("os.version"));
        assertThat(inGuest.get(1)).as("the guest has no network interface but loopback").isEqualTo("lo");
        assertThat(inGuest.get(2)).as("commands start in the working directory, at the host's path")
                .isEqualTo(workspace.toString());
        assertThat(Files.readString(workspace.resolve("from-guest.txt"))).isEqualTo("written-in-the-guest\n");

        assertThat(lastResult(llm.requests().get(base + 2))).contains("through the allowlist");
        assertThat(allowed.takeRequest().getTarget()).isEqualTo("/ok");

        assertThat(lastResult(llm.requests().get(base + 3))).as("a host not on the allowlist").startsWith("exit code");
        assertThat(other.getRequestCount()).isZero();
        assertThat(lastResult(llm.requests().get(base + 4))).as("around the proxy").startsWith("exit code");
        assertThat(allowed.getRequestCount()).as("only the proxied request reached the allowed server").isEqualTo(1);
        assertThat(lastResult(llm.requests().get(base + 5))).as("the allowed host on another port")
                .startsWith("exit code").contains("403");
        assertThat(otherPort.getRequestCount()).isZero();
    }

    @Test
    void aSecondRunnerGetsAFreshVmAndRuntimeSandboxCoversScriptsToo() throws Exception {
        Files.writeString(workspace.resolve("left-by-host.txt"), "host file");
        Team team = Teams.parse("""
                runtime:
                  sandbox: true
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: shell
                      - type: script
                        shell:
                          where:
                            cmd: "ls /sys/class/net; cat left-by-host.txt; test -e /tmp/guest-only && echo stale; touch /tmp/guest-only"
                """, "team.yaml", TeamOptions.defaults(workspace).withWorkingDirectory(workspace));
        assertThat(team.warnings()).isEmpty();
        for (int round = 0; round < 2; round++) {
            llm.respond(ScriptedReply.toolCall("where", Map.of()))
                    .respond(ScriptedReply.toolCall("shell", Map.of("cmd", "ls /tmp/guest-only && echo seen")))
                    .respond(ScriptedReply.text("done"));
            int before = llm.requests().size();
            try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
                runner.run("where am I");
                assertThat(vms()).as("shell and script share one VM").hasSize(1);
            }
            awaitNoVm();
            assertThat(lastResult(llm.requests().get(before + 1))).as("a fresh guest each runner")
                    .isEqualTo("lo\nhost file");
            assertThat(lastResult(llm.requests().get(before + 2))).as("the same guest").contains("seen");
        }
        assertThat(Path.of("/tmp/guest-only")).as("the guest's /tmp is not the host's").doesNotExist();
    }
}
