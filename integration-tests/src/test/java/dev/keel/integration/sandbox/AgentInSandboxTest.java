package dev.keel.integration.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.agents.Agent;
import dev.keel.agents.AgentResult;
import dev.keel.agents.Runner;
import dev.keel.agents.toolsets.Toolsets;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.openai.OpenAiCompatible;
import dev.keel.sandbox.MicroVmConfig;
import dev.keel.sandbox.Sandbox;
import dev.keel.sandbox.SandboxProvider;
import dev.keel.sandbox.SandboxSpec;
import dev.keel.sandbox.Sandboxes;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sdk-agents and sdk-sandbox together, as the API sketch wires them ({@code Toolsets.shell(sandbox)}): a
 * model's {@code shell} tool call runs inside a real microVM. The workspace is there at the same path and
 * what the guest writes lands on the host; a host file outside the workspace and the JVM's environment
 * are not there.
 */
class AgentInSandboxTest {
    /** Variables a guest may legitimately have of its own. */
    static final Set<String> GUEST_OWN = Set.of("PATH", "HOME", "PWD", "SHLVL", "_", "TERM", "USER", "LOGNAME", "SHELL",
            "HOSTNAME", "OLDPWD", "LANG", "LC_ALL", "TZ");

    @TempDir
    Path project;
    @TempDir
    Path elsewhere;

    @Test
    void theAgentsShellRunsInTheVmAndSeesOnlyTheWorkspace() throws Exception {
        MicroVmConfig config = MicroVmConfig.defaults();
        if (!"true".equals(System.getenv("CI"))) {
            Assumptions.assumeTrue(Files.exists(config.assetsDir().resolve("assets-v2.properties")),
                    "sandbox prerequisites missing (run scripts/setup/sandbox.sh); CI=true makes this a failure");
        }
        Files.writeString(project.resolve("README.md"), "demo project readme\n");
        Path hostOnly = Files.writeString(elsewhere.resolve("host-only.txt"), "host secret contents\n");
        String cmd = "pwd; cat README.md; echo made-in-guest > out.txt; cat " + hostOnly + " 2>&1; env";

        try (SandboxProvider provider = Sandboxes.microVm(config);
             Sandbox box = provider.create(SandboxSpec.builder("agent-shell").workspace(project).build());
             ScriptedModelServer llm = ScriptedModelServer.start();
             OpenAiCompatible model = OpenAiCompatible.builder().baseUrl(llm.baseUrl()).model("m").build()) {
            llm.respond(ScriptedReply.toolCall("shell", Map.of("cmd", cmd)))
               .respond(ScriptedReply.text("Looked around."));
            Agent engineer = Agent.builder("engineer").model(model)
                    .instruction("Use the shell.").toolsets(Toolsets.shell(box)).build();
            AgentResult result;
            try (Runner runner = Runner.builder(engineer).yolo(true).build()) {
                result = runner.run("Look around the project.");
            }

            assertThat(result.output()).isEqualTo("Looked around.");
            String seen = ((ToolResultMessage) llm.requests().get(1).lastMessage()).content();
            assertThat(seen).contains(project.toString()).contains("demo project readme");
            assertThat(seen).doesNotContain("host secret contents").contains("No such file");
            for (Map.Entry<String, String> hostVar : System.getenv().entrySet()) {
                if (!GUEST_OWN.contains(hostVar.getKey()) && hostVar.getValue().length() > 3) {
                    assertThat(seen).as("host variable " + hostVar.getKey()).doesNotContain(hostVar.getKey() + "=" + hostVar.getValue());
                }
            }
            assertThat(Files.readString(project.resolve("out.txt"))).isEqualTo("made-in-guest\n");
            llm.assertNoFailures();
        }
    }
}
