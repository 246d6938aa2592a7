package dev.keel.agents.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.message.AssistantMessage;
import dev.keel.core.message.Message;
import dev.keel.core.message.ToolCall;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.message.UserMessage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class HistoryWindowPropertyTest {

    /** Conversations shaped like real ones: user turns, assistant turns with 0-3 tool calls followed by their results. */
    @Provide
    Arbitrary<List<Message>> conversations() {
        return Arbitraries.integers().between(0, 3).list().ofMaxSize(15).map(turns -> {
            List<Message> out = new ArrayList<>();
            int id = 0;
            for (int calls : turns) {
                out.add(Message.user("u" + out.size()));
                List<ToolCall> tc = new ArrayList<>();
                for (int i = 0; i < calls; i++) {
                    tc.add(new ToolCall("c" + id++, "t", "{}"));
                }
                out.add(Message.assistant("a", tc));
                tc.forEach(c -> out.add(Message.toolResult(c, "r")));
                if (calls > 0) {
                    out.add(Message.assistant("final"));
                }
            }
            return out;
        });
    }

    @Property
    void keepsUsersPairsToolResultsAndRespectsTheLimit(@ForAll("conversations") List<Message> history,
                                                      @ForAll @IntRange(min = 1, max = 12) int n) {
        List<Message> trimmed = HistoryWindow.trim(history, n);
        assertThat(trimmed.stream().filter(m -> m instanceof UserMessage).toList())
                .isEqualTo(history.stream().filter(m -> m instanceof UserMessage).toList());
        assertThat(trimmed.stream().filter(m -> !(m instanceof UserMessage)).count()).isLessThanOrEqualTo(n);
        Set<String> requested = new HashSet<>();
        for (Message m : trimmed) {
            if (m instanceof AssistantMessage a) {
                a.toolCalls().forEach(c -> requested.add(c.id()));
            } else if (m instanceof ToolResultMessage r) {
                assertThat(requested).as("result %s follows its call", r.toolCallId()).contains(r.toolCallId());
            }
        }
        // Order is preserved: the window is a subsequence of the history.
        int at = 0;
        for (Message m : trimmed) {
            while (history.get(at) != m) {
                at++;
            }
        }
        // The most recent message always survives.
        if (!history.isEmpty()) {
            assertThat(trimmed.get(trimmed.size() - 1)).isSameAs(history.get(history.size() - 1));
        }
    }

    @Property
    void zeroMeansEverything(@ForAll("conversations") List<Message> history) {
        assertThat(HistoryWindow.trim(history, 0)).isEqualTo(history);
    }
}
