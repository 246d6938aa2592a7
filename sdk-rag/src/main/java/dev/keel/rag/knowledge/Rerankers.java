package dev.keel.rag.knowledge;

import dev.keel.core.ChatModel;
import dev.keel.rag.internal.knowledge.ModelReranker;

/**
 * Factories of {@link Reranker}s.
 *
 * <p>No in-process cross-encoder is offered: LangChain4j's in-process scoring artifact
 * ({@code langchain4j-onnx-scoring}) runs an ONNX cross-encoder but ships no model — the weights and
 * tokenizer must be downloaded from a model hub, which a library cannot do for its users offline and
 * which no Maven artifact provides. A cross-encoder you host can be plugged in as a {@link Reranker} lambda.
 */
public final class Rerankers {
    private Rerankers() {
    }

    /**
     * A reranker that asks {@code model} to score all passages of a search in one call: the prompt numbers
     * the passages and asks for a JSON object {@code {"scores": [..]}} with one relevance in [0, 1] per
     * passage. Thread-safe when the model is.
     *
     * @param model the model that scores
     * @return a reranker that asks {@code model} to score all passages of a search in one call
     */
    public static Reranker model(ChatModel model) {
        return new ModelReranker(model, null);
    }

    /**
     * Like {@link #model(ChatModel)}, with domain-specific relevance {@code criteria} appended to the
     * prompt (docker-agent's {@code reranking.criteria}).
     *
     * @param model the model that scores
     * @param criteria what makes a passage relevant in this domain
     * @return the reranker
     */
    public static Reranker model(ChatModel model, String criteria) {
        return new ModelReranker(model, criteria);
    }
}
