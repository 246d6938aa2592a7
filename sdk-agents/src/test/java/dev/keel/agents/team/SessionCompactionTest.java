package dev.keel.agents.team;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.AgentEvent;
import dev.keel.agents.AgentException;
import dev.keel.agents.Compaction;
import dev.keel.agents.Runner;
import dev.keel.agents.Session;
import dev.keel.core.message.UserMessage;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker-agent's session compaction ({@code session_compaction}, {@code compaction_threshold},
 * {@code compaction_model}, the model's and provider's {@code compaction_model} / {@code compaction_threshold},
 * {@code provider_opts.context_size}) run against the scripted model server over real HTTP: the compaction is a real
 * model call, the next calls carry the summary instead of the old turns, a resumed session continues from it, and a
 * failing compaction model leaves the session as it was.
 */
class SessionCompactionTest {
    /** About 290 tokens each: two of them are more than a fifth of a 1000-token window. */
    private static final String LONG_QUESTION = "Please look into the flaky payment tests. " + "details ".repeat(120);
    private static final String LONG_ANSWER = "I looked into the flaky payment tests. " + "findings ".repeat(100);

    @TempDir
    Path dir;
    private ScriptedModelServer llm;
    private final List<AgentEvent> events = new CopyOnWriteArrayList<>();

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

    private Runner runner(Team team) {
        Runner r = team.runner().models(llm.models()).build();
        r.events().subscribe(events::add);
        return r;
    }

    private static final String TEAM = """
            models:
              main:
                provider: openai
                model: main-model
                provider_opts:
                  context_size: 1000
                compaction_model: cheap
              cheap:
                provider: openai
                model: cheap-model
            agents:
              root:
                model: main
                instruction: Help with tests.
                compaction_threshold: 0.5
            """;

    private static boolean mentions(RecordedChatRequest r, String text) {
        return r.messages().stream().anyMatch(m -> m.toString().contains(text));
    }

    @Test
    void theContextReachingTheThresholdIsSummarisedByTheCompactionModelAndTheNextCallCarriesTheSummary() {
        Team team = load(TEAM);
        assertThat(team.warnings()).isEmpty();
        Compaction c = team.agents().get("root").compaction();
        assertThat(c.enabled()).isTrue();
        assertThat(c.threshold()).isEqualTo(0.5);
        assertThat(c.model().orElseThrow().label()).isEqualTo("openai/cheap-model");
        llm.respond(ScriptedReply.text(LONG_ANSWER).usage(620, 40))
                .respond(ScriptedReply.text("The user wants the flaky payment tests fixed; the cause is a shared clock.")
                        .usage(330, 20))
                .respond(ScriptedReply.text("Use a fixed clock in PaymentTest.").usage(150, 10));
        Session session = Session.create();
        try (Runner runner = runner(team)) {
            runner.run(session, LONG_QUESTION);
            assertThat(events).noneMatch(AgentEvent.SessionCompacted.class::isInstance);
            assertThat(runner.run(session, "So what should I change?").output())
                    .isEqualTo("Use a fixed clock in PaymentTest.");
        }
        List<RecordedChatRequest> requests = llm.requests();
        assertThat(requests).hasSize(3);
        RecordedChatRequest compaction = requests.get(1);
        assertThat(compaction.model()).isEqualTo("cheap-model");
        assertThat(compaction.tools()).isEmpty();
        assertThat(compaction.options().maxTokens()).isEqualTo(250); // a quarter of the window
        assertThat(compaction.systemPrompt()).contains("carry on from your summary");
        assertThat(compaction.lastUserText()).contains("Please look into the flaky payment tests")
                .contains("I looked into the flaky payment tests").doesNotContain("So what should I change?");

        RecordedChatRequest next = requests.get(2);
        assertThat(next.model()).isEqualTo("main-model");
        assertThat(mentions(next, "the cause is a shared clock")).isTrue();
        assertThat(mentions(next, "details details")).isFalse();
        assertThat(mentions(next, "findings findings")).isFalse();
        assertThat(next.lastUserText()).isEqualTo("So what should I change?");

        AgentEvent.SessionCompacted done = events.stream().filter(AgentEvent.SessionCompacted.class::isInstance)
                .map(AgentEvent.SessionCompacted.class::cast).findFirst().orElseThrow();
        assertThat(done.reason()).isEqualTo(Compaction.Reason.THRESHOLD);
        assertThat(done.model()).isEqualTo("openai/cheap-model");
        assertThat(done.compactedMessages()).isEqualTo(2);
        assertThat(done.tokensBefore()).isGreaterThanOrEqualTo(660); // the provider's count for the first call
        assertThat(done.tokensSaved()).isGreaterThan(400);
        assertThat(done.summary()).contains("shared clock");

        // Nothing is lost: the whole history stays, the summary stands in for its older part, usage counts the call.
        assertThat(session.messages()).hasSize(4);
        assertThat(session.summary()).contains(done.summary());
        assertThat(session.contextMessages()).hasSize(3).first().isInstanceOf(UserMessage.class);
        assertThat(session.usage().totalTokens()).isEqualTo(620 + 40 + 330 + 20 + 150 + 10);
    }

    @Test
    void aResumedSessionContinuesFromTheSummary() {
        llm.respond(ScriptedReply.text(LONG_ANSWER).usage(620, 40))
                .respond(ScriptedReply.text("SUMMARY-7: flaky payment tests, shared clock.").usage(300, 10))
                .respond(ScriptedReply.text("noted").usage(100, 5))
                .respond(ScriptedReply.text("still on it").usage(100, 5));
        Session session = Session.create();
        try (Runner runner = runner(load(TEAM))) {
            runner.run(session, LONG_QUESTION);
            runner.run(session, "Next?");
        }
        Session resumed = Session.fromJson(session.toJson());
        assertThat(resumed.summary()).isEqualTo(session.summary());
        assertThat(resumed.contextMessages()).isEqualTo(session.contextMessages());
        try (Runner runner = runner(load(TEAM))) {
            runner.run(resumed, "And now?");
        }
        RecordedChatRequest last = llm.requests().get(3);
        assertThat(mentions(last, "SUMMARY-7")).isTrue();
        assertThat(mentions(last, "details details")).isFalse();
        assertThat(last.lastUserText()).isEqualTo("And now?");
    }

    @Test
    void aFailingCompactionModelLeavesTheSessionUntouchedAndIsReported() {
        llm.respond(ScriptedReply.text(LONG_ANSWER).usage(620, 40))
                .respond(ScriptedReply.error(400, "model cheap-model is not available"))
                .respond(ScriptedReply.text("answer with the full history").usage(700, 10));
        Session session = Session.create();
        try (Runner runner = runner(load(TEAM))) {
            runner.run(session, LONG_QUESTION);
            String before = session.toJson();
            assertThat(runner.run(session, "Next?").output()).isEqualTo("answer with the full history");
            assertThat(before).doesNotContain("\"compaction\"");
        }
        AgentEvent.CompactionFailed failed = events.stream().filter(AgentEvent.CompactionFailed.class::isInstance)
                .map(AgentEvent.CompactionFailed.class::cast).findFirst().orElseThrow();
        assertThat(failed.reason()).isEqualTo(Compaction.Reason.THRESHOLD);
        assertThat(failed.message()).contains("openai/cheap-model").contains("not available");
        assertThat(events).noneMatch(AgentEvent.SessionCompacted.class::isInstance);
        assertThat(session.summary()).isEmpty();
        assertThat(session.contextMessages()).isEqualTo(session.messages());
        assertThat(mentions(llm.requests().get(2), "details details")).isTrue(); // the full history went out
        assertThat(session.toJson()).doesNotContain("\"compaction\"");
    }

    @Test
    void anEmptySummaryIsAFailureNotAnEmptyHistory() {
        llm.respond(ScriptedReply.text(LONG_ANSWER).usage(620, 40))
                .respond(ScriptedReply.text("   ").usage(300, 1))
                .respond(ScriptedReply.text("ok").usage(700, 1));
        Session session = Session.create();
        try (Runner runner = runner(load(TEAM))) {
            runner.run(session, LONG_QUESTION);
            runner.run(session, "Next?");
        }
        assertThat(events).anyMatch(e -> e instanceof AgentEvent.CompactionFailed f && f.message().contains("empty summary"));
        assertThat(session.summary()).isEmpty();
        assertThat(mentions(llm.requests().get(2), "details details")).isTrue();
    }

    @Test
    void aContextOverflowErrorCompactsAndRetriesOnceEvenWhenTheWindowIsUnknown() {
        Team team = load("""
                agents:
                  root:
                    model: openai/house-model
                """);
        llm.respond(ScriptedReply.text(LONG_ANSWER))
                .respond(ScriptedReply.error(400, "This model's maximum context length is exceeded")
                        .errorCode("context_length_exceeded"))
                .respond(ScriptedReply.text("SUMMARY-OVERFLOW"))
                .respond(ScriptedReply.text("fits now"));
        Session session = Session.create();
        try (Runner runner = runner(team)) {
            runner.run(session, LONG_QUESTION);
            assertThat(runner.run(session, "Next?").output()).isEqualTo("fits now");
        }
        assertThat(events).anyMatch(e -> e instanceof AgentEvent.SessionCompacted c
                && c.reason() == Compaction.Reason.OVERFLOW);
        RecordedChatRequest retry = llm.requests().get(3);
        assertThat(mentions(retry, "SUMMARY-OVERFLOW")).isTrue();
        assertThat(mentions(retry, "details details")).isFalse();
    }

    @Test
    void anOverflowThatCompactionCannotHelpFailsTheRunWithTheProvidersError() {
        Team team = load("""
                agents:
                  root:
                    model: openai/house-model
                """);
        llm.respond(ScriptedReply.error(400, "maximum context length exceeded").errorCode("context_length_exceeded"))
                .respond(ScriptedReply.text("SUMMARY"))
                .respond(ScriptedReply.error(400, "maximum context length still exceeded")
                        .errorCode("context_length_exceeded"));
        try (Runner runner = runner(team)) {
            // Compacted once and retried once; the second refusal ends the run with the provider's error.
            assertThatThrownBy(() -> runner.run("hi")).isInstanceOf(AgentException.class)
                    .hasMessageContaining("still exceeded");
        }
        assertThat(llm.requests()).hasSize(3);
        assertThat(events).filteredOn(AgentEvent.SessionCompacted.class::isInstance).hasSize(1);
        assertThat(events).last().isInstanceOf(AgentEvent.RunFailed.class);
    }

    @Test
    void sessionCompactionFalseTurnsAutomaticCompactionOffButRunnerCompactStillWorks() {
        Team team = load(TEAM.replace("compaction_threshold: 0.5", "compaction_threshold: 0.5\n    session_compaction: false"));
        assertThat(team.warnings()).isEmpty();
        assertThat(team.agents().get("root").compaction().enabled()).isFalse();
        llm.respond(ScriptedReply.text(LONG_ANSWER).usage(620, 40))
                .respond(ScriptedReply.text("full history").usage(700, 5))
                .respond(ScriptedReply.text("SUMMARY-MANUAL").usage(100, 5));
        Session session = Session.create();
        try (Runner runner = runner(team)) {
            runner.run(session, LONG_QUESTION);
            runner.run(session, "Next?");
            assertThat(mentions(llm.requests().get(1), "details details")).isTrue();
            AgentEvent.SessionCompacted manual = runner.compact(session).orElseThrow();
            assertThat(manual.reason()).isEqualTo(Compaction.Reason.MANUAL);
        }
        assertThat(session.summary()).contains("SUMMARY-MANUAL");
    }

    @Test
    void theRunnersSwitchTurnsAutomaticCompactionOffForEveryAgent() {
        llm.respond(ScriptedReply.text(LONG_ANSWER).usage(620, 40))
                .respond(ScriptedReply.text("full history").usage(700, 5));
        Session session = Session.create();
        try (Runner runner = load(TEAM).runner().models(llm.models()).sessionCompaction(false).build()) {
            runner.run(session, LONG_QUESTION);
            runner.run(session, "Next?");
        }
        assertThat(llm.requests()).hasSize(2);
        assertThat(session.summary()).isEmpty();
    }

    @Test
    void aManualCompactionWhoseModelFailsThrowsAndKeepsTheSession() {
        llm.respond(ScriptedReply.text(LONG_ANSWER).usage(100, 40))
                .respond(ScriptedReply.text("fine").usage(100, 5));
        Session session = Session.create();
        try (Runner runner = runner(load(TEAM.replace("compaction_threshold: 0.5", "compaction_threshold: 0.9")))) {
            runner.run(session, LONG_QUESTION);
            runner.run(session, "short"); // below the threshold: no compaction
            llm.respond(ScriptedReply.error(400, "no such model"));
            assertThatThrownBy(() -> runner.compact(session)).isInstanceOf(AgentException.class)
                    .hasMessageContaining("no such model");
        }
        assertThat(session.summary()).isEmpty();
    }

    @Test
    void aBeforeCompactionHookMaySupplyTheSummaryAndAPreCompactHookMayVetoIt() throws Exception {
        Path hook = Files.writeString(dir.resolve("summary.sh"),
                "#!/bin/sh\ncat > /dev/null\necho '{\"hook_specific_output\": {\"summary\": \"HOOK-SUMMARY\"}}'\n");
        hook.toFile().setExecutable(true);
        Team team = load(TEAM + """
                    hooks:
                      before_compaction:
                        - type: command
                          command: ./summary.sh
                """);
        assertThat(team.warnings()).isEmpty();
        llm.respond(ScriptedReply.text(LONG_ANSWER).usage(620, 40)).respond(ScriptedReply.text("ok").usage(100, 1));
        Session session = Session.create();
        try (Runner runner = runner(team)) {
            runner.run(session, LONG_QUESTION);
            runner.run(session, "Next?");
        }
        assertThat(llm.requests()).hasSize(2); // no summarising call
        assertThat(session.summary()).contains("HOOK-SUMMARY");
        assertThat(mentions(llm.requests().get(1), "HOOK-SUMMARY")).isTrue();

        Path veto = Files.writeString(dir.resolve("veto.sh"), "#!/bin/sh\ncat > /dev/null\nexit 2\n");
        veto.toFile().setExecutable(true);
        Team vetoing = load(TEAM + """
                    hooks:
                      pre_compact:
                        - type: command
                          command: ./veto.sh
                """);
        llm.respond(ScriptedReply.text(LONG_ANSWER).usage(620, 40)).respond(ScriptedReply.text("ok").usage(700, 1));
        Session other = Session.create();
        try (Runner runner = runner(vetoing)) {
            runner.run(other, LONG_QUESTION);
            runner.run(other, "Next?");
        }
        assertThat(other.summary()).isEmpty();
        assertThat(llm.requests()).hasSize(4);
    }

    @Test
    void theModelsThresholdWinsOverTheAgentsAndTheAgentsCompactionModelOverTheModels() {
        Team team = load("""
                providers:
                  house:
                    provider: openai
                    base_url: http://localhost:1/v1
                    compaction_model: openai/provider-summariser
                models:
                  main:
                    provider: house
                    model: main-model
                    compaction_threshold: 0.6
                agents:
                  root:
                    model: main
                    compaction_threshold: 0.8
                  helper:
                    model: main
                    compaction_model: openai/agent-summariser
                """);
        assertThat(team.warnings()).isEmpty();
        assertThat(team.agents().get("root").compaction().threshold()).isEqualTo(0.6);
        assertThat(team.agents().get("root").compaction().model().orElseThrow().label()).isEqualTo("openai/provider-summariser");
        assertThat(team.agents().get("helper").compaction().model().orElseThrow().label()).isEqualTo("openai/agent-summariser");
        assertThat(load("agents:\n  root:\n    model: openai/gpt-4o\n").agents().get("root").compaction())
                .isEqualTo(Compaction.defaults());
    }

    @Test
    void malformedCompactionFieldsAreLocatedErrors() {
        assertLoadError("agents:\n  root:\n    model: openai/gpt-4o\n    compaction_threshold: 1.5\n",
                "team.yaml:4", "agents.root.compaction_threshold", "at most 1");
        assertLoadError("agents:\n  root:\n    model: openai/gpt-4o\n    compaction_threshold: 0\n",
                "team.yaml:4", "agents.root.compaction_threshold", "more than 0");
        assertLoadError("agents:\n  root:\n    model: openai/gpt-4o\n    compaction_threshold: high\n",
                "team.yaml:4", "agents.root.compaction_threshold", "expected a number");
        assertLoadError("agents:\n  root:\n    model: openai/gpt-4o\n    session_compaction: sometimes\n",
                "team.yaml:4", "agents.root.session_compaction", "true or false");
        assertLoadError("agents:\n  root:\n    model: openai/gpt-4o\n    compaction_model: nowhere\n",
                "team.yaml:4", "agents.root.compaction_model", "nowhere");
        assertLoadError("models:\n  m:\n    provider: openai\n    model: x\n    compaction_threshold: 2\nagents:\n  root:\n"
                + "    model: m\n", "team.yaml:", "models.m.compaction_threshold", "at most 1");
    }

    private void assertLoadError(String yaml, String... parts) {
        assertThatThrownBy(() -> load(yaml)).isInstanceOf(TeamFileException.class).satisfies(e -> {
            for (String p : parts) {
                assertThat(e.getMessage()).contains(p);
            }
        });
    }

    @Test
    void contextSizeIsActedOnNotReportedAndABadOneIsReported() {
        assertThat(load(TEAM).warnings()).isEmpty();
        Team bad = load(TEAM.replace("context_size: 1000", "context_size: lots"));
        assertThat(bad.warnings()).anyMatch(w -> w.contains("provider_opts.context_size must be a positive whole number"));
    }
}
