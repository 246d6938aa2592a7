package dev.keel.core.langchain4j;

import dev.keel.core.EmbeddingModel;
import dev.keel.core.ModelException;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import java.util.ArrayList;
import java.util.List;

/** A LangChain4j embedding model seen as a Keel {@link EmbeddingModel}. Thread-safe when the wrapped model is. */
final class LangChain4jEmbeddingModel implements EmbeddingModel {
    private final dev.langchain4j.model.embedding.EmbeddingModel model;
    // LangChain4j may compute the dimension by embedding a probe text, so it is asked once, lazily.
    private volatile int dimension;

    LangChain4jEmbeddingModel(dev.langchain4j.model.embedding.EmbeddingModel model) {
        this.model = model;
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
        if (texts.isEmpty()) {
            return List.of();
        }
        List<TextSegment> segments = texts.stream().map(TextSegment::from).toList();
        Response<List<Embedding>> response;
        try {
            response = model.embedAll(segments);
        } catch (RuntimeException e) {
            throw Conversion.fromLangChain4j(LangChain4jChatModel.PROVIDER, e);
        }
        List<Embedding> embeddings = response == null ? null : response.content();
        if (embeddings == null || embeddings.size() != texts.size()) {
            throw new ModelException.MalformedResponse(LangChain4jChatModel.PROVIDER, "LangChain4j model returned "
                    + (embeddings == null ? "no" : embeddings.size()) + " embeddings for " + texts.size() + " texts", null);
        }
        List<float[]> vectors = new ArrayList<>(embeddings.size());
        for (Embedding e : embeddings) {
            vectors.add(e.vector());
        }
        return List.copyOf(vectors);
    }

    @Override
    public int dimension() {
        int d = dimension;
        if (d == 0) {
            try {
                d = model.dimension();
            } catch (RuntimeException e) {
                throw Conversion.fromLangChain4j(LangChain4jChatModel.PROVIDER, e);
            }
            dimension = d;
        }
        return d;
    }

    @Override
    public String id() {
        return LangChain4jChatModel.PROVIDER + ":" + model.getClass().getSimpleName();
    }

    @Override
    public String toString() {
        return "LangChain4jEmbeddingModel[" + model.getClass().getName() + "]";
    }
}
