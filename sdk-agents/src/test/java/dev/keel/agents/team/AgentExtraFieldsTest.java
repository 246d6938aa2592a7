package dev.keel.agents.team;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.Agent;
import dev.keel.agents.AgentResult;
import dev.keel.agents.Runner;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code add_prompt_files_depth}, {@code conversation_starters}, {@code cache}, {@code code_mode_tools} and the
 * top-level {@code evaluators} of team files: acted on in runs against the scripted model server (or exposed, for
 * what a host shows), and malformed values as located errors.
 */
class AgentExtraFieldsTest {
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

    private static String sent(RecordedChatRequest r) {
        return String.join("\n", r.messages().stream().map(Object::toString).toList());
    }

    @Test
    void promptFilesBelowTheWorkingDirectoryAreListedByPathUpToTheDepth() throws Exception {
        Files.writeString(dir.resolve("AGENTS.md"), "ROOT RULES");
        for (String sub : List.of("api", "web/app", "web/app/deep", ".git", "node_modules/pkg")) {
            Files.createDirectories(dir.resolve(sub));
            Files.writeString(dir.resolve(sub).resolve("AGENTS.md"), "CONTENT OF " + sub);
        }
        Team team = load("""
                agents:
                  root:
                    model: openai/gpt-4o
                    add_prompt_files: [AGENTS.md]
                    add_prompt_files_depth: 2
                """);
        assertThat(team.warnings()).isEmpty();
        assertThat(team.root().promptFilesDepth()).isEqualTo(2);
        llm.respond(ScriptedReply.text("ok"));
        try (Runner runner = team.runner().models(llm.models()).build()) {
            runner.run("hello");
        }
        String sent = sent(llm.requests().get(0));
        assertThat(sent).contains("ROOT RULES").contains("api/AGENTS.md").contains("web/app/AGENTS.md")
                .doesNotContain("deep/AGENTS.md").doesNotContain(".git").doesNotContain("node_modules")
                .doesNotContain("CONTENT OF api"); // listed, not loaded
    }

    @Test
    void withoutADepthNothingBelowIsListed() throws Exception {
        Files.createDirectories(dir.resolve("api"));
        Files.writeString(dir.resolve("api/AGENTS.md"), "x");
        llm.respond(ScriptedReply.text("ok"));
        try (Runner runner = load("agents:\n  root:\n    model: openai/gpt-4o\n    add_prompt_files: [AGENTS.md]\n")
                .runner().models(llm.models()).build()) {
            runner.run("hello");
        }
        assertThat(sent(llm.requests().get(0))).doesNotContain("api/AGENTS.md");
    }

    @Test
    void conversationStartersAreExposedForHostsAndNeverSent() {
        Team team = load("""
                agents:
                  root:
                    model: openai/gpt-4o
                    conversation_starters:
                      - Review my last commit
                      - Explain this repository
                """);
        assertThat(team.warnings()).isEmpty();
        assertThat(team.root().conversationStarters()).containsExactly("Review my last commit", "Explain this repository");
        Agent copy = team.root().toBuilder().build();
        assertThat(copy).isEqualTo(team.root());
    }

    @Test
    void theResponseCacheReplaysAnAnswerWithoutCallingTheModelAndPersistsIt() throws Exception {
        String yaml = """
                agents:
                  root:
                    model: openai/gpt-4o
                    cache:
                      enabled: true
                      trim_spaces: true
                      path: cache/answers.json
                """;
        Team team = load(yaml);
        assertThat(team.warnings()).isEmpty();
        llm.respond(ScriptedReply.text("Keel is a JVM SDK for agents."));
        try (Runner runner = team.runner().models(llm.models()).build()) {
            assertThat(runner.run("What is Keel?").output()).isEqualTo("Keel is a JVM SDK for agents.");
            AgentResult again = runner.run("  what is KEEL?  ");
            assertThat(again.output()).isEqualTo("Keel is a JVM SDK for agents.");
            assertThat(again.iterations()).isZero();
        }
        assertThat(llm.requests()).hasSize(1);
        Path file = dir.resolve("cache/answers.json");
        assertThat(Files.readString(file)).contains("what is keel?").contains("Keel is a JVM SDK for agents.");
        // Another load of the file (another process, say) answers from the saved entries.
        try (Runner runner = load(yaml).runner().models(llm.models()).build()) {
            assertThat(runner.run("What is Keel?").output()).isEqualTo("Keel is a JVM SDK for agents.");
        }
        assertThat(llm.requests()).hasSize(1);
    }

    @Test
    void aCaseSensitiveCacheMissesOtherSpellingsAndAnUnreadableFileStartsEmpty() throws Exception {
        Files.writeString(dir.resolve("answers.json"), "{not json");
        Team team = load("""
                agents:
                  root:
                    model: openai/gpt-4o
                    cache: {enabled: true, case_sensitive: true, path: answers.json}
                """);
        llm.respond(ScriptedReply.text("one")).respond(ScriptedReply.text("two"));
        try (Runner runner = team.runner().models(llm.models()).build()) {
            assertThat(runner.run("Hi").output()).isEqualTo("one");
            assertThat(runner.run("hi").output()).isEqualTo("two");
            assertThat(runner.run("Hi").output()).isEqualTo("one");
        }
        assertThat(llm.requests()).hasSize(2);
    }

    @Test
    void aDisabledCacheCachesNothing() {
        Team team = load("agents:\n  root:\n    model: openai/gpt-4o\n    cache: {enabled: false, path: x.json}\n");
        assertThat(team.root().responseCache()).isEmpty();
        assertThat(team.warnings()).isEmpty();
    }

    @Test
    void codeModeToolsTurnsCodeModeOnWithTheDefaultLimitsAndFalseIsNothing() {
        Team on = load("agents:\n  root:\n    model: openai/gpt-4o\n    code_mode_tools: true\n");
        assertThat(on.warnings()).isEmpty();
        assertThat(on.root().codeMode()).contains(dev.keel.agents.CodeMode.defaults());
        Team off = load("agents:\n  root:\n    model: openai/gpt-4o\n    code_mode_tools: false\n");
        assertThat(off.warnings()).isEmpty();
        assertThat(off.root().codeMode()).isEmpty();
    }

    @Test
    void evaluatorsAreReadIntoTypedValuesOnTheTeam() {
        Team team = load("""
                models:
                  judge:
                    provider: openai
                    model: gpt-4o-mini
                evaluators:
                  polite:
                    model: judge
                    type: boolean
                    instructions: Is the answer polite?
                  topic:
                    provider: openai
                    model: gpt-4o-mini
                    type: choice
                    instructions: What is the answer about?
                    choices: {billing: money matters, tech: technical issues}
                    timeout: 30s
                    endpoint: https://judge.example.com/v1/decide
                  quality:
                    model: openai/gpt-4o
                    type: score
                    instructions: How good is the answer?
                    levels: [poor, fair, good]
                    cost: {input: 1, output: 2}
                agents:
                  root:
                    model: openai/gpt-4o
                """);
        assertThat(team.warnings()).isEmpty();
        Map<String, Evaluator> e = team.evaluators();
        assertThat(e).containsOnlyKeys("polite", "topic", "quality");
        assertThat(e.get("polite").kind()).isEqualTo(Evaluator.Kind.BOOLEAN);
        // Every one resolves, as docker-agent resolves it, to OpenAI's Decisions API.
        assertThat(e.values()).allSatisfy(v -> assertThat(v.usesJudgeService()).isTrue());
        assertThat(e.get("polite").provider()).isEqualTo("openai");
        assertThat(e.get("polite").model()).isEqualTo("gpt-4o-mini");
        assertThat(e.get("quality").model()).isEqualTo("gpt-4o");
        assertThat(e.get("topic").endpoint()).isEqualTo("https://judge.example.com/v1/decide");
        assertThat(e.get("topic").choices()).containsExactly(Map.entry("billing", "money matters"),
                Map.entry("tech", "technical issues"));
        assertThat(e.get("topic").timeLimit()).contains(Duration.ofSeconds(30));
        assertThat(e.get("quality").levels()).containsExactly("poor", "fair", "good");
        assertThat(e.get("quality").price()).isNotNull();
    }

    @Test
    void malformedValuesAreLocatedErrors() {
        String agent = "agents:\n  root:\n    model: openai/gpt-4o\n";
        error(agent + "    add_prompt_files_depth: -1\n", "team.yaml:4", "agents.root.add_prompt_files_depth", "0 or more");
        error(agent + "    add_prompt_files_depth: two\n", "team.yaml:4", "agents.root.add_prompt_files_depth",
                "whole number");
        error(agent + "    conversation_starters: {a: b}\n", "team.yaml:4", "agents.root.conversation_starters", "list");
        error(agent + "    cache: [true]\n", "team.yaml:4", "agents.root.cache", "mapping");
        error(agent + "    cache:\n      enabled: maybe\n", "team.yaml:5", "agents.root.cache.enabled", "true or false");
        error(agent + "    cache:\n      enabled: false\n      trim_spaces: 3\n", "team.yaml:6",
                "agents.root.cache.trim_spaces", "true or false");
        error(agent + "    code_mode_tools: please\n", "team.yaml:4", "agents.root.code_mode_tools", "true or false");
        String ev = agent + "evaluators:\n  x:\n    model: openai/gpt-4o\n    instructions: judge\n";
        error(ev + "    type: score\n    levels: [only]\n", "team.yaml:6", "evaluators.x", "2-10 levels");
        error(ev + "    type: choice\n    choices: {a: b, c: d}\n    levels: [x, y]\n", "team.yaml:6", "evaluators.x",
                "no levels");
        error(ev + "    type: boolean\n    choices: {a: b, c: d}\n", "team.yaml:6", "evaluators.x", "neither");
        error(ev + "    type: vibes\n", "team.yaml:8", "evaluators.x.type", "boolean, choice or score");
        error(ev + "    type: boolean\n    endpoint: https://user:pw@judge.example.com/?q=1\n", "team.yaml:9",
                "evaluators.x.endpoint", "without credentials");
        error(agent + "evaluators:\n  x:\n    model: openai/gpt-4o\n    type: boolean\n", "team.yaml:6",
                "evaluators.x.instructions", "missing");
    }

    private void error(String yaml, String... parts) {
        assertThatThrownBy(() -> load(yaml)).isInstanceOf(TeamFileException.class).satisfies(ex -> {
            for (String p : parts) {
                assertThat(ex.getMessage()).contains(p);
            }
        });
    }
}
