package dev.keel.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.AgentEvent.ApprovalSource;
import dev.keel.agents.approval.Approval;
import dev.keel.agents.approval.Permissions;
import dev.keel.agents.mcp.McpToolset;
import dev.keel.agents.team.Team;
import dev.keel.agents.team.TeamOptions;
import dev.keel.agents.team.Teams;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.agents.toolsets.Toolsets;
import dev.keel.core.ChatModel;
import dev.keel.core.ModelException;
import dev.keel.core.exec.LocalCommandRunner;
import dev.keel.core.http.HttpConfig;
import dev.keel.core.message.Message;
import dev.keel.core.message.SystemMessage;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.message.UserMessage;
import dev.keel.core.models.ModelRegistry;
import dev.keel.core.openai.OpenAiCompatible;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import dev.keel.testing.cassette.CassetteMode;
import dev.keel.testing.cassette.CassetteRecorder;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import dev.keel.testing.model.ScriptedToolCall;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Whole agent loops through the real OpenAI-compatible provider, over HTTP, against the scripted model server. */
@Timeout(120)
class FullLoopTest {
    private ScriptedModelServer llm;
    private OpenAiCompatible model;
    private final List<AgentEvent> events = new CopyOnWriteArrayList<>();
    @TempDir
    Path dir;

    @BeforeEach
    void start() {
        llm = ScriptedModelServer.start();
        model = provider(llm.baseUrl(), null);
    }

    @AfterEach
    void stop() {
        model.close();
        llm.close();
    }

    private static OpenAiCompatible provider(String baseUrl, OkHttpClient client) {
        OpenAiCompatible.Builder b = OpenAiCompatible.builder().baseUrl(baseUrl).model("scripted").apiKey("test-key")
                .http(HttpConfig.builder().maxRetries(0).build());
        if (client != null) {
            b.httpClient(client);
        }
        return b.build();
    }

    private Runner.Builder runner(Agent root) {
        return Runner.builder(root);
    }

    /** The runner, with this test's event log subscribed. */
    private Runner observed(Runner runner) {
        runner.events().subscribe(events::add);
        return runner;
    }

    private List<String> eventNames() {
        return events.stream().filter(e -> !(e instanceof AgentEvent.TextDelta))
                .map(e -> e.getClass().getSimpleName() + "(" + e.agent() + ")").toList();
    }

    private static Tool counter(String name, List<String> log) {
        return Tool.of(ToolSpec.of(name, "records a value", JsonSchema.object().required("v", JsonSchema.string()).build()),
                false, (args, ctx) -> {
                    log.add(args.string("v"));
                    return ToolResult.ok(name + " got " + args.string("v"));
                });
    }

    @Test
    void singleAgentWithFilesystemTools() throws Exception {
        llm.respond(ScriptedReply.toolCall("write_file", Map.of("path", "hello.txt", "content", "Hello, Keel")))
                .respond(ScriptedReply.toolCall("read_file", Map.of("path", "hello.txt")))
                .respond(ScriptedReply.text("The file says: Hello, Keel").usage(100, 20));
        Agent agent = Agent.builder("writer").instruction("You write files.").model(model)
                .toolsets(Toolsets.filesystem(dir)).build();
        AgentResult result;
        try (Runner runner = observed(runner(agent).yolo(true).build())) {
            result = runner.run("Create hello.txt");
        }
        assertThat(result.output()).isEqualTo("The file says: Hello, Keel");
        assertThat(Files.readString(dir.resolve("hello.txt"))).isEqualTo("Hello, Keel");
        List<RecordedChatRequest> requests = llm.requests();
        assertThat(requests).hasSize(3);
        assertThat(requests.get(0).systemPrompt()).startsWith("You write files.");
        assertThat(requests.get(0).toolNames()).contains("read_file", "write_file", "edit_file");
        assertThat(requests.get(2).messages()).filteredOn(m -> m instanceof ToolResultMessage)
                .extracting(m -> ((ToolResultMessage) m).content()).containsExactly("Wrote 11 bytes to hello.txt", "Hello, Keel");
        assertThat(requests).allMatch(RecordedChatRequest::stream);
        assertThat(result.session().usage().inputTokens()).isGreaterThanOrEqualTo(100);
        assertThat(events).filteredOn(e -> e instanceof AgentEvent.TextDelta).isNotEmpty();
        llm.assertNoFailures();
    }

    @Test
    void rootDelegatesToTwoSubAgentsWithIsolatedContexts() {
        Agent researcher = Agent.builder("researcher").description("Finds facts").instruction("You research.").model(model).build();
        Agent writer = Agent.builder("writer").description("Writes copy").instruction("You write.").model(model).build();
        Agent root = Agent.builder("director").instruction("You direct.").model(model).subAgents(researcher, writer).build();
        llm.respondWith(req -> {
            String system = req.systemPrompt();
            if (system.startsWith("You research.")) {
                return ScriptedReply.text("Fact: the Keel is a ship's backbone.");
            }
            if (system.startsWith("You write.")) {
                return ScriptedReply.text("Script: a show about ship backbones.");
            }
            long toolResults = req.messages().stream().filter(m -> m instanceof ToolResultMessage).count();
            return switch ((int) toolResults) {
                case 0 -> ScriptedReply.toolCall("transfer_task", Map.of("agent", "researcher",
                        "task", "Research keels", "expected_output", "one fact"));
                case 1 -> ScriptedReply.toolCall("transfer_task", Map.of("agent", "writer",
                        "task", "Write a script using: Fact: the Keel is a ship's backbone.", "expected_output", "a script"));
                default -> ScriptedReply.text("Done: Script: a show about ship backbones.");
            };
        });
        try (Runner runner = observed(runner(root).build())) {
            assertThat(runner.run("Make a podcast about keels").output()).isEqualTo("Done: Script: a show about ship backbones.");
        }
        List<RecordedChatRequest> requests = llm.requests();
        assertThat(requests).hasSize(5);
        RecordedChatRequest researcherRequest = requests.stream().filter(r -> r.systemPrompt().startsWith("You research."))
                .findFirst().orElseThrow();
        assertThat(researcherRequest.messages()).containsExactly(new SystemMessage("You research."),
                new UserMessage("Research keels\n\nExpected output: one fact"));
        assertThat(researcherRequest.toolNames()).isEmpty();
        RecordedChatRequest writerRequest = requests.stream().filter(r -> r.systemPrompt().startsWith("You write."))
                .findFirst().orElseThrow();
        assertThat(writerRequest.messages()).hasSize(2);
        assertThat(writerRequest.body()).doesNotContain("Make a podcast about keels");
        RecordedChatRequest last = requests.get(4);
        assertThat(last.toolNames()).containsExactly("transfer_task");
        assertThat(last.messages()).contains(new UserMessage("Make a podcast about keels"));
        assertThat(eventNames()).containsSubsequence("DelegationStarted(director)", "RunCompleted(director)");
        assertThat(events).filteredOn(e -> e instanceof AgentEvent.DelegationFinished)
                .extracting(e -> ((AgentEvent.DelegationFinished) e).subAgent()).containsExactly("researcher", "writer");
        llm.assertNoFailures();
    }

    @Test
    void parallelToolCallsInOneTurn() {
        CountDownLatch both = new CountDownLatch(2);
        Tool meet = Tool.of(ToolSpec.of("meet", "meets", JsonSchema.object().required("who", JsonSchema.string()).build()),
                true, (args, ctx) -> {
                    both.countDown();
                    return both.await(10, TimeUnit.SECONDS) ? ToolResult.ok("met " + args.string("who"))
                            : ToolResult.error("ran alone");
                });
        llm.respond(ScriptedReply.toolCalls(ScriptedToolCall.of("meet", Map.of("who", "ann")), ScriptedToolCall.of("meet", Map.of("who", "bob"))))
                .respond(ScriptedReply.text("met both"));
        Agent agent = Agent.builder("p").model(model).toolsets(Toolset.of("t", meet)).build();
        try (Runner runner = observed(runner(agent).build())) {
            runner.run("meet ann and bob");
        }
        assertThat(llm.requests().get(1).messages()).filteredOn(m -> m instanceof ToolResultMessage)
                .extracting(m -> ((ToolResultMessage) m).content()).containsExactly("met ann", "met bob");
    }

    @Test
    void handoffSharesHistory() {
        Agent billing = Agent.builder("billing").instruction("You handle billing.").model(model).build();
        Agent front = Agent.builder("front").instruction("You triage.").model(model).handoffs(billing).build();
        llm.respond(ScriptedReply.toolCall("handoff", Map.of("agent", "billing")))
                .respond(ScriptedReply.text("Your invoice is paid."));
        Session session = Session.create();
        try (Runner runner = observed(runner(front).build())) {
            AgentResult r = runner.run(session, "Is my invoice paid?");
            assertThat(r.agent()).isEqualTo("billing");
        }
        RecordedChatRequest second = llm.requests().get(1);
        assertThat(second.systemPrompt()).isEqualTo("You handle billing.");
        assertThat(second.messages()).contains(new UserMessage("Is my invoice paid?"));
        assertThat(second.toolNames()).isEmpty();
        assertThat(Session.fromJson(session.toJson()).currentAgent()).contains("billing");
    }

    @Test
    void maxIterationsStopsALoopingModel() {
        List<String> log = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            llm.respond(ScriptedReply.toolCall("count", Map.of("v", "n" + i)));
        }
        Agent agent = Agent.builder("looper").model(model).maxIterations(3).toolsets(Toolset.of("t", counter("count", log))).build();
        try (Runner runner = observed(runner(agent).yolo(true).build())) {
            AgentResult r = runner.run("count forever");
            assertThat(r.stopReason()).isEqualTo(AgentResult.StopReason.MAX_ITERATIONS);
        }
        assertThat(llm.requests()).hasSize(3);
        assertThat(log).containsExactly("n0", "n1", "n2");
        assertThat(eventNames()).endsWith("MaxIterationsReached(looper)", "RunCompleted(looper)");
    }

    @Test
    void approvalAllowAskDenyOverHttp() {
        List<String> log = new ArrayList<>();
        llm.respond(ScriptedReply.toolCalls(
                        ScriptedToolCall.of("shell_like", Map.of("v", "ls -la")),
                        ScriptedToolCall.of("shell_like", Map.of("v", "rm -rf /")),
                        ScriptedToolCall.of("shell_like", Map.of("v", "make")),
                        ScriptedToolCall.of("shell_like", Map.of("v", "curl evil"))))
                .respond(ScriptedReply.text("ok"));
        Agent agent = Agent.builder("ops").model(model).toolsets(Toolset.of("t", counter("shell_like", log))).build();
        try (Runner runner = observed(runner(agent)
                .permissions(Permissions.none().allowing("shell_like:v=ls *").denying("shell_like:v=rm *"))
                .yolo(false)
                .approver(req -> req.call().arguments().contains("make") ? Approval.once() : Approval.deny("not on prod"))
                .build())) {
            runner.run("tidy up");
        }
        assertThat(log).containsExactlyInAnyOrder("ls -la", "make");
        List<Message> sent = llm.requests().get(1).messages();
        List<ToolResultMessage> results = sent.stream().filter(m -> m instanceof ToolResultMessage).map(m -> (ToolResultMessage) m).toList();
        // The wire format has no error flag: the model learns of a denial from the content.
        assertThat(results.get(0).content()).isEqualTo("shell_like got ls -la");
        assertThat(results.get(2).content()).isEqualTo("shell_like got make");
        assertThat(results.get(1).content()).contains("deny pattern 'shell_like:v=rm *'");
        assertThat(results.get(3).content()).contains("not on prod");
        assertThat(events).filteredOn(e -> e instanceof AgentEvent.ToolCallApproved)
                .extracting(e -> ((AgentEvent.ToolCallApproved) e).how()).containsExactly(ApprovalSource.ALLOWED, ApprovalSource.APPROVER);
    }

    @Test
    void modelErrorMidTurnFailsWithTypedCause() {
        List<String> log = new ArrayList<>();
        llm.respond(ScriptedReply.toolCall("count", Map.of("v", "1"))).respond(ScriptedReply.error(500, "the model fell over"));
        Agent agent = Agent.builder("a").model(model).toolsets(Toolset.of("t", counter("count", log))).build();
        Session session = Session.create();
        try (Runner runner = observed(runner(agent).yolo(true).build())) {
            assertThatThrownBy(() -> runner.run(session, "go")).isInstanceOf(AgentException.class)
                    .hasCauseInstanceOf(ModelException.ServerError.class).hasMessageContaining("agent 'a'");
        }
        assertThat(log).containsExactly("1");
        assertThat(events.get(events.size() - 1)).isInstanceOf(AgentEvent.RunFailed.class);
        assertThat(session.messages()).hasSize(3);
    }

    @Test
    void malformedToolArgumentsThenRecovery() {
        List<String> log = new ArrayList<>();
        llm.respond(ScriptedReply.toolCalls(ScriptedToolCall.ofJson("count", "{\"v\": \"unterminated")))
                .respond(ScriptedReply.toolCall("count", Map.of("v", "fixed")))
                .respond(ScriptedReply.text("recovered"));
        Agent agent = Agent.builder("a").model(model).toolsets(Toolset.of("t", counter("count", log))).build();
        try (Runner runner = observed(runner(agent).yolo(true).build())) {
            assertThat(runner.run("go").output()).isEqualTo("recovered");
        }
        assertThat(log).containsExactly("fixed");
        ToolResultMessage error = (ToolResultMessage) llm.requests().get(1).lastMessage();
        assertThat(error.content()).contains("invalid arguments for tool 'count'");
    }

    @Test
    void aTeamFileRunsAgainstTheScriptedServerInOneLine() throws Exception {
        // Models of several providers, no key variable set anywhere: loading needs no key, and
        // models(llm.models()) points every one of them at the fake.
        Path file = Files.writeString(dir.resolve("mixed.yaml"), """
                agents:
                  root:
                    model: openai/gpt-5
                    instruction: Lead.
                    sub_agents: [writer]
                  writer:
                    model: claude
                    instruction: Write.
                models:
                  claude:
                    provider: anthropic
                    model: claude-sonnet-4-5
                    temperature: 0.2
                """);
        Team team = Teams.load(file, TeamOptions.defaults(dir).withEnv(Map.of()));
        try (ModelRegistry noKeys = ModelRegistry.builder().environment(Map.of()).build()) {
            assertThatThrownBy(() -> team.validate(noKeys)).isInstanceOf(dev.keel.agents.team.TeamValidationException.class)
                    .hasMessageContaining("model 'openai/gpt-5' of [root]").hasMessageContaining("OPENAI_API_KEY")
                    .hasMessageContaining("model 'anthropic/claude-sonnet-4-5' of [writer]")
                    .hasMessageContaining("ANTHROPIC_API_KEY");
        }
        llm.respond(ScriptedReply.toolCall("transfer_task", Map.of("agent", "writer", "task", "draft", "expected_output", "")))
                .respond(ScriptedReply.text("drafted"))
                .respond(ScriptedReply.text("all done"));
        try (Runner runner = team.runner().models(llm.models()).build()) {
            assertThat(runner.run("go").output()).isEqualTo("all done");
        }
        assertThat(llm.requests()).extracting(RecordedChatRequest::model)
                .containsExactly("gpt-5", "claude-sonnet-4-5", "gpt-5");
        assertThat(llm.requests().get(1).options().temperature()).isEqualTo(0.2);
        team.validate(llm.models());
        llm.assertNoFailures();
    }

    @Test
    void yamlTeamRunsAgainstTheScriptedServer() throws Exception {
        Path file = Files.writeString(dir.resolve("team.yaml"), """
                version: "2"
                agents:
                  root:
                    model: scripted
                    instruction: Lead the team.
                    sub_agents: [helper]
                  helper:
                    model: scripted
                    instruction: Help with ${env.TOPIC}.
                    toolsets:
                      - type: shell
                models:
                  scripted:
                    provider: local
                    model: scripted-model
                    base_url: ${env.LLM_URL}
                    token_key: LLM_KEY
                    temperature: 0.3
                    top_p: 0.8
                    max_tokens: 256
                    presence_penalty: 0.1
                    frequency_penalty: 0.2
                    parallel_tool_calls: false
                """);
        Map<String, String> env = Map.of("TOPIC", "builds", "LLM_URL", llm.baseUrl(), "LLM_KEY", "k");
        Team team = Teams.load(file, TeamOptions.defaults(dir).withEnv(env).withCommandRunner(LocalCommandRunner.in(dir)));
        llm.respond(ScriptedReply.toolCall("transfer_task", Map.of("agent", "helper", "task", "say hi", "expected_output", "hi")))
                .respond(ScriptedReply.toolCall("shell", Map.of("cmd", "echo hi from shell")))
                .respond(ScriptedReply.text("hi from shell"))
                .respond(ScriptedReply.text("helper said hi"));
        ModelRegistry resolver = ModelRegistry.builder().environment(env).build();
        try (resolver; Runner runner = observed(team.runner().models(resolver).yolo(true).build())) {
            assertThat(runner.run("greet").output()).isEqualTo("helper said hi");
        }
        assertThat(llm.requests()).extracting(RecordedChatRequest::model).containsOnly("scripted-model");
        assertThat(llm.requests().get(1).systemPrompt()).startsWith("Help with builds.");
        assertThat(llm.requests().get(2).lastMessage()).isEqualTo(new ToolResultMessage("call_2", "shell", "hi from shell\n", false));
        assertThat(llm.requests().get(0).header("authorization")).contains("Bearer k");
        // The team file's generation options reach the wire.
        dev.keel.core.json.JsonObject body = llm.requests().get(0).json();
        assertThat(body.get("temperature").orElseThrow().asDouble()).hasValue(0.3);
        assertThat(body.get("top_p").orElseThrow().asDouble()).hasValue(0.8);
        assertThat(body.get("presence_penalty").orElseThrow().asDouble()).hasValue(0.1);
        assertThat(body.get("frequency_penalty").orElseThrow().asDouble()).hasValue(0.2);
        assertThat(body.get("parallel_tool_calls").flatMap(dev.keel.core.json.JsonValue::asBoolean)).contains(false);
        assertThat(body.get(body.has("max_tokens") ? "max_tokens" : "max_completion_tokens").orElseThrow().asLong())
                .hasValue(256);
    }

    @Test
    void mcpToolsetInTheLoopIsClosedWithTheRunner() throws Exception {
        Path home = Path.of(System.getProperty("user.home"), ".cache/keel/mcp");
        String override = System.getenv("KEEL_MCP_HOME");
        Path server = (override != null ? Path.of(override) : home)
                .resolve("node_modules/@modelcontextprotocol/server-filesystem/dist/index.js");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(server) || "true".equals(System.getenv("CI")),
                "MCP servers not installed");
        Files.writeString(dir.resolve("todo.md"), "- ship it");
        McpToolset files = McpToolset.stdio("node", List.of(server.toString(), dir.toRealPath().toString()), Map.of());
        llm.respond(ScriptedReply.toolCall("list_directory", Map.of("path", dir.toRealPath().toString())))
                .respond(ScriptedReply.text("I see todo.md"));
        Agent agent = Agent.builder("a").model(model).toolsets(files).build();
        try (Runner runner = observed(runner(agent).approver(r -> Approval.once()).build())) {
            runner.run("what is there?");
        }
        assertThat(((ToolResultMessage) llm.requests().get(1).lastMessage()).content()).contains("todo.md");
        assertThatThrownBy(files::tools).as("closed with the runner").hasMessageContaining("is closed");
    }

    @Test
    void replayedCassetteReproducesTheEventSequence() throws Exception {
        Path cassette = dir.resolve("team.yaml");
        List<String> recorded = runRecordedTeam(cassette, CassetteMode.ALL);
        llm.close();
        events.clear();
        List<String> replayed = runRecordedTeam(cassette, CassetteMode.NONE);
        assertThat(replayed).isEqualTo(recorded);
        assertThat(recorded).contains("DelegationStarted(lead->worker)", "ToolCallFinished(worker:count)",
                "DelegationFinished(lead->worker)", "RunCompleted(lead)");
    }

    private List<String> runRecordedTeam(Path cassette, CassetteMode mode) {
        if (mode == CassetteMode.ALL) {
            llm.respond(ScriptedReply.toolCall("transfer_task", Map.of("agent", "worker", "task", "count to one", "expected_output", "1")))
                    .respond(ScriptedReply.toolCall("count", Map.of("v", "1")))
                    .respond(ScriptedReply.text("counted 1"))
                    .respond(ScriptedReply.text("worker counted 1"));
        }
        String url = llm.baseUrl();
        try (CassetteRecorder recorder = CassetteRecorder.builder(cassette).mode(mode).build();
             OpenAiCompatible recordedModel = provider(url, recorder.client())) {
            Agent worker = Agent.builder("worker").description("counts").model(recordedModel)
                    .toolsets(Toolset.of("t", counter("count", new ArrayList<>()))).build();
            Agent lead = Agent.builder("lead").model(recordedModel).subAgents(worker).build();
            try (Runner runner = observed(runner(lead).yolo(true).build())) {
                assertThat(runner.run("count").output()).isEqualTo("worker counted 1");
            }
        }
        List<String> seq = new ArrayList<>();
        for (AgentEvent e : events) {
            if (e instanceof AgentEvent.DelegationStarted d) {
                seq.add("DelegationStarted(" + d.agent() + "->" + d.subAgent() + ")");
            } else if (e instanceof AgentEvent.DelegationFinished d) {
                seq.add("DelegationFinished(" + d.agent() + "->" + d.subAgent() + ")");
            } else if (e instanceof AgentEvent.ToolCallFinished f) {
                seq.add("ToolCallFinished(" + f.agent() + ":" + f.call().name() + ")");
            } else if (e instanceof AgentEvent.TextDelta t) {
                seq.add("TextDelta(" + t.agent() + ":" + t.text() + ")");
            } else {
                seq.add(e.getClass().getSimpleName() + "(" + e.agent() + ")");
            }
        }
        return seq;
    }
}
