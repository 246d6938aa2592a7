package dev.keel.agents.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** Go's duration syntax, as docker-agent files and the scheduler's tool arguments write it. */
class GoDurationsTest {

    @Test
    void readsWhatGoWrites() {
        assertThat(GoDurations.parse("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(GoDurations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(GoDurations.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
        assertThat(GoDurations.parse(".5s")).isEqualTo(Duration.ofMillis(500));
        assertThat(GoDurations.parse("2.s")).isEqualTo(Duration.ofSeconds(2));
        assertThat(GoDurations.parse("300ms")).isEqualTo(Duration.ofMillis(300));
        assertThat(GoDurations.parse("7us")).isEqualTo(Duration.ofNanos(7_000));
        assertThat(GoDurations.parse("7µs")).isEqualTo(Duration.ofNanos(7_000));
        assertThat(GoDurations.parse("1ns")).isEqualTo(Duration.ofNanos(1));
        assertThat(GoDurations.parse("0")).isEqualTo(Duration.ZERO);
        assertThat(GoDurations.parse("-2m")).isEqualTo(Duration.ofMinutes(-2));
        assertThat(GoDurations.parse("+2m")).isEqualTo(Duration.ofMinutes(2));
        // exact where a double would not be: 0.1h is 360 seconds, not 359.99999…
        assertThat(GoDurations.parse("0.1h")).isEqualTo(Duration.ofSeconds(360));
    }

    @Test
    void refusesWhatGoRefuses() {
        for (String bad : new String[] {"", "5", "1d", "m", "1h 30m", "1.2.3s", "--1s", "1s-", "abc", "+", "1e3s"}) {
            assertThatThrownBy(() -> GoDurations.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not a duration");
        }
        assertThatThrownBy(() -> GoDurations.parse("3000000h")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("too long");
    }

    @Property
    void formatThenParseGivesTheSameWholeSeconds(@ForAll @LongRange(min = 0, max = 10_000_000) long seconds) {
        Duration d = Duration.ofSeconds(seconds);
        assertThat(GoDurations.parse(GoDurations.format(d))).isEqualTo(d);
    }
}
