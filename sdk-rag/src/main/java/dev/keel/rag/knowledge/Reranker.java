package dev.keel.rag.knowledge;

import java.util.List;

/**
 * Scores passages against a question, for reranking. Implementations: {@link Rerankers#model} (a chat
 * model scores the passages) or your own (e.g. a cross-encoder service). Implementations state their
 * thread safety; the knowledge base calls one from several search threads at once.
 */
@FunctionalInterface
public interface Reranker {

    /**
     * One relevance score in {@code [0, 1]} per passage, in the order given (higher is more relevant).
     *
     * @param question the question
     * @param passages the passages to score
     * @return one relevance score in {@code [0, 1]} per passage
     * @throws RuntimeException when scoring fails; the knowledge base then fails the search
     */
    List<Double> score(String question, List<KnowledgeHit> passages);
}
