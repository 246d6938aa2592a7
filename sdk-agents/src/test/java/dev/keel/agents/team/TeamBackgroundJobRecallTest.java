package dev.keel.agents.team;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.agents.AgentEvent;
import dev.keel.agents.AgentResult;
import dev.keel.agents.Decision;
import dev.keel.agents.Runner;
import dev.keel.agents.Session;
import dev.keel.agents.approval.Approval;
import dev.keel.agents.internal.ToonToolset;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolArguments;
import dev.keel.agents.tool.ToolContext;
import dev.keel.agents.tool.Toolset;
import dev.keel.agents.toolsets.BackgroundJobsToolset;
import dev.keel.core.json.JsonObject;
import dev.keel.core.message.Message;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.message.UserMessage;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * docker-agent's {@code background_jobs} {@code recall}, driven over real HTTP: real shell jobs, the scripted model
 * server as the model. Jobs wait on a gate file the test opens from inside a model reply, and the test waits (polls)
 * until the toolset saw the job end, so which request carries a recall never depends on timing.
 */
class TeamBackgroundJobRecallTest {
    private static final String RECALL_ON = """
            agents:
              root:
                model: openai/main-model
                toolsets:
                  - type: background_jobs
                    recall: true
                  - type: shell
            """;

    @TempDir
    Path dir;
    private ScriptedModelServer llm;
    private final List<AgentEvent.BackgroundJobRecalled> recalled = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        llm = ScriptedModelServer.start();
    }

    @AfterEach
    void stop() {
        llm.close();
    }

    private Team load(String yaml) {
        Team team = TeamFiles.parse(dir, yaml);
        assertThat(team.warnings()).isEmpty();
        return team;
    }

    private Runner runner(Team team) {
        Runner runner = team.runner().models(llm.models()).yolo(true).build();
        runner.events().subscribe(e -> {
            if (e instanceof AgentEvent.BackgroundJobRecalled r) {
                recalled.add(r);
            }
        });
        return runner;
    }

    /** A job that waits for {@code gate} to exist, then prints and exits with {@code exit}. */
    static String gated(String gate, String out, int exit) {
        return "while [ ! -f " + gate + " ]; do sleep 0.02; done; echo " + out + "; echo " + out + "-err >&2; exit " + exit;
    }

    private void open(String gate) {
        try {
            Files.writeString(dir.resolve(gate), "go");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static BackgroundJobsToolset jobs(Team team) {
        return jobs(team.root());
    }

    /** The agent's background jobs toolset. */
    static BackgroundJobsToolset jobs(dev.keel.agents.Agent agent) {
        for (Toolset t : agent.toolsets()) {
            if (ToonToolset.innermost(t) instanceof BackgroundJobsToolset b) {
                return b;
            }
        }
        throw new AssertionError("no background_jobs toolset");
    }

    /** Polls the toolset until {@code id} is no longer running (at most a minute). */
    static void awaitEnded(BackgroundJobsToolset jobs, String id) {
        Tool list = jobs.tools().stream().filter(t -> t.spec().name().equals("list_background_jobs")).findFirst()
                .orElseThrow();
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (true) {
            String all;
            try {
                all = list.call(ToolArguments.of(JsonObject.of(Map.of())),
                        new ToolContext("test", "test", new ConcurrentHashMap<>())).content();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            boolean ended = all.lines().anyMatch(l -> l.startsWith(id + " [") && !l.startsWith(id + " [running]"));
            if (ended) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(id + " did not end: " + all);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static long toolResults(RecordedChatRequest r) {
        return r.messages().stream().filter(ToolResultMessage.class::isInstance).count();
    }

    /** The user messages of {@code r} that are recalls. */
    private static List<String> recalls(RecordedChatRequest r) {
        return r.messages().stream().filter(UserMessage.class::isInstance).map(m -> ((UserMessage) m).text())
                .filter(t -> t.startsWith("Background job ")).toList();
    }

    private static Map<String, Object> run(String cmd, boolean recall) {
        return Map.of("cmd", cmd, "recall", recall);
    }

    @Test
    void aFailedJobIsToldWithItsExitCodeAndOutputBeforeTheNextModelCallAndTheRunGoesOnForIt() {
        Team team = load(RECALL_ON);
        BackgroundJobsToolset jobs = jobs(team);
        llm.respondWith(req -> switch ((int) toolResults(req)) {
            case 0 -> ScriptedReply.toolCall("run_background_job", run(gated("gate", "built-42", 3), true));
            case 1 -> {
                if (recalls(req).isEmpty()) {
                    open("gate");
                    awaitEnded(jobs, "job_1");
                    // The model ends its turn; the job ended while it answered, so the run goes on with the recall.
                    yield ScriptedReply.text("waiting for the build");
                }
                yield ScriptedReply.text("the build failed with 3");
            }
            default -> ScriptedReply.text("unexpected");
        });
        AgentResult result;
        try (Runner runner = runner(team)) {
            result = runner.run("build it in the background");
        }
        assertThat(result.output()).isEqualTo("the build failed with 3");
        assertThat(result.stopReason()).isEqualTo(AgentResult.StopReason.COMPLETED);
        List<RecordedChatRequest> r = llm.requests();
        assertThat(r).hasSize(3);
        assertThat(r.get(0).json().toJson()).contains("\"recall\"");
        assertThat(r.get(1).messages().stream().filter(ToolResultMessage.class::isInstance)
                .map(m -> ((ToolResultMessage) m).content()).toList().get(0))
                .contains("Background job started with ID: job_1", "Recall: requested");
        assertThat(recalls(r.get(1))).isEmpty();
        assertThat(recalls(r.get(2))).singleElement().satisfies(m -> assertThat(m)
                .startsWith("Background job job_1 finished with status failed (exit code 3).")
                .contains("Command: " + gated("gate", "built-42", 3), "built-42", "built-42-err"));
        assertThat(r.get(2).lastMessage()).isInstanceOf(UserMessage.class);
        assertThat(recalled).singleElement().satisfies(e -> {
            assertThat(e.jobId()).isEqualTo("job_1");
            assertThat(e.state()).isEqualTo("failed");
            assertThat(e.exitCode()).isEqualTo(3);
            assertThat(e.agent()).isEqualTo("root");
        });
        llm.assertNoFailures();
    }

    @Test
    void aJobThatEndsDuringToolCallsIsToldAfterTheirResultsAndOnlyOnce() {
        Team team = load(RECALL_ON);
        BackgroundJobsToolset jobs = jobs(team);
        llm.respondWith(req -> switch ((int) toolResults(req)) {
            case 0 -> ScriptedReply.toolCall("run_background_job", run(gated("gate", "done-ok", 0), true));
            case 1 -> {
                open("gate");
                awaitEnded(jobs, "job_1");
                yield ScriptedReply.toolCall("list_background_jobs", Map.of());
            }
            case 2 -> ScriptedReply.toolCall("shell", Map.of("cmd", "echo more work"));
            default -> ScriptedReply.text("all done");
        });
        Session session = Session.create();
        try (Runner runner = runner(team)) {
            assertThat(runner.run(session, "go").output()).isEqualTo("all done");
        }
        List<RecordedChatRequest> r = llm.requests();
        assertThat(recalls(r.get(1))).isEmpty();
        List<Message> third = r.get(2).messages();
        assertThat(recalls(r.get(2))).singleElement().asString()
                .startsWith("Background job job_1 finished with status completed (exit code 0).").contains("done-ok");
        assertThat(third.get(third.size() - 1)).as("after the tool results of the turn").isInstanceOf(UserMessage.class);
        assertThat(third.get(third.size() - 2)).isInstanceOf(ToolResultMessage.class);
        assertThat(recalls(r.get(3))).as("kept in the history, never added twice").hasSize(1);
        assertThat(session.messages().stream().filter(UserMessage.class::isInstance)
                .filter(m -> ((UserMessage) m).text().startsWith("Background job job_1")).count()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void twoJobsAreToldInTheOrderTheyEnded(boolean secondEndsFirst) {
        Team team = load(RECALL_ON);
        BackgroundJobsToolset jobs = jobs(team);
        llm.respondWith(req -> switch ((int) toolResults(req)) {
            case 0 -> ScriptedReply.toolCall("run_background_job", run(gated("gate-a", "out-a", 0), true));
            case 1 -> ScriptedReply.toolCall("run_background_job", run(gated("gate-b", "out-b", 1), true));
            case 2 -> {
                if (!recalls(req).isEmpty()) {
                    yield ScriptedReply.text("both told");
                }
                List<String> order = secondEndsFirst ? List.of("b", "a") : List.of("a", "b");
                for (String g : order) {
                    open("gate-" + g);
                    awaitEnded(jobs, g.equals("a") ? "job_1" : "job_2");
                }
                yield ScriptedReply.text("waiting");
            }
            default -> ScriptedReply.text("unexpected");
        });
        try (Runner runner = runner(team)) {
            assertThat(runner.run("two jobs").output()).isEqualTo("both told");
        }
        List<String> told = recalls(llm.requests().get(llm.requests().size() - 1));
        assertThat(told).hasSize(2);
        String a = "Background job job_1 finished with status completed (exit code 0).";
        String b = "Background job job_2 finished with status failed (exit code 1).";
        assertThat(told.get(0)).startsWith(secondEndsFirst ? b : a);
        assertThat(told.get(1)).startsWith(secondEndsFirst ? a : b);
        assertThat(recalled).extracting(AgentEvent.BackgroundJobRecalled::jobId)
                .containsExactly(secondEndsFirst ? "job_2" : "job_1", secondEndsFirst ? "job_1" : "job_2");
    }

    @Test
    void withoutRecallOnTheToolsetOrOnTheJobNoMessageIsEverAdded() {
        for (String yaml : List.of(RECALL_ON, RECALL_ON.replace("recall: true", "recall: false"),
                RECALL_ON.replace("        recall: true\n", ""))) {
            llm.close();
            llm = ScriptedModelServer.start();
            Team team = load(yaml);
            BackgroundJobsToolset jobs = jobs(team);
            boolean toolsetRecall = yaml.contains("recall: true");
            llm.respondWith(req -> switch ((int) toolResults(req)) {
                // the job asks for recall only where the toolset has no recall; where it has, the job does not ask
                case 0 -> ScriptedReply.toolCall("run_background_job", Map.of("cmd", "echo quiet", "recall",
                        !toolsetRecall));
                case 1 -> {
                    awaitEnded(jobs, "job_1");
                    yield ScriptedReply.toolCall("shell", Map.of("cmd", "echo next"));
                }
                default -> ScriptedReply.text("done");
            });
            Session session = Session.create();
            try (Runner runner = runner(team)) {
                runner.run(session, "go");
                runner.run(session, "anything new?");
            }
            List<RecordedChatRequest> r = llm.requests();
            assertThat(r).hasSize(4);
            assertThat(r).allSatisfy(req -> assertThat(recalls(req)).isEmpty());
            assertThat(r.get(0).toolNames()).contains("run_background_job");
            assertThat(r.get(0).json().toJson().contains("\"recall\"")).as(yaml).isEqualTo(toolsetRecall);
        }
        assertThat(recalled).isEmpty();
    }

    @Test
    void aJobStillRunningWhenTheRunEndsIsToldAtTheStartOfTheSessionsNextRun() {
        Team team = load(RECALL_ON);
        BackgroundJobsToolset jobs = jobs(team);
        llm.respondWith(req -> {
            if (req.messages().stream().anyMatch(m -> m instanceof UserMessage u && u.text().equals("unrelated"))) {
                return ScriptedReply.text(recalls(req).isEmpty() ? "nothing here" : "told the wrong session");
            }
            return toolResults(req) == 0
                    ? ScriptedReply.toolCall("run_background_job", run(gated("gate", "late-result", 0), true))
                    : ScriptedReply.text(recalls(req).isEmpty() ? "started, I will look later" : "it finished");
        });
        Session session = Session.create();
        Session other = Session.create();
        try (Runner runner = runner(team)) {
            AgentResult first = runner.run(session, "start the job");
            assertThat(first.output()).as("the run does not wait for the job").isEqualTo("started, I will look later");
            assertThat(llm.requests()).allSatisfy(req -> assertThat(recalls(req)).isEmpty());
            open("gate");
            awaitEnded(jobs, "job_1");
            assertThat(runner.run(other, "unrelated").output()).as("another session is not told")
                    .isEqualTo("nothing here");
            // the session as a store would give it back
            Session restored = Session.fromJson(session.toJson());
            assertThat(runner.run(restored, "is it done?").output()).isEqualTo("it finished");
        }
        RecordedChatRequest last = llm.requests().get(llm.requests().size() - 1);
        List<Message> m = last.messages();
        assertThat(recalls(last)).singleElement().asString().contains("late-result");
        assertThat(((UserMessage) m.get(m.size() - 2)).text()).as("after the user's new message").isEqualTo("is it done?");
        assertThat(recalls(llm.requests().get(llm.requests().size() - 2))).isEmpty();
    }

    @Test
    void aJobStoppedByTheAgentIsToldAsStoppedAsDockerAgentDoes() {
        Team team = load(RECALL_ON);
        llm.respondWith(req -> switch ((int) toolResults(req)) {
            case 0 -> ScriptedReply.toolCall("run_background_job", run("echo serving; exec sleep 300", true));
            case 1 -> ScriptedReply.toolCall("stop_background_job", Map.of("job_id", "job_1"));
            default -> ScriptedReply.text("stopped it");
        });
        try (Runner runner = runner(team)) {
            assertThat(runner.run("serve then stop").output()).isEqualTo("stopped it");
        }
        RecordedChatRequest last = llm.requests().get(2);
        assertThat(last.messages().stream().filter(ToolResultMessage.class::isInstance)
                .map(x -> ((ToolResultMessage) x).content()).toList().get(1)).contains("Job job_1 stopped.");
        assertThat(recalls(last)).singleElement().asString()
                .startsWith("Background job job_1 finished with status stopped.").doesNotContain("exit code");
        assertThat(recalled).singleElement().satisfies(e -> assertThat(e.exitCode()).isEqualTo(-1));
    }

    @Test
    void aFloodingJobIsToldWithTheEndOfItsOutputOnly() {
        Team team = load(RECALL_ON);
        BackgroundJobsToolset jobs = jobs(team);
        llm.respondWith(req -> switch ((int) toolResults(req)) {
            case 0 -> ScriptedReply.toolCall("run_background_job",
                    run("yes x | head -c 3000000; echo; echo THE-END-MARKER", true));
            case 1 -> {
                if (recalls(req).isEmpty()) {
                    awaitEnded(jobs, "job_1");
                    yield ScriptedReply.toolCall("list_background_jobs", Map.of());
                }
                yield ScriptedReply.text("unexpected");
            }
            default -> ScriptedReply.text("seen");
        });
        try (Runner runner = runner(team)) {
            assertThat(runner.run("flood").output()).isEqualTo("seen");
        }
        String told = recalls(llm.requests().get(llm.requests().size() - 1)).get(0);
        assertThat(told).contains("THE-END-MARKER", "last " + BackgroundJobsToolset.RECALL_OUTPUT_LIMIT + " characters");
        assertThat(told.length()).isLessThan(BackgroundJobsToolset.RECALL_OUTPUT_LIMIT + 1000);
    }

    @Test
    void aSecretInTheJobsOutputNeverReachesTheModelWhereToolOutputWouldBeRedacted() {
        String token = "ghp_" + "abcdefghijklmnopqrstuvwxyz0123456789";
        Team team = load(RECALL_ON); // team files redact secrets unless they say otherwise
        BackgroundJobsToolset jobs = jobs(team);
        String cmd = "while [ ! -f gate ]; do sleep 0.02; done; echo token=" + token;
        llm.respondWith(req -> switch ((int) toolResults(req)) {
            case 0 -> ScriptedReply.toolCall("run_background_job", run(cmd, true));
            case 1 -> {
                open("gate");
                awaitEnded(jobs, "job_1");
                yield ScriptedReply.toolCall("view_background_job", Map.of("job_id", "job_1"));
            }
            default -> ScriptedReply.text("ok");
        });
        try (Runner runner = runner(team)) {
            runner.run("print the token");
        }
        RecordedChatRequest last = llm.requests().get(2);
        assertThat(recalls(last)).singleElement().asString().contains("token=[REDACTED]").doesNotContain(token);
        assertThat(last.json().toJson()).as("neither the recall nor the tool output").doesNotContain(token);
        assertThat(recalled).singleElement().satisfies(e -> assertThat(e.command()).doesNotContain(token));
    }

    @Test
    void aRunThatSuspendsOnAnApprovalAndResumesLosesNoRecallAndRepeatsNone() {
        Team team = load(RECALL_ON);
        BackgroundJobsToolset jobs = jobs(team);
        llm.respondWith(req -> switch ((int) toolResults(req)) {
            case 0 -> ScriptedReply.toolCall("run_background_job", run(gated("gate-a", "out-a", 0), true));
            case 1 -> ScriptedReply.toolCall("run_background_job", run(gated("gate-b", "out-b", 0), true));
            case 2 -> {
                open("gate-a");
                awaitEnded(jobs, "job_1");
                yield ScriptedReply.toolCall("list_background_jobs", Map.of());
            }
            case 3 -> ScriptedReply.toolCall("shell", Map.of("cmd", "echo approved"));
            default -> ScriptedReply.text("both jobs told");
        });
        Session session = Session.create();
        try (Runner runner = team.runner().models(llm.models())
                .approver(req -> req.call().name().equals("shell") ? Approval.suspend() : Approval.once()).build()) {
            AgentResult first = runner.run(session, "go");
            assertThat(first.stopReason()).isEqualTo(AgentResult.StopReason.SUSPENDED);
            open("gate-b");
            awaitEnded(jobs, "job_2"); // ends while the run waits for a decision
            Session restored = Session.fromJson(session.toJson());
            String token = restored.pendingApproval().orElseThrow().token();
            AgentResult done = runner.resume(restored, token, Decision.approve("ops"));
            assertThat(done.output()).isEqualTo("both jobs told");
        }
        List<RecordedChatRequest> r = llm.requests();
        assertThat(recalls(r.get(3))).singleElement().asString().startsWith("Background job job_1 ");
        RecordedChatRequest last = r.get(r.size() - 1);
        assertThat(recalls(last)).hasSize(2);
        assertThat(recalls(last).get(0)).startsWith("Background job job_1 ");
        assertThat(recalls(last).get(1)).startsWith("Background job job_2 ").contains("out-b");
    }
}
