package dev.keel.agents.toolsets;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/** A recurring schedule's next fire: never in the past, on its grid of due + k·interval, no interval skipped too many. */
class SchedulerNextFirePropertyTest {

    @Property(tries = 2000)
    void theNextFireIsTheFirstPointOfTheGridAfterNow(@ForAll @LongRange(min = 0, max = 4_000_000_000L) long dueSeconds,
                                                      @ForAll @LongRange(min = 60, max = 60L * 86_400) long intervalSeconds,
                                                      @ForAll @IntRange(min = 0, max = 999_999_999) int intervalNanos,
                                                      @ForAll @LongRange(min = -60L * 86_400, max = 20L * 365 * 86_400)
                                                      long lagSeconds,
                                                      @ForAll @IntRange(min = 0, max = 999_999_999) int lagNanos) {
        Instant due = Instant.ofEpochSecond(dueSeconds);
        Duration interval = Duration.ofSeconds(intervalSeconds, intervalNanos);
        Instant now = due.plusSeconds(lagSeconds).plusNanos(lagNanos);
        Instant next = dev.keel.agents.internal.ScheduleTimes.nextAfter(due, interval, now);
        assertThat(next).as("never in the past").isAfter(now);
        Duration sinceDue = Duration.between(due, next);
        long k = sinceDue.dividedBy(interval);
        assertThat(k).isGreaterThanOrEqualTo(1);
        assertThat(due.plus(interval.multipliedBy(k))).as("aligned to due + k·interval").isEqualTo(next);
        Instant before = next.minus(interval);
        assertThat(k == 1 || !before.isAfter(now)).as("the first grid point after now, none skipped too many").isTrue();
    }

    /** Fire and take a recurring schedule at random moments: what the session is told stays on the grid, in order. */
    @Property(tries = 300)
    void firesTakenAtRandomMomentsStayOnTheGridInOrderAndNeverEarly(
            @ForAll @IntRange(min = 1, max = 180) int intervalMinutes,
            @ForAll @Size(min = 1, max = 40) List<@IntRange(min = 0, max = 600) Integer> stepsMinutes,
            @ForAll @Size(min = 1, max = 40) List<Boolean> takes) throws Exception {
        MovingClock clock = new MovingClock();
        Duration interval = Duration.ofMinutes(intervalMinutes);
        List<SchedulerToolset.Fire> told = new ArrayList<>();
        try (SchedulerToolset s = SchedulerToolset.builder().clock(clock).timer(false).build()) {
            assertThat(SchedulerToolsetTest.call(s, "s", "create_schedule", Map.of("prompt", "tick",
                    "when", "every:" + intervalMinutes + "m")).error()).isFalse();
            for (int i = 0; i < stepsMinutes.size(); i++) {
                clock.advance(Duration.ofMinutes(stepsMinutes.get(i)));
                Instant now = clock.instant();
                int fired = s.fireDue();
                assertThat(fired).isBetween(0, 1);
                assertThat(s.nextDue("s").orElseThrow()).as("due now or later, never lost")
                        .satisfiesAnyOf(t -> assertThat(t).isAfter(now),
                                t -> assertThat(s.schedules("s").get(0).waiting()).isTrue());
                if (takes.get(i % takes.size())) {
                    for (SchedulerToolset.Fire f : s.takeFires("s")) {
                        assertThat(f.dueAt()).isBeforeOrEqualTo(now);
                        told.add(f);
                    }
                    assertThat(s.nextDue("s").orElseThrow()).isAfter(now);
                }
            }
        }
        Instant start = SchedulerToolsetTest.T0;
        for (int i = 0; i < told.size(); i++) {
            Duration since = Duration.between(start, told.get(i).dueAt());
            assertThat(since.toNanos() % interval.toNanos()).isZero();
            if (i > 0) {
                assertThat(told.get(i).dueAt()).isAfter(told.get(i - 1).dueAt());
            }
        }
    }
}
