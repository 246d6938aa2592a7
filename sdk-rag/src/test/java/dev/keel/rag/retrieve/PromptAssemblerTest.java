package dev.keel.rag.retrieve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.message.Message;
import dev.keel.core.message.SystemMessage;
import dev.keel.core.message.UserMessage;
import dev.keel.rag.chunk.Chunk;
import dev.keel.rag.chunk.Tokenizers;
import dev.keel.rag.store.Hit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PromptAssemblerTest {
    private static final List<Hit> HITS = List.of(
            new Hit("a#0", 0.9, "alpha ".repeat(10), Map.of("source", "a.md", Chunk.HEADING_PATH, "# A")),
            new Hit("b#0", 0.8, "bravo ".repeat(10), Map.of("source", "b.md")),
            new Hit("c#0", 0.7, "charlie ".repeat(10), Map.of("source", "c.md")));
    private static final List<Message> HISTORY = List.of(
            Message.user("q1"), Message.assistant("a1"), Message.user("q2"), Message.assistant("a2"),
            Message.user("q3"), Message.assistant("a3"));

    @Test
    void assemblesSystemKnowledgeHistoryWindowAndQuestion() {
        AssembledPrompt prompt = PromptAssembler.standard().assemble("Be terse.", HITS, HISTORY, "q4");
        List<Message> m = prompt.messages();
        assertThat(m).hasSize(1 + 4 + 1);
        String system = ((SystemMessage) m.get(0)).text();
        assertThat(system).startsWith("Be terse.\n\nKnowledge base:")
                .contains("[1] source: a.md (# A)\nalpha").contains("[2] source: b.md\nbravo")
                .contains("[3] source: c.md");
        assertThat(m.subList(1, 5)).containsExactly(Message.user("q2"), Message.assistant("a2"), Message.user("q3"),
                Message.assistant("a3"));
        assertThat(m.get(5)).isEqualTo(new UserMessage("q4"));
        assertThat(prompt.dropped()).isEmpty();
        assertThat(prompt.text()).contains("SYSTEM:\nBe terse.").endsWith("USER:\nq4");
    }

    @Test
    void budgetDropsLowestRankedChunksFirstThenOldestTurns() {
        PromptAssembler unlimited = PromptAssembler.standard();
        int full = unlimited.assemble("Be terse.", HITS, HISTORY, "q4").tokens();
        PromptAssembler tight = unlimited.withBudget(full - 5, Tokenizers.approximate());
        AssembledPrompt oneDropped = tight.assemble("Be terse.", HITS, HISTORY, "q4");
        assertThat(oneDropped.dropped()).extracting(Hit::id).containsExactly("c#0");
        assertThat(oneDropped.included()).extracting(Hit::id).containsExactly("a#0", "b#0");
        assertThat(oneDropped.tokens()).isLessThanOrEqualTo(full - 5);

        AssembledPrompt noKnowledge = unlimited.withBudget(40, Tokenizers.approximate())
                .assemble("Be terse.", HITS, HISTORY, "q4");
        assertThat(noKnowledge.included()).isEmpty();
        assertThat(noKnowledge.dropped()).extracting(Hit::id).containsExactly("a#0", "b#0", "c#0");
        assertThat(noKnowledge.droppedHistoryMessages()).isZero();

        AssembledPrompt lessHistory = unlimited.withBudget(24, Tokenizers.approximate())
                .assemble("Be terse.", HITS, HISTORY, "q4");
        assertThat(lessHistory.droppedHistoryMessages()).isEqualTo(2);
        assertThat(lessHistory.messages()).hasSize(4);

        assertThatThrownBy(() -> unlimited.withBudget(3, Tokenizers.approximate())
                .assemble("Be terse.", HITS, HISTORY, "q4")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("over the budget of 3");
    }

    @Test
    void historyWindowSizeIsConfigurable() {
        assertThat(PromptAssembler.standard().withHistoryTurns(0).assemble("s", List.of(), HISTORY, "q")
                .messages()).hasSize(2);
        assertThat(PromptAssembler.standard().withHistoryTurns(5).assemble("s", List.of(), HISTORY, "q")
                .messages()).hasSize(8);
        assertThatThrownBy(() -> PromptAssembler.standard().withHistoryTurns(-1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
