package dev.keel.rag.langchain4j;

import dev.keel.core.EmbeddingModel;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Any LangChain4j {@code EmbeddingModel} as a Keel {@link EmbeddingModel}. Thread-safe when the wrapped
 * model is (LangChain4j's in-process models are).
 */
public final class LangChain4jEmbeddingModel implements EmbeddingModel {
    private final dev.langchain4j.model.embedding.EmbeddingModel delegate;
    private final int dimension;
    private final String id;

    private LangChain4jEmbeddingModel(dev.langchain4j.model.embedding.EmbeddingModel delegate, String id) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.dimension = delegate.dimension();
        this.id = id;
    }

    /** Wraps {@code model}; its dimension is read once, up front. */
    public static LangChain4jEmbeddingModel of(dev.langchain4j.model.embedding.EmbeddingModel model) {
        return new LangChain4jEmbeddingModel(model, "langchain4j:" + model.getClass().getSimpleName());
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
        Objects.requireNonNull(texts, "texts");
        if (texts.isEmpty()) {
            return List.of();
        }
        List<TextSegment> segments = new ArrayList<>(texts.size());
        for (String text : texts) {
            segments.add(TextSegment.from(Objects.requireNonNull(text, "text")));
        }
        List<Embedding> embeddings = delegate.embedAll(segments).content();
        List<float[]> vectors = new ArrayList<>(embeddings.size());
        for (Embedding e : embeddings) {
            vectors.add(e.vector());
        }
        return vectors;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String toString() {
        return "LangChain4jEmbeddingModel[" + id + ", dimension=" + dimension + "]";
    }
}
