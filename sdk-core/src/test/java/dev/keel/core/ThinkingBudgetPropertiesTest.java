package dev.keel.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Locale;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** docker-agent's thinking_budget spellings parse to the right budget; token budgets map to the nearest effort. */
class ThinkingBudgetPropertiesTest {

    @Property
    void everyEffortParsesInAnyCaseAndPadding(@ForAll ThinkingBudget.Effort effort, @ForAll boolean upper) {
        String name = upper ? effort.wireName().toUpperCase(Locale.ROOT) : effort.wireName();
        assertThat(ThinkingBudget.parse("  " + name + " ")).isEqualTo(new ThinkingBudget.EffortLevel(effort, false));
        assertThat(ThinkingBudget.parse(name).effort()).isEqualTo(effort);
    }

    @Property
    void tokenBudgetsRoundTripAndMapToTheSmallestCoveringEffort(@ForAll @IntRange(min = 1, max = 1_000_000) int tokens) {
        ThinkingBudget b = ThinkingBudget.parse(Integer.toString(tokens));
        assertThat(b).isEqualTo(new ThinkingBudget.Tokens(tokens));
        ThinkingBudget.Effort e = b.effort();
        assertThat(e.compareTo(ThinkingBudget.Effort.HIGH)).isLessThanOrEqualTo(0);
        if (e != ThinkingBudget.Effort.HIGH) {
            assertThat(tokens).isLessThanOrEqualTo(e.tokens());
        }
        if (e != ThinkingBudget.Effort.MINIMAL) {
            assertThat(tokens).isGreaterThan(ThinkingBudget.Effort.values()[e.ordinal() - 1].tokens());
        }
    }

    @Example
    void docker_agentsSpecialValues() {
        assertThat(ThinkingBudget.parse("none")).isEqualTo(ThinkingBudget.off());
        assertThat(ThinkingBudget.parse("0")).isEqualTo(ThinkingBudget.off());
        assertThat(ThinkingBudget.parse("-1")).isEqualTo(ThinkingBudget.dynamic());
        assertThat(ThinkingBudget.parse("adaptive")).isEqualTo(ThinkingBudget.dynamic());
        assertThat(ThinkingBudget.parse("adaptive/xhigh"))
                .isEqualTo(new ThinkingBudget.EffortLevel(ThinkingBudget.Effort.XHIGH, true));
        assertThat(ThinkingBudget.off().effort()).isNull();
        for (String bad : new String[] {"", "adaptive/minimal", "extreme", "-2", "99999999999"}) {
            assertThatThrownBy(() -> ThinkingBudget.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
