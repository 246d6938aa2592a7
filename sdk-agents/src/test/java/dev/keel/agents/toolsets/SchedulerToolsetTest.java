package dev.keel.agents.toolsets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolArguments;
import dev.keel.agents.tool.ToolContext;
import dev.keel.agents.tool.ToolResult;
import dev.keel.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scheduler called directly, on a clock the test moves: what a bad {@code when}, a full session, another session,
 * a failing host listener and a closed toolset do. The runs that receive the fires are in {@code TeamSchedulerTest}.
 */
class SchedulerToolsetTest {
    static final Instant T0 = MovingClock.T0;

    private final MovingClock clock = new MovingClock();

    static ToolResult call(SchedulerToolset s, String session, String tool, Map<String, ?> args) throws Exception {
        Tool t = s.tools().stream().filter(x -> x.spec().name().equals(tool)).findFirst().orElseThrow();
        return t.call(ToolArguments.of(JsonObject.of(args)), new ToolContext("root", session, new ConcurrentHashMap<>()));
    }

    private static ToolResult create(SchedulerToolset s, String session, String when) throws Exception {
        return call(s, session, "create_schedule", Map.of("prompt", "check the " + when + " thing", "when", when));
    }

    private SchedulerToolset manual() {
        return SchedulerToolset.builder().clock(clock).timer(false).build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "sometimes", "in:", "in:10", "in:ten minutes", "in:-5m", "in:0s", "every:30s",
            "every:59.9s", "every:0", "every:-1h", "at:tomorrow", "at:2026-03-01 11:00", "at:2026-03-01T11:00:00",
            "at:2026-03-01T09:59:59Z", "at:2026-03-01T10:00:00Z", "yearly", "cron:* * * * *", "in:99999999999h"})
    void aBadWhenIsAToolErrorNamingTheAcceptedFormsAndCreatesNothing(String when) throws Exception {
        try (SchedulerToolset s = manual()) {
            ToolResult r = create(s, "s", when);
            assertThat(r.error()).as(when).isTrue();
            assertThat(r.content()).startsWith("invalid when '" + when.strip() + "': ")
                    .contains("in:<duration>", "at:<RFC 3339 time>", "every:<duration>", "minutely, hourly, daily, weekly");
            assertThat(s.schedules("s")).isEmpty();
            assertThat(s.nextDue("s")).isEmpty();
        }
    }

    @Test
    void theErrorsSayWhatIsWrong() throws Exception {
        try (SchedulerToolset s = manual()) {
            assertThat(create(s, "s", "every:30s").content()).contains("at least 1m, got 30s");
            assertThat(create(s, "s", "at:2026-03-01T09:00:00Z").content()).contains("not in the future");
            assertThat(create(s, "s", "in:-5m").content()).contains("must be positive");
            assertThat(create(s, "s", "in:5 minutes").content()).contains("is not a duration");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"in:90s|2026-03-01T10:01:30Z|0", "IN: 1h30m |2026-03-01T11:30:00Z|0",
            "in:1.5h|2026-03-01T11:30:00Z|0", "in:250ms|2026-03-01T10:00:00.250Z|0",
            "every:1m|2026-03-01T10:01:00Z|60", "Every:2h|2026-03-01T12:00:00Z|7200",
            "minutely|2026-03-01T10:01:00Z|60", "HOURLY|2026-03-01T11:00:00Z|3600",
            "daily|2026-03-02T10:00:00Z|86400", "weekly|2026-03-08T10:00:00Z|604800",
            "at:2026-03-01T12:00:00+01:00|2026-03-01T11:00:00Z|0", "at:2026-07-14T09:00:00Z|2026-07-14T09:00:00Z|0"})
    void theAcceptedFormsAsDockerAgentReadsThem(String row) throws Exception {
        String[] p = row.split("\\|");
        try (SchedulerToolset s = manual()) {
            ToolResult r = create(s, "s", p[0]);
            assertThat(r.error()).as(r.content()).isFalse();
            assertThat(r.content()).startsWith("Scheduled sched-1: next fire at " + p[1]);
            SchedulerToolset.Schedule one = s.schedules("s").get(0);
            assertThat(one.nextFire()).isEqualTo(Instant.parse(p[1]));
            assertThat(one.interval()).isEqualTo(Duration.ofSeconds(Long.parseLong(p[2])));
            assertThat(one.spec()).isEqualTo(p[0].strip());
        }
    }

    @Test
    void aSessionHoldsAtMostItsLimitOfSchedulesAndAPromptAtMostItsLimitOfCharacters() throws Exception {
        try (SchedulerToolset s = SchedulerToolset.builder().clock(clock).timer(false).maxSchedules(3)
                .maxPromptChars(50).build()) {
            for (int i = 0; i < 3; i++) {
                assertThat(create(s, "s", "in:" + (i + 1) + "m").error()).isFalse();
            }
            ToolResult full = create(s, "s", "in:9m");
            assertThat(full.error()).isTrue();
            assertThat(full.content()).contains("already has 3 schedules", "cancel_schedule");
            assertThat(create(s, "other", "in:9m").error()).as("the limit is per session").isFalse();
            assertThat(call(s, "s", "cancel_schedule", Map.of("id", "sched-2")).error()).isFalse();
            assertThat(create(s, "s", "in:9m").error()).as("room again after a cancel").isFalse();
            ToolResult tooLong = call(s, "other", "create_schedule", Map.of("prompt", "x".repeat(51), "when", "in:1m"));
            assertThat(tooLong.error()).isTrue();
            assertThat(tooLong.content()).contains("51 characters; at most 50");
            assertThat(call(s, "other", "create_schedule", Map.of("prompt", "x".repeat(50), "when", "in:1m")).error())
                    .isFalse();
            assertThat(call(s, "other", "create_schedule", Map.of("prompt", "  ", "when", "in:1m")).content())
                    .contains("prompt is required");
        }
        try (SchedulerToolset s = SchedulerToolset.create()) {
            for (int i = 0; i < SchedulerToolset.DEFAULT_MAX_SCHEDULES; i++) {
                assertThat(create(s, "s", "daily").error()).isFalse();
            }
            assertThat(create(s, "s", "daily").error()).isTrue();
            ToolResult tooLong = call(s, "s2", "create_schedule", Map.of("prompt",
                    "y".repeat(SchedulerToolset.DEFAULT_MAX_PROMPT_CHARS + 1), "when", "daily"));
            assertThat(tooLong.error()).isTrue();
        }
    }

    @Test
    void listIsSortedByNextFireThenByNumberNotByText() throws Exception {
        try (SchedulerToolset s = manual()) {
            for (int i = 0; i < 9; i++) {
                create(s, "s", "daily");
            }
            create(s, "s", "in:5m"); // sched-10
            create(s, "s", "at:2026-03-01T12:00:00Z"); // sched-11
            create(s, "s", "every:30m"); // sched-12
            create(s, "s", "weekly"); // sched-13
            assertThat(s.schedules("s")).extracting(SchedulerToolset.Schedule::id).containsExactly("sched-10",
                    "sched-12", "sched-11", "sched-1", "sched-2", "sched-3", "sched-4", "sched-5", "sched-6", "sched-7",
                    "sched-8", "sched-9", "sched-13");
            String list = call(s, "s", "list_schedules", Map.of()).content();
            assertThat(list).startsWith("13 active schedule(s):\n- sched-10 [in:5m] next: 2026-03-01T10:05:00Z (one-shot)")
                    .contains("- sched-12 [every:30m] next: 2026-03-01T10:30:00Z (every 30m)\n    check the every:30m thing");
            assertThat(list.indexOf("sched-11")).isLessThan(list.indexOf("sched-1 ")).isGreaterThan(list.indexOf("sched-12"));
            assertThat(s.nextDue("s")).contains(Instant.parse("2026-03-01T10:05:00Z"));
        }
    }

    @Test
    void anotherSessionNeverSeesListsCancelsOrReceivesASchedule() throws Exception {
        try (SchedulerToolset s = manual()) {
            call(s, "alice", "create_schedule", Map.of("prompt", "alice's secret plan", "when", "in:1m", "name", "plan"));
            assertThat(call(s, "bob", "list_schedules", Map.of()).content()).isEqualTo("No active schedules.");
            ToolResult cancel = call(s, "bob", "cancel_schedule", Map.of("id", "sched-1"));
            assertThat(cancel.error()).isTrue();
            assertThat(cancel.content()).isEqualTo("no schedule with id 'sched-1' in this session; list_schedules lists them");
            // a delegated session of bob's, and an id that merely starts like alice's, are other sessions too
            assertThat(call(s, "bob/alice", "list_schedules", Map.of()).content()).isEqualTo("No active schedules.");
            assertThat(call(s, "alice2", "cancel_schedule", Map.of("id", "sched-1")).error()).isTrue();
            clock.advance(Duration.ofMinutes(1));
            assertThat(s.fireDue()).isEqualTo(1);
            assertThat(s.takeFires("bob")).isEmpty();
            assertThat(s.takeFires("alice2")).isEmpty();
            assertThat(s.schedules("bob")).isEmpty();
            assertThat(s.takeFires("alice")).singleElement().satisfies(f -> {
                assertThat(f.message()).isEqualTo("Scheduled task \"plan\" (sched-1) is due:\nalice's secret plan");
                assertThat(f.dueAt()).isEqualTo(T0.plus(Duration.ofMinutes(1)));
            });
            assertThat(s.takeFires("alice")).as("taken once").isEmpty();
            assertThat(s.schedules("alice")).as("a one-shot schedule ends when told").isEmpty();
        }
    }

    @Test
    void aToolCallOfADelegatedSessionSchedulesForTheTopLevelSessionOfItsRun() throws Exception {
        try (SchedulerToolset s = manual()) {
            s.runStarted("top");
            create(s, "top/ab12cd34", "in:1m");
            assertThat(s.schedules("top")).hasSize(1);
            assertThat(call(s, "top", "list_schedules", Map.of()).content()).contains("sched-1");
            s.runEnded("top");
            create(s, "top/ab12cd34", "in:1m");
            assertThat(s.schedules("top/ab12cd34")).as("outside a run the caller is the owner").hasSize(1);
        }
    }

    @Test
    void aRecurringScheduleHasOneFireWaitingAtATimeAndSkipsTheIntervalsItMissed() throws Exception {
        try (SchedulerToolset s = manual()) {
            create(s, "s", "every:1h");
            clock.advance(Duration.ofMinutes(59));
            assertThat(s.fireDue()).isZero();
            clock.advance(Duration.ofMinutes(1));
            assertThat(s.fireDue()).isEqualTo(1);
            clock.advance(Duration.ofHours(3).plusMinutes(10)); // 14:10: the 12:00, 13:00 and 14:00 fires are missed
            assertThat(s.fireDue()).as("one fire waiting per schedule").isZero();
            assertThat(s.schedules("s").get(0).waiting()).isTrue();
            assertThat(s.nextDue("s")).as("due, run it now").contains(Instant.parse("2026-03-01T11:00:00Z"));
            List<SchedulerToolset.Fire> fires = s.takeFires("s");
            assertThat(fires).singleElement().satisfies(f -> assertThat(f.dueAt())
                    .isEqualTo(Instant.parse("2026-03-01T11:00:00Z")));
            assertThat(s.nextDue("s")).contains(Instant.parse("2026-03-01T15:00:00Z"));
            clock.advance(Duration.ofMinutes(49));
            assertThat(s.fireDue()).isZero();
            clock.advance(Duration.ofMinutes(1));
            assertThat(s.fireDue()).isEqualTo(1);
            assertThat(s.takeFires("s")).singleElement().satisfies(f -> assertThat(f.dueAt())
                    .isEqualTo(Instant.parse("2026-03-01T15:00:00Z")));
        }
    }

    @Test
    void cancellingDropsAFireNotTakenYetAndForgetDropsEverythingOfASession() throws Exception {
        BlockingQueue<String> woken = new LinkedBlockingQueue<>();
        try (SchedulerToolset s = SchedulerToolset.builder().clock(clock).timer(false).listener(woken::add).build()) {
            create(s, "s", "in:1m");
            create(s, "s", "in:2m");
            clock.advance(Duration.ofMinutes(1));
            s.runStarted("s"); // a run is active: the host is not woken
            assertThat(s.fireDue()).isEqualTo(1);
            assertThat(woken).isEmpty();
            assertThat(call(s, "s", "cancel_schedule", Map.of("id", " sched-1 ")).content())
                    .isEqualTo("Cancelled schedule sched-1.");
            assertThat(s.takeFires("s")).isEmpty();
            s.runEnded("s");
            clock.advance(Duration.ofMinutes(5));
            assertThat(s.forget("s")).isEqualTo(1);
            assertThat(s.fireDue()).isZero();
            assertThat(woken).isEmpty();
            assertThat(s.toString()).isEqualTo("SchedulerToolset[0 schedules in 0 sessions]");
        }
    }

    @Test
    void theHostIsWokenOnceWhenNoRunIsActiveAndAgainAfterTheRetryDelayWhenItsListenerFailed() throws Exception {
        BlockingQueue<String> woken = new LinkedBlockingQueue<>();
        AtomicInteger failures = new AtomicInteger(1);
        ScheduleListener listener = session -> {
            woken.add(session);
            if (failures.getAndDecrement() > 0) {
                throw new IllegalStateException("host queue full");
            }
        };
        try (SchedulerToolset s = SchedulerToolset.builder().clock(clock).timer(false).listener(listener).build()) {
            create(s, "s", "every:1m");
            clock.advance(Duration.ofMinutes(1));
            s.fireDue();
            assertThat(woken.poll()).isEqualTo("s");
            s.fireDue();
            assertThat(woken).as("not again before the retry delay").isEmpty();
            clock.advance(SchedulerToolset.RETRY_DELAY.minusSeconds(1));
            s.fireDue();
            assertThat(woken).isEmpty();
            clock.advance(Duration.ofSeconds(1));
            s.fireDue();
            assertThat(woken.poll()).as("retried").isEqualTo("s");
            clock.advance(Duration.ofHours(1));
            s.fireDue();
            assertThat(woken).as("the listener took it: once per due episode").isEmpty();
            // the host's run takes the fire; the next one wakes the host again
            s.runStarted("s");
            assertThat(s.takeFires("s")).hasSize(1);
            s.runEnded("s");
            clock.advance(Duration.ofMinutes(1));
            s.fireDue();
            assertThat(woken.poll()).isEqualTo("s");
            // a woken run that ended without taking the fire (it failed early): woken again after the retry delay
            s.runStarted("s");
            s.runEnded("s");
            s.fireDue();
            assertThat(woken).isEmpty();
            clock.advance(SchedulerToolset.RETRY_DELAY);
            s.fireDue();
            assertThat(woken.poll()).isEqualTo("s");
        }
    }

    @Test
    void aFireThatCameDueAfterTheRunsLastLookWakesTheHostWhenTheRunEnds() throws Exception {
        BlockingQueue<String> woken = new LinkedBlockingQueue<>();
        try (SchedulerToolset s = SchedulerToolset.builder().clock(clock).listener(woken::add).build()) {
            s.runStarted("s");
            create(s, "s", "in:1m");
            clock.advance(Duration.ofMinutes(1));
            assertThat(s.fireDue()).isEqualTo(1); // the run has already given its final answer, it does not look again
            assertThat(woken).isEmpty();
            s.runEnded("s");
            assertThat(woken.poll(1, TimeUnit.MINUTES)).as("woken from the timer thread").isEqualTo("s");
            assertThat(s.takeFires("s")).hasSize(1);
        }
    }

    @Test
    void theTimerThreadFiresOnItsOwnAndStopsOnClose() throws Exception {
        BlockingQueue<String> woken = new LinkedBlockingQueue<>();
        BlockingQueue<Thread> on = new LinkedBlockingQueue<>();
        SchedulerToolset s = SchedulerToolset.builder().listener(id -> {
            on.add(Thread.currentThread());
            woken.add(id);
        }).build();
        assertThat(s.timerRunning()).as("no thread before the first schedule").isFalse();
        assertThat(call(s, "s", "create_schedule", Map.of("prompt", "p", "when", "in:200ms")).error()).isFalse();
        assertThat(s.timerRunning()).isTrue();
        assertThat(woken.poll(1, TimeUnit.MINUTES)).isEqualTo("s");
        assertThat(s.takeFires("s")).singleElement().satisfies(f -> assertThat(f.message()).endsWith(":\np"));
        s.close();
        assertThat(s.timerRunning()).isFalse();
        Thread timer = on.poll();
        assertThat(timer.getName()).isEqualTo("keel-scheduler");
        assertThat(timer.isDaemon()).isTrue();
        timer.join(Duration.ofMinutes(1).toMillis()); // close waited for its work; the thread itself exits just after
        assertThat(timer.isAlive()).as("the timer thread ends on close").isFalse();
        assertThat(create(s, "s", "in:1m").content()).isEqualTo("the scheduler is closed");
        assertThat(s.fireDue()).isZero();
        s.close(); // twice is harmless
        assertThat(s.toString()).endsWith(", closed]");
    }
}
