package dev.keel.agents.team;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.Agent;
import dev.keel.core.ChatOptions;
import dev.keel.core.ThinkingBudget;
import dev.keel.core.models.ModelConfig;
import dev.keel.agents.approval.Permissions;
import dev.keel.agents.approval.Safety;
import dev.keel.agents.mcp.McpToolset;
import dev.keel.agents.mcp.McpTransport;
import dev.keel.agents.toolsets.ConfiguredToolset;
import dev.keel.agents.toolsets.FetchToolset;
import dev.keel.agents.toolsets.FilesystemToolset;
import dev.keel.agents.toolsets.ScriptToolset;
import dev.keel.agents.toolsets.ShellToolset;
import dev.keel.agents.toolsets.Toolsets;
import dev.keel.core.exec.CommandRunner;
import dev.keel.core.exec.LocalCommandRunner;
import dev.keel.agents.tool.Toolset;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TeamsTest {
    private static final Map<String, String> ENV = Map.of("TEAM_NAME", "Keel", "USER_NAME", "ada", "API_TOKEN", "t0ken",
            "LOG_LEVEL", "debug", "OPENAI_API_KEY", "sk-test", "ANTHROPIC_API_KEY", "sk-ant", "CUSTOM_KEY", "c");
    private final Path base = Path.of("/srv/team");
    private final CommandRunner runner = LocalCommandRunner.create();
    private final OkHttpClient http = new OkHttpClient();
    private final TeamOptions options = TeamOptions.defaults(base).withWorkingDirectory(base).withEnv(ENV)
            .withCommandRunner(runner).withHttpClient(http).withCheckKeys(true);

    /** An agent builder with docker-agent's defaults for agents of a team file (secrets redacted, loop limit 5). */
    static Agent.Builder teamAgent(String name) {
        return Agent.builder(name).redactSecrets(true).maxConsecutiveToolCalls(5);
    }

    private static Path resource(String name) {
        try {
            return Path.of(TeamsTest.class.getResource("/teams/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void yamlTeamEqualsTheSameTeamBuiltInJava() {
        Team loaded = Teams.load(resource("full.yaml"), options);

        ModelConfig claude = ModelConfig.of("anthropic", "claude-sonnet-4-5").withOptions(ChatOptions.builder()
                .temperature(0.2).maxTokens(64000).topP(0.9).presencePenalty(0.3).frequencyPenalty(0.1).thinkingBudget(2048)
                .parallelToolCalls(true).build());
        ModelConfig local = ModelConfig.of("dmr", "ai/qwen2.5").withBaseUrl("http://localhost:12434/engines/llama.cpp/v1");
        ModelConfig support = ModelConfig.of("custom", "support-model").withBaseUrl("https://llm.internal.example/v1")
                .withTokenKey("CUSTOM_KEY");
        Agent designer = teamAgent("designer").model(claude).description("Designs the UI").instruction("Produce wireframes.")
                .toolsets(ConfiguredToolset.builder(FilesystemToolset.builder(base).ignoreVcs(true).build()).only(List.of("read_file", "list_directory")).build(),
                        FetchToolset.builder(http).allowedHosts(List.of("*.figma.com", "docs.example.com"))
                                .timeout(Duration.ofSeconds(10)).build())
                .build();
        Agent engineer = teamAgent("engineer").model(local).description("Implements features")
                .instruction("Write clean, tested code.")
                .permissions(Permissions.none().allowing("shell:cmd=mvn *"))
                .toolsets(FilesystemToolset.builder(base).ignoreVcs(true).build(),
                        ShellToolset.builder(runner).env(Map.of("GREETING", "hello ada", "TOKEN", "t0ken")).build(),
                        Toolsets.script(runner, Map.of("run_tests", ScriptToolset.Script.of("mvn -q test -Dtest=$test",
                                "Run one test class").withArgs(Map.of("test", "Test class name")))),
                        McpToolset.builder(new McpTransport.Stdio("npx", List.of("-y", "@modelcontextprotocol/server-filesystem", "."),
                                Map.of("LOG_LEVEL", "debug"))).name("mcp:files").build(),
                        McpToolset.builder(new McpTransport.Sse("http://127.0.0.1:3001/sse", Map.of("Authorization", "Bearer t0ken"))).build(),
                        ConfiguredToolset.builder(McpToolset.stdio("node", List.of("server.js"), Map.of()))
                                .instruction("Use the inline server for experiments.").build())
                .build();
        Agent supportAgent = teamAgent("support").model(support).description("Answers users").instruction("Be kind.").build();
        Agent root = teamAgent("root").model("openai/gpt-5").description("Product manager")
                .instruction("You lead the team for Keel.\n").subAgents(designer, engineer).handoffs(supportAgent)
                .addDate(true).addEnvironmentInfo(true).maxIterations(12).numHistoryItems(30).welcomeMessage("Hello!")
                .toolsets(Toolsets.think(), Toolsets.todo(), Toolsets.memory(base.resolve("data/memories.jsonl")))
                .build();

        assertThat(loaded.root()).isEqualTo(root);
        assertThat(loaded.agents()).containsOnlyKeys("root", "designer", "engineer", "support");
        assertThat(loaded.agents().get("engineer")).isSameAs(loaded.root().subAgents().get(1));
        assertThat(loaded.permissions()).isEqualTo(new Permissions(List.of("read_*", "list_*"), List.of("fetch"),
                List.of("shell:cmd=rm *", "shell:cmd=sudo *")));
        assertThat(loaded.warnings()).isEmpty();
    }

    @Test
    void newerDockerAgentFieldsBuildTheSameGraphAsJava(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("prompts"));
        Files.writeString(dir.resolve("prompts/lead.md"), "Lead the review.\n");
        Files.writeString(dir.resolve("prompts/style.md"), "Be brief.");
        Team loaded = Teams.load(resource("docker-agent.yaml"), options.withEnv(Map.of("GATEWAY_KEY", "g"))
                .withBaseDirectory(dir).withWorkingDirectory(dir));

        // Provider-level options are defaults for its models; "none" is a zero thinking budget.
        ModelConfig gateway = ModelConfig.of("gateway", "x").withBaseUrl("https://gateway.example/v1")
                .withTokenKey("GATEWAY_KEY");
        ModelConfig large = new ModelConfig("gateway", "router-large", gateway.baseUrl(), gateway.tokenKey(),
                ChatOptions.builder().temperature(0.4).maxTokens(4096).thinkingBudget(0).build());
        ModelConfig small = new ModelConfig("gateway", "router-small", gateway.baseUrl(), gateway.tokenKey(),
                ChatOptions.builder().temperature(0.4).maxTokens(512).thinkingBudget(ThinkingBudget.parse("high")).build());
        Toolset notes = Toolsets.memory(dir.resolve("notes.jsonl"));
        Agent reviewer = teamAgent("reviewer").model(small).description("Reviews without changing anything")
                .toolsets(ConfiguredToolset.builder(FilesystemToolset.builder(dir).ignoreVcs(true).build()).readOnlyOnly(true).build(),
                        ConfiguredToolset.builder(notes).readOnlyOnly(true).build())
                .build();
        Agent writer = teamAgent("writer").model(small).description("Writes")
                .toolsets(ConfiguredToolset.builder(FilesystemToolset.builder(dir).ignoreVcs(true).build()).only(List.of("read_file", "write_file"))
                                .readOnlyOnly(true).build(),
                        Toolsets.shell(runner),
                        // toon: ".*" — the wrapper Keel keeps internal (no Java API re-encodes tool output yet).
                        dev.keel.agents.internal.ToonToolset.of(McpToolset.builder(new McpTransport.StreamableHttp(
                                "http://127.0.0.1:3002/mcp", Map.of())).build(), dev.keel.agents.internal.ToonToolset.patterns(".*")))
                .build();
        Agent lead = teamAgent("lead").model(large).instruction("Lead the review.\n\nBe brief.").safety(Safety.BALANCED)
                .subAgents(reviewer, writer).toolsets(notes).build();

        assertThat(loaded.root()).isEqualTo(lead);
        // One top-level toolset used by two agents is one instance (one memory file, closed once).
        Toolset leadNotes = loaded.root().toolsets().get(0);
        assertThat(((ConfiguredToolset) loaded.agents().get("reviewer").toolsets().get(1)).delegate()).isSameAs(leadNotes);
        // readonly keeps only the read-only tools.
        assertThat(loaded.agents().get("reviewer").toolsets().get(0).tools()).extracting(t -> t.spec().name())
                .contains("read_file", "list_directory").doesNotContain("write_file", "edit_file");
        assertThat(loaded.agents().get("writer").toolsets().get(0).tools()).extracting(t -> t.spec().name())
                .containsExactly("read_file");
        assertThat(loaded.warnings()).containsExactly(
                "docker-agent.yaml:28: agents.writer.toolsets[1].sandbox: ignored: Keel does not run a toolset's shell in "
                        + "a sandbox from a team file yet; to confine it, load the team with "
                        + "TeamOptions.withCommandRunner(a sandbox)");

    }

    @Test
    void listFormAndRootIsFirst() {
        Team team = Teams.load(resource("list-form.yaml"), options);
        assertThat(team.root().name()).isEqualTo("lead");
        assertThat(team.root().subAgents()).extracting(Agent::name).containsExactly("helper");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = { // single quotes are part of the messages
        "unknown-subagent.yaml|6|agents.root.sub_agents[1]|unknown agent 'qa'",
        "cycle.yaml|10|agents.b.sub_agents[0]|cycle in sub_agents/handoffs: a -> b -> a",
        "unknown-model.yaml|3|agents.root.model|unknown model 'gpt5'",
        "missing-key.yaml|8|models.private.token_key|needs the environment variable PRIVATE_LLM_KEY, which is not set",
        "unknown-field.yaml|4|agents.root.instructions|unknown field 'instructions'; did you mean 'instruction'?",
        "bad-permission.yaml|5|permissions.deny|must start with a tool name glob",
        "unknown-toolset-field.yaml|7|agents.root.toolsets[0].paht|unknown field 'paht'; did you mean 'path'?",
        "instruction-file-escape.yaml|4|agents.root.instruction_file|'../secrets.md' must be a relative path inside",
        "instruction-file-and-instruction.yaml|5|agents.root.instruction_file|cannot be combined with 'instruction'",
        "unknown-shared-toolset.yaml|5|agents.root.use_toolsets[0]|unknown toolset 'nothere'",
    })
    void malformedFilesNameFileLineAndField(String file, int line, String field, String problem) {
        assertThatThrownBy(() -> Teams.load(resource("bad/" + file), options))
                .isInstanceOfSatisfying(TeamFileException.class, e -> {
                    assertThat(e.file()).isEqualTo(file);
                    assertThat(e.line()).isEqualTo(line);
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.problem()).contains(problem);
                    assertThat(e.getMessage()).startsWith(file + ":" + line + ": " + field + ": ");
                });
    }

    @Test
    void invalidYamlNamesTheLine() {
        assertThatThrownBy(() -> Teams.load(resource("bad/invalid-yaml.yaml"), options))
                .isInstanceOfSatisfying(TeamFileException.class, e -> {
                    assertThat(e.line()).isEqualTo(4);
                    assertThat(e.problem()).startsWith("invalid YAML");
                });
    }

    @Test
    void missingDefaultProviderKeyIsReportedUnlessChecksAreOff() {
        String yaml = "agents:\n  root:\n    model: anthropic/claude-sonnet-4-5\n";
        assertThatThrownBy(() -> Teams.parse(yaml, "t.yaml", options.withEnv(Map.of())))
                .hasMessage("t.yaml:3: agents.root.model: model 'anthropic/claude-sonnet-4-5' needs the environment variable "
                        + "ANTHROPIC_API_KEY, which is not set");
        assertThat(Teams.parse(yaml, "t.yaml", options.withEnv(Map.of()).withCheckKeys(false)).root().model().label())
                .isEqualTo("anthropic/claude-sonnet-4-5");
    }

    @Test
    void secretsDoNotLeakIntoErrorsOrToString() {
        String yaml = "agents:\n  root:\n    model: openai/gpt-5\n    toolsets:\n      - type: shell\n        env:\n"
                + "          A: $API_TOKEN\n          B: $MISSING\n";
        Team team = Teams.parse(yaml, "t.yaml", options);
        assertThatThrownBy(() -> team.root().toolsets().get(0).tools()).hasMessageContaining("MISSING")
                .message().doesNotContain("t0ken");
        assertThat(options.toString()).doesNotContain("t0ken", "sk-test");
    }
}
