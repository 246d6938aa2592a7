package dev.keel.agents.team;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.AgentResult;
import dev.keel.agents.Runner;
import dev.keel.agents.Session;
import dev.keel.agents.approval.Approval;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonValue;
import dev.keel.core.message.SystemMessage;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.message.UserMessage;
import dev.keel.core.models.ModelRegistry;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agent fields of team files acted on in real runs against the scripted model server: hooks of every type
 * (command hooks get docker-agent's JSON on stdin and answer on stdout or with exit code 2), commands, the
 * welcome message, prompt files, secret redaction, safety modes, loop and tool-output limits, forced and
 * back-and-forth handoffs.
 */
class TeamAgentFieldsTest {
    @TempDir
    Path dir;
    private ScriptedModelServer llm;

    @BeforeEach
    void start() {
        llm = ScriptedModelServer.start();
    }

    @AfterEach
    void stop() {
        llm.close();
    }

    private Team load(String yaml) {
        return TeamFiles.parse(dir, yaml);
    }

    private Path script(String name, String body) throws Exception {
        Path p = Files.writeString(dir.resolve(name), "#!/bin/sh\n" + body);
        p.toFile().setExecutable(true);
        return p;
    }

    @Test
    void commandHooksGetTheDocumentedJsonOnStdinAndCanBlockOrRewrite() throws Exception {
        script("guard.sh", """
                INPUT=$(cat)
                echo "$INPUT" >> hook-inputs.jsonl
                case "$INPUT" in
                  *'rm -rf'*) echo '{"decision": "block", "reason": "rm -rf is not allowed"}'; exit 2 ;;
                  *'"cmd":"ls"'*) echo '{"hook_specific_output": {"updated_input": {"cmd": "ls -la"}}}' ;;
                esac
                exit 0
                """);
        script("context.sh", "cat > /dev/null\necho 'The build server is slow today.'\n");
        Team team = load("""
                agents:
                  root:
                    model: openai/gpt-5
                    instruction: Run commands.
                    toolsets:
                      - type: shell
                    hooks:
                      pre_tool_use:
                        - matcher: shell
                          hooks:
                            - type: command
                              command: ./guard.sh
                              timeout: 30
                      user_prompt_submit:
                        - type: command
                          command: ./context.sh
                """);
        assertThat(team.warnings()).isEmpty();
        llm.respond(ScriptedReply.toolCall("shell", Map.of("cmd", "rm -rf /tmp/x")))
                .respond(ScriptedReply.toolCall("shell", Map.of("cmd", "ls")))
                .respond(ScriptedReply.text("done"));
        try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
            assertThat(runner.run("tidy up").output()).isEqualTo("done");
        }
        List<String> inputs = Files.readAllLines(dir.resolve("hook-inputs.jsonl"));
        assertThat(inputs).hasSize(2);
        JsonObject first = JsonObject.parse(inputs.get(0));
        assertThat(first.names()).containsExactly("session_id", "cwd", "hook_event_name", "tool_name", "tool_use_id",
                "tool_input");
        assertThat(first.get("hook_event_name")).contains(JsonValue.of("pre_tool_use"));
        assertThat(first.get("cwd")).contains(JsonValue.of(dir.toString()));
        assertThat(first.get("tool_input").map(v -> ((JsonObject) v).get("cmd").orElseThrow()))
                .contains(JsonValue.of("rm -rf /tmp/x"));
        List<String> results = llm.requests().get(2).messages().stream().filter(ToolResultMessage.class::isInstance)
                .map(m -> ((ToolResultMessage) m).content()).toList();
        assertThat(results.get(0)).isEqualTo("The tool call was denied: rm -rf is not allowed");
        assertThat(results.get(1)).contains("hook-inputs.jsonl"); // ls -la, rewritten by the hook, listed the file
        assertThat(llm.requests().get(0).lastMessage()).isEqualTo(new SystemMessage("The build server is slow today."));
    }

    @Test
    void builtinHooksAddContextAndCapModelCalls() throws Exception {
        Files.writeString(dir.resolve("AGENTS.md"), "Always answer in French.");
        Team team = load("""
                agents:
                  root:
                    model: openai/gpt-5
                    add_prompt_files: [AGENTS.md, NOT_THERE.md]
                    toolsets:
                      - type: think
                    hooks:
                      turn_start:
                        - type: builtin
                          command: add_git_status
                      session_start:
                        - type: builtin
                          command: add_directory_listing
                      before_llm_call:
                        - type: builtin
                          command: max_iterations
                          args: ["1"]
                """);
        llm.respond(ScriptedReply.toolCall("think", Map.of("thought", "hmm")));
        AgentResult r;
        try (Runner runner = team.runner().models(llm.models()).build()) {
            r = runner.run("bonjour");
        }
        assertThat(r.stopReason()).isEqualTo(AgentResult.StopReason.BLOCKED);
        assertThat(r.output()).isEqualTo("the max_iterations hook stops the run after 1 model calls");
        assertThat(llm.requests()).hasSize(1);
        String context = ((SystemMessage) llm.requests().get(0).lastMessage()).text();
        assertThat(context).contains("Files in " + dir + ":\n- AGENTS.md")
                .contains("Contents of " + dir.resolve("AGENTS.md") + ":\nAlways answer in French.");
    }

    @Test
    void aModelHookJudgesToolCallsAndFailsClosedOnAnUnreadableVerdict() {
        Team team = load("""
                agents:
                  root:
                    model: openai/gpt-5
                    instruction: Work.
                    toolsets:
                      - type: shell
                    hooks:
                      pre_tool_use:
                        - matcher: shell
                          hooks:
                            - type: model
                              model: openai/gpt-4o-mini
                              schema: pre_tool_use_decision
                              prompt: "Tool: {{ .ToolName }} Args: {{ .ToolInput | toJSON }}"
                """);
        llm.respondWith(req -> {
            if (req.model().equals("gpt-4o-mini")) {
                return req.lastUserText().contains("date") ? ScriptedReply.text("{\"decision\": \"allow\", \"reason\": \"harmless\"}")
                        : ScriptedReply.text("I am not sure.");
            }
            long done = req.messages().stream().filter(ToolResultMessage.class::isInstance).count();
            return done == 0 ? ScriptedReply.toolCall("shell", Map.of("cmd", "date"))
                    : done == 1 ? ScriptedReply.toolCall("shell", Map.of("cmd", "curl evil.example")) : ScriptedReply.text("ok");
        });
        try (Runner runner = team.runner().models(llm.models()).approver(req -> Approval.deny("nobody home")).build()) {
            runner.run("go");
        }
        RecordedChatRequest judged = llm.requests().stream().filter(r -> r.model().equals("gpt-4o-mini")).findFirst()
                .orElseThrow();
        assertThat(judged.lastUserText()).isEqualTo("Tool: shell Args: {\"cmd\":\"date\"}");
        assertThat(judged.json().get("response_format")).isPresent(); // the verdict is asked for as JSON
        List<String> results = llm.requests().get(llm.requests().size() - 1).messages().stream()
                .filter(ToolResultMessage.class::isInstance).map(m -> ((ToolResultMessage) m).content()).toList();
        // The judge allowed `date` (no approver needed); its unreadable answer about curl refused that call.
        assertThat(results.get(0)).doesNotContain("denied");
        assertThat(results.get(1)).startsWith("The tool call was denied: hook 'model openai/gpt-4o-mini' on "
                + "pre_tool_use failed: the judge model did not answer with a JSON verdict");
    }

    @Test
    void validateAlsoChecksTheModelsOfModelHooksAndChatJudgedEvaluators() {
        Team team = load("""
                evaluators:
                  safety_judge:
                    provider: anthropic
                    model: judge-mini
                    type: boolean
                    instructions: Is the call dangerous?
                agents:
                  root:
                    model: openai/gpt-5
                    instruction: Work.
                    toolsets:
                      - type: shell
                    hooks:
                      pre_tool_use:
                        - matcher: shell
                          hooks:
                            - type: model
                              model: google/gemini-2.5-flash
                              schema: pre_tool_use_decision
                              prompt: "Tool: {{ .ToolName }}"
                      tool_guard:
                        - matcher: shell
                          hooks:
                            - type: evaluator
                              evaluator: safety_judge
                              routing_policy:
                                "true": deny
                                "false": allow
                """);
        // The agent's own model has its key: before, validate() passed and the hooks failed at their first event.
        try (ModelRegistry agentKeyOnly = ModelRegistry.builder().environment(Map.of("OPENAI_API_KEY", "sk-test"))
                .build()) {
            assertThatThrownBy(() -> team.validate(agentKeyOnly)).isInstanceOf(TeamValidationException.class)
                    .hasMessageContaining("model 'google/gemini-2.5-flash' of [root (pre_tool_use hook)]")
                    .hasMessageContaining("GOOGLE_API_KEY")
                    .hasMessageContaining("model 'anthropic/judge-mini' of [root (tool_guard hook)]")
                    .hasMessageContaining("ANTHROPIC_API_KEY")
                    .hasMessageNotContaining("OPENAI_API_KEY");
        }
        try (ModelRegistry allKeys = ModelRegistry.builder().environment(Map.of("OPENAI_API_KEY", "sk-test",
                "GOOGLE_API_KEY", "g-test", "ANTHROPIC_API_KEY", "a-test")).build()) {
            team.validate(allKeys); // nothing left to report
        }
    }

    @Test
    void commandsRunByNameSwitchAgentsAndTheWelcomeMessageIsKept() {
        Team team = load("""
                agents:
                  root:
                    model: openai/gpt-5
                    welcome_message: "Hi! Try /df or /plan."
                    sub_agents: [planner]
                    commands:
                      df: "Check free disk space on $1"
                      plan:
                        description: Switch to the planner
                        agent: planner
                      docs:
                        url: https://docs.example.com/{{session_id}}
                    use_commands: [common]
                  planner:
                    model: openai/gpt-5
                    instruction: You plan.
                commands:
                  common:
                    greet: Say hello to ${env.USER_NAME || 'friend'}
                """);
        assertThat(team.root().welcomeMessage()).isEqualTo("Hi! Try /df or /plan.");
        assertThat(team.root().commands().keySet()).containsExactly("greet", "df", "plan", "docs");
        llm.respond(ScriptedReply.text("42 GB free")).respond(ScriptedReply.text("hello friend"))
                .respond(ScriptedReply.text("a plan"));
        Session session = Session.create("s1");
        try (Runner runner = team.runner().models(llm.models()).build()) {
            runner.runCommand(session, "/df", "/home");
            runner.runCommand(session, "greet");
            AgentResult planned = runner.runCommand(session, "plan", "Plan", "a", "release");
            assertThat(planned.agent()).isEqualTo("planner");
            assertThatThrownBy(() -> runner.runCommand(session, "nope")).hasMessageContaining("has no command or skill 'nope'");
            assertThatThrownBy(() -> runner.runCommand(Session.create("s2"), "docs"))
                    .hasMessageContaining("opens https://docs.example.com/s2");
        }
        assertThat(llm.requests()).extracting(RecordedChatRequest::lastUserText)
                .containsExactly("Check free disk space on /home", "Say hello to friend", "Plan a release");
        assertThat(llm.requests().get(2).systemPrompt()).startsWith("You plan.");
    }

    @Test
    void secretsAreRedactedByDefaultAndNotWhenTheFileSaysSo() {
        String yaml = """
                agents:
                  root:
                    model: openai/gpt-5
                    %s
                """;
        llm.respond(ScriptedReply.text("ok")).respond(ScriptedReply.text("ok"));
        for (String field : List.of("", "redact_secrets: false")) {
            try (Runner runner = load(yaml.formatted(field)).runner().models(llm.models()).build()) {
                runner.run("my token is ghp_abcdefghijklmnopqrstuvwxyz0123456789");
            }
        }
        assertThat(llm.requests().get(0).lastUserText()).isEqualTo("my token is [REDACTED]");
        assertThat(llm.requests().get(1).lastUserText()).isEqualTo("my token is ghp_abcdefghijklmnopqrstuvwxyz0123456789");
    }

    @Test
    void safetyModesDecideWhatNoPatternDecides() {
        List<String> asked = new CopyOnWriteArrayList<>();
        Team team = load("""
                runtime:
                  safety: restricted
                agents:
                  root:
                    model: openai/gpt-5
                    sub_agents: [careful]
                    toolsets:
                      - type: shell
                      - type: filesystem
                  careful:
                    model: openai/gpt-5
                    safety: strict
                    toolsets:
                      - type: filesystem
                permissions:
                  allow: ["shell:cmd=echo *"]
                """);
        llm.respondWith(req -> {
            boolean careful = req.toolNames().contains("read_file") && !req.toolNames().contains("shell");
            long done = req.messages().stream().filter(ToolResultMessage.class::isInstance).count();
            if (careful) {
                return done == 0 ? ScriptedReply.toolCall("list_directory", Map.of("path", ".")) : ScriptedReply.text("looked");
            }
            return switch ((int) done) {
                case 0 -> ScriptedReply.toolCall("shell", Map.of("cmd", "echo allowed"));
                case 1 -> ScriptedReply.toolCall("shell", Map.of("cmd", "touch not-allowed"));
                case 2 -> ScriptedReply.toolCall("list_directory", Map.of("path", "."));
                case 3 -> ScriptedReply.toolCall("transfer_task", Map.of("agent", "careful", "task", "look", "expected_output", ""));
                default -> ScriptedReply.text("done");
            };
        });
        try (Runner runner = team.runner().models(llm.models()).approver(req -> {
            asked.add(req.agent() + ":" + req.call().name());
            return Approval.once();
        }).build()) {
            runner.run("go");
        }
        List<String> results = llm.requests().get(llm.requests().size() - 1).messages().stream()
                .filter(ToolResultMessage.class::isInstance).map(m -> ((ToolResultMessage) m).content()).toList();
        assertThat(results.get(0)).contains("allowed");                    // an allow pattern
        assertThat(results.get(1)).contains("the safety mode 'restricted' denies calls that no allow pattern approves");
        assertThat(results.get(2)).doesNotContain("denied");               // read-only runs under restricted
        assertThat(asked).containsExactly("careful:list_directory");        // strict asks even for read-only tools
        assertThat(dir.resolve("not-allowed")).doesNotExist();
    }

    @Test
    void repeatingTheSameToolCallStopsTheRunAtTheLimit() {
        Team team = load("""
                agents:
                  root:
                    model: openai/gpt-5
                    max_consecutive_tool_calls: 3
                    toolsets:
                      - type: think
                """);
        llm.respondWith(req -> ScriptedReply.toolCall("think", Map.of("thought", "again")));
        AgentResult r;
        try (Runner runner = team.runner().models(llm.models()).build()) {
            r = runner.run("go");
        }
        assertThat(r.stopReason()).isEqualTo(AgentResult.StopReason.LOOP_DETECTED);
        assertThat(llm.requests()).hasSize(4); // three calls ran, the fourth identical one stopped the run
        assertThat(r.output()).contains("repeated the same tool call 4 times in a row");
    }

    @Test
    void toolOutputBudgetsCutResultsAndOlderToolContent() throws Exception {
        Files.writeString(dir.resolve("big.txt"), "a".repeat(1000) + "MIDDLE" + "z".repeat(1000));
        Team team = load("""
                agents:
                  root:
                    model: openai/gpt-5
                    max_tool_result_tokens: 50
                    max_old_tool_call_tokens: 80
                    add_description_parameter: true
                    toolsets:
                      - type: filesystem
                        tools: [read_file]
                """);
        llm.respond(ScriptedReply.toolCall("read_file", Map.of("path", "big.txt", "description", "to see it")))
                .respond(ScriptedReply.toolCall("read_file", Map.of("path", "big.txt")))
                .respond(ScriptedReply.text("done"));
        try (Runner runner = team.runner().models(llm.models()).build()) {
            runner.run("read it twice");
        }
        assertThat(llm.requests().get(0).tools().get(0).parameters().toJson().toJson()).contains("\"description\"");
        List<String> results = llm.requests().get(2).messages().stream().filter(ToolResultMessage.class::isInstance)
                .map(m -> ((ToolResultMessage) m).content()).toList();
        // The newest result is kept (cut in the middle to ~200 characters); the older one no longer fits the budget.
        assertThat(results.get(0)).isEqualTo("[older tool output omitted to save context]");
        assertThat(results.get(1)).startsWith("a".repeat(100)).endsWith("z".repeat(100)).doesNotContain("MIDDLE")
                .contains("characters cut from the middle");
    }

    @Test
    void forcedAndBackAndForthHandoffsMoveTheConversation() {
        Team team = load("""
                agents:
                  extractor:
                    model: openai/gpt-5
                    instruction: Extract.
                    force_handoff: summarizer
                    handoffs: [reviewer]
                  summarizer:
                    model: openai/gpt-5
                    instruction: Summarize.
                  reviewer:
                    model: openai/gpt-5
                    instruction: Review.
                    handoffs: [extractor]
                """);
        assertThat(team.warnings()).isEmpty();
        assertThat(team.agents().get("reviewer").handoffNames()).containsExactly("extractor");
        llm.respondWith(req -> req.systemPrompt().startsWith("Extract.") ? ScriptedReply.text("facts")
                : ScriptedReply.text("summary of facts"));
        AgentResult r;
        try (Runner runner = team.runner().models(llm.models()).build()) {
            r = runner.run("process this");
        }
        assertThat(r.agent()).isEqualTo("summarizer");
        assertThat(r.output()).isEqualTo("summary of facts");
        assertThat(llm.requests()).extracting(req -> req.systemPrompt().substring(0, req.systemPrompt().indexOf('.')))
                .containsExactly("Extract", "Summarize");
        assertThat(llm.requests().get(1).messages()).anySatisfy(m -> assertThat(m).isEqualTo(new UserMessage("process this")));
        assertThatThrownBy(() -> load("""
                agents:
                  a:
                    model: openai/gpt-5
                    force_handoff: b
                  b:
                    model: openai/gpt-5
                    force_handoff: a
                """)).hasMessageContaining("force_handoff chain loops: a -> b -> a");
    }

    @Test
    void injectedMemoriesAreTheMostRelevantToTheLatestUserMessage() throws Exception {
        dev.keel.agents.toolsets.MemoryToolset store = dev.keel.agents.toolsets.Toolsets.memory(dir.resolve("memory.jsonl"));
        store.add("The deploy script lives in ops/deploy.sh");
        store.add("The user prefers tabs over spaces");
        store.add("Deploy only on Tuesdays; the deploy window closes at noon");
        store.add("Lunch is at noon");
        Team team = load("""
                agents:
                  root:
                    model: openai/gpt-5
                    inject_memories: true
                    max_inject_memories: 2
                    toolsets:
                      - type: memory
                        toon: ".*"
                """);
        assertThat(team.warnings()).isEmpty();
        llm.respond(ScriptedReply.text("ok")).respond(ScriptedReply.text("ok"));
        try (Runner runner = team.runner().models(llm.models()).build()) {
            runner.run("When does the deploy window close?");
            runner.run("xyzzy");
        }
        // The memory toolset is found under its TOON wrapper.
        String injected = ((SystemMessage) llm.requests().get(0).lastMessage()).text();
        assertThat(injected).startsWith("Memories you stored earlier that may be relevant:")
                .contains("Deploy only on Tuesdays", "ops/deploy.sh").doesNotContain("tabs", "Lunch");
        assertThat(injected.indexOf("Tuesdays")).isLessThan(injected.indexOf("ops/deploy.sh")); // two words match
        assertThat(llm.requests().get(1).lastMessage()).isInstanceOf(UserMessage.class); // nothing matches: nothing added
        assertThatThrownBy(() -> load("""
                agents:
                  root:
                    model: openai/gpt-5
                    inject_memories: true
                    inject_memories_strategy: llm
                """)).hasMessageContaining("'llm' is not a strategy; the only one is local");
    }
}
