package dev.keel.rag.retrieve;

import dev.keel.core.message.AssistantMessage;
import dev.keel.core.message.Message;
import dev.keel.core.message.UserMessage;
import dev.keel.rag.chunk.Chunk;
import dev.keel.rag.chunk.Tokenizer;
import dev.keel.rag.chunk.Tokenizers;
import dev.keel.rag.store.Hit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds the prompt of a RAG turn: one system message made of the instructions and a knowledge block
 * (the hits, numbered, each with its source for citations), the last {@code historyTurns} user/assistant
 * turns, and the question as the final user message.
 *
 * <p>When a token budget is set and the prompt does not fit, the lowest-ranked hits are dropped first,
 * then the oldest history turns; the {@link AssembledPrompt} reports what was dropped. If the
 * instructions and question alone exceed the budget, {@link IllegalArgumentException} is thrown.
 * Immutable and thread-safe.
 */
public final class PromptAssembler {
    private final Tokenizer tokenizer;
    private final int budget;
    private final int historyTurns;
    private final String knowledgeHeading;

    private PromptAssembler(Tokenizer tokenizer, int budget, int historyTurns, String knowledgeHeading) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        if (budget < 1) {
            throw new IllegalArgumentException("token budget must be at least 1, got " + budget);
        }
        if (historyTurns < 0) {
            throw new IllegalArgumentException("historyTurns must not be negative, got " + historyTurns);
        }
        this.budget = budget;
        this.historyTurns = historyTurns;
        this.knowledgeHeading = Objects.requireNonNull(knowledgeHeading, "knowledgeHeading");
    }

    /**
     * Two turns of history, no budget, approximate token counts, heading {@code Knowledge base:}.
     *
     * @return two turns of history
     */
    public static PromptAssembler standard() {
        return new PromptAssembler(Tokenizers.approximate(), Integer.MAX_VALUE, 2, "Knowledge base:");
    }

    /**
     * Keeps the last {@code turns} user/assistant turns of history.
     *
     * @param turns the number of turns
     * @return the new assembler
     */
    public PromptAssembler withHistoryTurns(int turns) {
        return new PromptAssembler(tokenizer, budget, turns, knowledgeHeading);
    }

    /**
     * Fits the prompt into {@code tokens}, counted with {@code counter}.
     *
     * @param tokens the budget, in the counter's units
     * @param counter measures the prompt
     * @return the new assembler
     */
    public PromptAssembler withBudget(int tokens, Tokenizer counter) {
        return new PromptAssembler(counter, tokens, historyTurns, knowledgeHeading);
    }

    /**
     * The line that introduces the knowledge block.
     *
     * @param heading the heading
     * @return the line that introduces the knowledge block
     */
    public PromptAssembler withKnowledgeHeading(String heading) {
        return new PromptAssembler(tokenizer, budget, historyTurns, heading);
    }

    /**
     * Assembles the prompt.
     *
     * @param instructions system instructions
     * @param hits         retrieved hits, best first
     * @param history      earlier conversation (user and assistant messages; others are ignored)
     * @param question     the new user question
     * @return the prompt
     */
    public AssembledPrompt assemble(String instructions, List<Hit> hits, List<? extends Message> history,
                                    String question) {
        Objects.requireNonNull(instructions, "instructions");
        Objects.requireNonNull(hits, "hits");
        Objects.requireNonNull(history, "history");
        Objects.requireNonNull(question, "question");
        List<Message> window = window(history);
        List<Hit> included = new ArrayList<>(hits);
        List<Hit> dropped = new ArrayList<>();
        int droppedHistory = 0;
        while (true) {
            List<Message> messages = messages(instructions, included, window, question);
            int tokens = count(messages);
            if (tokens <= budget) {
                java.util.Collections.reverse(dropped);
                return new AssembledPrompt(messages, included, dropped, droppedHistory, tokens);
            }
            if (!included.isEmpty()) {
                dropped.add(included.remove(included.size() - 1));
            } else if (!window.isEmpty()) {
                int n = turnLength(window);
                window = new ArrayList<>(window.subList(n, window.size()));
                droppedHistory += n;
            } else {
                throw new IllegalArgumentException("instructions and question alone take " + tokens + " "
                        + tokenizer.unit() + ", over the budget of " + budget);
            }
        }
    }

    /** Length of the first turn of {@code window}: a user message and the assistant replies after it. */
    private static int turnLength(List<Message> window) {
        int n = 1;
        while (n < window.size() && !(window.get(n) instanceof UserMessage)) {
            n++;
        }
        return n;
    }

    private List<Message> window(List<? extends Message> history) {
        List<Message> turns = new ArrayList<>();
        for (Message m : history) {
            if (m instanceof UserMessage || (m instanceof AssistantMessage a && !a.text().isEmpty())) {
                turns.add(m);
            }
        }
        int users = 0;
        int from = turns.size();
        while (from > 0 && users < historyTurns) {
            from--;
            if (turns.get(from) instanceof UserMessage) {
                users++;
            }
        }
        if (historyTurns == 0) {
            from = turns.size();
        }
        return new ArrayList<>(turns.subList(from, turns.size()));
    }

    private List<Message> messages(String instructions, List<Hit> hits, List<Message> window, String question) {
        StringBuilder system = new StringBuilder(instructions);
        if (!hits.isEmpty()) {
            system.append("\n\n").append(knowledgeHeading);
            int n = 1;
            for (Hit hit : hits) {
                system.append("\n\n[").append(n++).append("] source: ").append(hit.sourceId());
                String path = hit.metadata().get(Chunk.HEADING_PATH);
                if (path != null) {
                    system.append(" (").append(path).append(')');
                }
                system.append('\n').append(hit.text().strip());
            }
        }
        List<Message> messages = new ArrayList<>();
        messages.add(Message.system(system.toString()));
        messages.addAll(window);
        messages.add(Message.user(question));
        return messages;
    }

    private int count(List<Message> messages) {
        int total = 0;
        for (Message m : messages) {
            String text = AssembledPrompt.textOf(m);
            total += tokenizer.count(text) + 4; // a few tokens of per-message overhead
        }
        return total;
    }

    @Override
    public String toString() {
        return "PromptAssembler[historyTurns=" + historyTurns + ", budget="
                + (budget == Integer.MAX_VALUE ? "none" : budget + " " + tokenizer.unit()) + "]";
    }
}
