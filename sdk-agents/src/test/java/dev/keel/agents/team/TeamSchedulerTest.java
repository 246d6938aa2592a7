package dev.keel.agents.team;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.agents.AgentEvent;
import dev.keel.agents.AgentResult;
import dev.keel.agents.Runner;
import dev.keel.agents.Session;
import dev.keel.agents.internal.ToonToolset;
import dev.keel.agents.tool.Toolset;
import dev.keel.agents.toolsets.MovingClock;
import dev.keel.agents.toolsets.SchedulerToolset;
import dev.keel.core.message.Message;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.message.UserMessage;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker-agent's {@code scheduler} toolset in team files, driven over real HTTP with the scripted model server as the
 * model and a clock the test moves: the test fires due schedules itself ({@code fireDue()}) at chosen points of the
 * script, so which request carries a schedule never depends on timing.
 */
class TeamSchedulerTest {
    private static final String TEAM = """
            agents:
              root:
                model: openai/main-model
                toolsets:
                  - type: scheduler
            """;
    private static final Instant T0 = MovingClock.T0;

    @TempDir
    Path dir;
    private ScriptedModelServer llm;
    private final MovingClock clock = new MovingClock();
    private final BlockingQueue<String> woken = new LinkedBlockingQueue<>();
    private final List<AgentEvent.ScheduleFired> fired = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        llm = ScriptedModelServer.start();
    }

    @AfterEach
    void stop() {
        llm.close();
    }

    private Team load() {
        Team team = Teams.parse(TEAM, "team.yaml", TeamFiles.isolated(dir).withServices(TeamServices.builder()
                .clock(clock).scheduleListener(woken::add).build()));
        assertThat(team.warnings()).isEmpty();
        return team;
    }

    private Runner runner(Team team) {
        Runner runner = team.runner().models(llm.models()).yolo(true).build();
        runner.events().subscribe(e -> {
            if (e instanceof AgentEvent.ScheduleFired f) {
                fired.add(f);
            }
        });
        return runner;
    }

    static SchedulerToolset scheduler(Team team) {
        for (Toolset t : team.root().toolsets()) {
            if (ToonToolset.innermost(t) instanceof SchedulerToolset s) {
                return s;
            }
        }
        throw new AssertionError("no scheduler toolset");
    }

    /** Replies in order, one step per request. */
    @SafeVarargs
    private void script(Function<RecordedChatRequest, ScriptedReply>... steps) {
        AtomicInteger at = new AtomicInteger();
        llm.respondWith(req -> {
            int i = at.getAndIncrement();
            return i < steps.length ? steps[i].apply(req) : ScriptedReply.text("unexpected request " + i);
        });
    }

    private static Function<RecordedChatRequest, ScriptedReply> reply(ScriptedReply r) {
        return req -> r;
    }

    private static ScriptedReply create(String prompt, String when) {
        return ScriptedReply.toolCall("create_schedule", Map.of("prompt", prompt, "when", when));
    }

    /** The user messages of {@code r} that are schedule fires. */
    private static List<String> fires(RecordedChatRequest r) {
        return r.messages().stream().filter(UserMessage.class::isInstance).map(m -> ((UserMessage) m).text())
                .filter(t -> t.startsWith("Scheduled task ")).toList();
    }

    private static List<String> toolResults(RecordedChatRequest r) {
        return r.messages().stream().filter(ToolResultMessage.class::isInstance)
                .map(m -> ((ToolResultMessage) m).content()).toList();
    }

    @Test
    void aScheduleDueWhileTheModelAnswersIsToldAndTheRunGoesOnWithoutWakingTheHost() {
        Team team = load();
        SchedulerToolset scheduler = scheduler(team);
        script(reply(ScriptedReply.toolCall("create_schedule", Map.of("prompt", "check the deploy", "when", "in:5m",
                        "name", "deploy"))),
                req -> {
                    clock.advance(Duration.ofMinutes(5));
                    assertThat(scheduler.fireDue()).isEqualTo(1);
                    return ScriptedReply.text("I will check in five minutes");
                },
                reply(ScriptedReply.text("deploy checked")));
        AgentResult result;
        Session session = Session.create();
        try (Runner runner = runner(team)) {
            result = runner.run(session, "remind me to check the deploy");
        }
        assertThat(result.output()).isEqualTo("deploy checked");
        assertThat(result.stopReason()).isEqualTo(AgentResult.StopReason.COMPLETED);
        List<RecordedChatRequest> r = llm.requests();
        assertThat(r).hasSize(3);
        assertThat(r.get(0).toolNames()).contains("create_schedule", "list_schedules", "cancel_schedule");
        assertThat(toolResults(r.get(1))).singleElement().asString()
                .isEqualTo("Scheduled \"deploy\" (sched-1): next fire at 2026-03-01T10:05:00Z.");
        assertThat(fires(r.get(1))).isEmpty();
        assertThat(r.get(2).lastMessage()).isInstanceOf(UserMessage.class);
        assertThat(fires(r.get(2))).containsExactly("Scheduled task \"deploy\" (sched-1) is due:\ncheck the deploy");
        assertThat(fired).singleElement().satisfies(e -> {
            assertThat(e.scheduleId()).isEqualTo("sched-1");
            assertThat(e.name()).isEqualTo("deploy");
            assertThat(e.dueAt()).isEqualTo(T0.plus(Duration.ofMinutes(5)));
            assertThat(e.sessionId()).isEqualTo(session.id());
            assertThat(e.agent()).isEqualTo("root");
        });
        assertThat(woken).as("a run was active: no need to wake the host").isEmpty();
        assertThat(scheduler.schedules(session.id())).as("a one-shot schedule ends when told").isEmpty();
        assertThat(scheduler.fireDue()).isZero();
    }

    @Test
    void aScheduleDueAfterTheRunReturnedWakesTheHostAndIsToldAtTheStartOfTheSessionsNextRun() {
        Team team = load();
        SchedulerToolset scheduler = scheduler(team);
        script(reply(create("send the daily report", "daily")), reply(ScriptedReply.text("scheduled")),
                reply(ScriptedReply.text("report sent")));
        Session session = Session.create();
        try (Runner runner = runner(team)) {
            runner.run(session, "send me a report every day");
            assertThat(scheduler.nextDue(session.id())).contains(T0.plus(Duration.ofDays(1)));
            clock.advance(Duration.ofDays(1));
            assertThat(scheduler.fireDue()).isEqualTo(1);
            assertThat(woken.poll()).as("the host is woken for the session").isEqualTo(session.id());
            assertThat(scheduler.fireDue()).isZero();
            assertThat(woken).as("once").isEmpty();
            // the host runs the session again, restored as a store would give it back
            Session restored = Session.fromJson(session.toJson());
            assertThat(runner.run(restored, "Scheduled work is due.").output()).isEqualTo("report sent");
            assertThat(scheduler.nextDue(session.id())).contains(T0.plus(Duration.ofDays(2)));
        }
        RecordedChatRequest last = llm.requests().get(2);
        List<Message> m = last.messages();
        assertThat(((UserMessage) m.get(m.size() - 2)).text()).as("after the host's message").isEqualTo(
                "Scheduled work is due.");
        assertThat(fires(last)).containsExactly("Scheduled task sched-1 is due:\nsend the daily report");
        assertThat(fired).singleElement().satisfies(e -> assertThat(e.name()).isEmpty());
        assertThat(woken).isEmpty();
        assertThat(scheduler.timerRunning()).as("the runner closed the toolset and its timer").isFalse();
    }

    @Test
    void aHostWhoseListenerRunsTheSessionRightAwayGetsTheScheduleDoneWithoutAnyoneElseAsking() {
        Map<String, Session> store = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicReference<Runner> host = new java.util.concurrent.atomic.AtomicReference<>();
        List<String> answers = new CopyOnWriteArrayList<>();
        Team team = Teams.parse(TEAM, "team.yaml", TeamFiles.isolated(dir).withServices(TeamServices.builder()
                .clock(clock).scheduleListener(id -> answers.add(host.get().run(store.get(id), "Scheduled work is due.")
                        .output())).build()));
        SchedulerToolset scheduler = scheduler(team);
        script(reply(create("water the plants", "every:2h")), reply(ScriptedReply.text("will do")),
                reply(ScriptedReply.text("plants watered")), reply(ScriptedReply.text("watered again")));
        Session session = Session.create();
        store.put(session.id(), session);
        try (Runner runner = runner(team)) {
            host.set(runner);
            runner.run(session, "water the plants every two hours");
            clock.advance(Duration.ofHours(2));
            assertThat(scheduler.fireDue()).isEqualTo(1);
            assertThat(answers).as("the listener ran the session inside the call").containsExactly("plants watered");
            clock.advance(Duration.ofHours(2));
            scheduler.fireDue();
            assertThat(answers).containsExactly("plants watered", "watered again");
        }
        List<RecordedChatRequest> r = llm.requests();
        assertThat(r).hasSize(4);
        assertThat(fires(r.get(2))).containsExactly("Scheduled task sched-1 is due:\nwater the plants");
        assertThat(fires(r.get(3))).as("each fire once, in the one session").hasSize(2);
        assertThat(fired).extracting(AgentEvent.ScheduleFired::dueAt)
                .containsExactly(T0.plus(Duration.ofHours(2)), T0.plus(Duration.ofHours(4)));
    }

    @Test
    void aRecurringScheduleMissedForHoursIsToldOnceAndItsNextFireSkipsTheMissedIntervals() {
        Team team = load();
        SchedulerToolset scheduler = scheduler(team);
        script(reply(create("poll the queue", "every:1h")), reply(ScriptedReply.text("polling hourly")),
                reply(ScriptedReply.toolCall("list_schedules", Map.of())), reply(ScriptedReply.text("polled")));
        Session session = Session.create();
        try (Runner runner = runner(team)) {
            runner.run(session, "poll the queue every hour");
            clock.advance(Duration.ofHours(1));
            assertThat(scheduler.fireDue()).isEqualTo(1);
            clock.advance(Duration.ofHours(5).plusMinutes(20)); // 16:20; the 12:00 to 16:00 fires are missed
            assertThat(scheduler.fireDue()).isZero();
            assertThat(woken).containsExactly(session.id());
            runner.run(session, "anything due?");
        }
        List<RecordedChatRequest> r = llm.requests();
        assertThat(fires(r.get(2))).containsExactly("Scheduled task sched-1 is due:\npoll the queue");
        assertThat(fired).singleElement().satisfies(e -> assertThat(e.dueAt()).isEqualTo(T0.plus(Duration.ofHours(1))));
        assertThat(toolResults(r.get(3)).get(1)).isEqualTo("1 active schedule(s):\n"
                + "- sched-1 [every:1h] next: 2026-03-01T17:00:00Z (every 1h)\n    poll the queue\n");
        assertThat(fires(r.get(3))).as("told once").hasSize(1);
    }

    @Test
    void aScheduleCancelledBeforeItFiresIsNeverTold() {
        Team team = load();
        SchedulerToolset scheduler = scheduler(team);
        script(reply(create("ping", "in:10m")), reply(ScriptedReply.toolCall("cancel_schedule", Map.of("id", "sched-1"))),
                reply(ScriptedReply.text("cancelled")), reply(ScriptedReply.text("nothing due")));
        Session session = Session.create();
        try (Runner runner = runner(team)) {
            runner.run(session, "ping me, then do not");
            clock.advance(Duration.ofHours(1));
            assertThat(scheduler.fireDue()).isZero();
            assertThat(runner.run(session, "anything?").output()).isEqualTo("nothing due");
        }
        assertThat(toolResults(llm.requests().get(2)).get(1)).isEqualTo("Cancelled schedule sched-1.");
        assertThat(llm.requests()).allSatisfy(req -> assertThat(fires(req)).isEmpty());
        assertThat(woken).isEmpty();
        assertThat(fired).isEmpty();
    }

    @Test
    void anotherSessionNeverSeesListsCancelsOrReceivesTheSchedule() {
        Team team = load();
        SchedulerToolset scheduler = scheduler(team);
        script(reply(create("alice's private plan", "in:1m")), reply(ScriptedReply.text("planned")),
                reply(ScriptedReply.toolCall("list_schedules", Map.of())),
                reply(ScriptedReply.toolCall("cancel_schedule", Map.of("id", "sched-1"))),
                reply(ScriptedReply.text("bob done")), reply(ScriptedReply.text("bob again")),
                reply(ScriptedReply.text("alice told")));
        Session alice = Session.create();
        Session bob = Session.create();
        try (Runner runner = runner(team)) {
            runner.run(alice, "plan");
            runner.run(bob, "what is scheduled? cancel it");
            clock.advance(Duration.ofMinutes(1));
            assertThat(scheduler.fireDue()).isEqualTo(1);
            assertThat(woken).containsExactly(alice.id());
            runner.run(bob, "anything for me?");
            runner.run(alice, "anything for me?");
        }
        List<RecordedChatRequest> r = llm.requests();
        assertThat(toolResults(r.get(3))).containsExactly("No active schedules.");
        assertThat(toolResults(r.get(4)).get(1))
                .isEqualTo("no schedule with id 'sched-1' in this session; list_schedules lists them");
        for (int i = 2; i <= 5; i++) {
            assertThat(r.get(i).json().toJson()).as("bob's request " + i).doesNotContain("alice's private plan");
        }
        assertThat(fires(r.get(6))).containsExactly("Scheduled task sched-1 is due:\nalice's private plan");
        assertThat(fired).singleElement().satisfies(e -> assertThat(e.sessionId()).isEqualTo(alice.id()));
    }

    @Test
    void badWhensTooLongPromptsAndAFullSessionAreToolErrorsTheModelCanActOn() {
        Team team = load();
        SchedulerToolset scheduler = scheduler(team);
        script(reply(create("spam", "every:10s")), reply(create("x".repeat(SchedulerToolset.DEFAULT_MAX_PROMPT_CHARS + 1),
                        "daily")), reply(create("once", "at:2020-01-01T00:00:00Z")), reply(ScriptedReply.text("gave up")));
        try (Runner runner = runner(team)) {
            runner.run("spam me");
        }
        List<String> results = toolResults(llm.requests().get(3));
        assertThat(results.get(0)).startsWith("invalid when 'every:10s': a recurring interval must be at least 1m, got "
                + "10s. Use in:<duration> (in:10m), at:<RFC 3339 time>");
        assertThat(results.get(1)).contains("4001 characters; at most 4000");
        assertThat(results.get(2)).contains("invalid when 'at:2020-01-01T00:00:00Z'", "is not in the future");
        assertThat(llm.requests().get(3).json().toJson()).as("errors reach the model as tool errors")
                .contains("invalid when");
        assertThat(scheduler.fireDue()).isZero();
        assertThat(scheduler.toString()).contains("0 schedules");
    }

    @Test
    void aSecretInAPromptReachesTheModelRedacted() {
        String token = "ghp_" + "abcdefghijklmnopqrstuvwxyz0123456789";
        Team team = load(); // team files redact secrets unless they say otherwise
        SchedulerToolset scheduler = scheduler(team);
        script(reply(create("rotate token=" + token, "in:1m")), req -> {
            clock.advance(Duration.ofMinutes(1));
            scheduler.fireDue();
            return ScriptedReply.text("later");
        }, reply(ScriptedReply.text("rotated")));
        try (Runner runner = runner(team)) {
            assertThat(runner.run("rotate it in a minute").output()).isEqualTo("rotated");
        }
        RecordedChatRequest last = llm.requests().get(2);
        assertThat(fires(last)).singleElement().asString().contains("token=[REDACTED]").doesNotContain(token);
        assertThat(last.json().toJson()).doesNotContain(token);
    }
}
