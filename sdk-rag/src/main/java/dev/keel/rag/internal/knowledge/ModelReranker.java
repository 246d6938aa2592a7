package dev.keel.rag.internal.knowledge;

import dev.keel.core.ChatModel;
import dev.keel.core.ChatRequest;
import dev.keel.core.message.Message;
import dev.keel.rag.knowledge.KnowledgeBaseException;
import dev.keel.rag.knowledge.KnowledgeHit;
import dev.keel.rag.knowledge.Reranker;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reranks with a chat model: one call per search, the passages numbered in the prompt, the answer a JSON
 * object {@code {"scores": [..]}}. A reply without exactly one number in [0, 1] per passage is an error
 * (named, with what came back), never a silent partial ranking. Thread-safe when the model is.
 */
public final class ModelReranker implements Reranker {
    private static final int MAX_PASSAGE_CHARS = 2000;
    private static final String SYSTEM = "You judge search results. For each numbered passage, rate how well it "
            + "answers the question, from 0 (irrelevant) to 1 (answers it directly). Reply with JSON only, "
            + "exactly {\"scores\": [s1, s2, ...]} with one number per passage, in passage order.";

    private final ChatModel model;
    private final String criteria;

    public ModelReranker(ChatModel model, String criteria) {
        this.model = Objects.requireNonNull(model, "model");
        this.criteria = criteria == null || criteria.isBlank() ? null : criteria.strip();
    }

    @Override
    public List<Double> score(String question, List<KnowledgeHit> passages) {
        if (passages.isEmpty()) {
            return List.of();
        }
        StringBuilder prompt = new StringBuilder("Question: ").append(question).append("\n\n");
        if (criteria != null) {
            prompt.append("Relevance criteria: ").append(criteria).append("\n\n");
        }
        for (int i = 0; i < passages.size(); i++) {
            KnowledgeHit hit = passages.get(i);
            String text = hit.text().length() > MAX_PASSAGE_CHARS ? hit.text().substring(0, MAX_PASSAGE_CHARS) + "…"
                    : hit.text();
            prompt.append("[").append(i + 1).append("] (").append(hit.source()).append(")\n").append(text)
                    .append("\n\n");
        }
        prompt.append("Scores for the ").append(passages.size()).append(" passages:");
        String reply = model.chat(ChatRequest.of(Message.system(SYSTEM), Message.user(prompt.toString()))).text();
        return parseScores(reply, passages.size());
    }

    /** The numbers of the first JSON array in {@code reply}; exactly {@code expected} of them, each in [0, 1]. */
    static List<Double> parseScores(String reply, int expected) {
        String text = reply == null ? "" : reply;
        int open = text.indexOf('[');
        int close = open < 0 ? -1 : text.indexOf(']', open);
        if (open < 0 || close < 0) {
            throw new KnowledgeBaseException("reranker model did not answer with a list of scores: " + preview(text));
        }
        List<Double> scores = new ArrayList<>();
        for (String part : text.substring(open + 1, close).split(",")) {
            String number = part.strip();
            if (number.isEmpty()) {
                continue;
            }
            double value;
            try {
                value = Double.parseDouble(number);
            } catch (NumberFormatException e) {
                throw new KnowledgeBaseException("reranker model gave a score that is not a number: '" + number + "' in "
                        + preview(text));
            }
            if (!(value >= 0 && value <= 1)) {
                throw new KnowledgeBaseException("reranker model gave a score outside [0, 1]: " + number);
            }
            scores.add(value);
        }
        if (scores.size() != expected) {
            throw new KnowledgeBaseException("reranker model gave " + scores.size() + " scores for " + expected
                    + " passages: " + preview(text));
        }
        return List.copyOf(scores);
    }

    private static String preview(String text) {
        return text.length() <= 200 ? "'" + text + "'" : "'" + text.substring(0, 200) + "…'";
    }

    @Override
    public String toString() {
        return "ModelReranker[" + model + (criteria != null ? ", criteria" : "") + "]";
    }
}
