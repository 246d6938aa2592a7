package dev.keel.rag.knowledge;

import dev.keel.core.openai.OpenAiCompatible;
import dev.keel.core.openai.OpenAiEmbeddings;
import dev.keel.testing.model.ScriptedModelServer;
import java.util.Locale;

/**
 * Embeddings for tests where retrieval quality is not the point: the scripted model server answers
 * {@code /v1/embeddings} over real HTTP with a bag-of-words vector (each lower-cased word hashed into one of
 * 64 dimensions), so texts sharing words are close and every call is recorded and countable.
 */
final class WordVectors {
    static final int DIMENSION = 64;

    private WordVectors() {
    }

    static float[] of(String text) {
        float[] v = new float[DIMENSION];
        for (String word : text.toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) {
            if (!word.isEmpty()) {
                v[Math.floorMod(word.hashCode(), DIMENSION)] += 1;
            }
        }
        v[DIMENSION - 1] += 0.01f; // never the zero vector
        return v;
    }

    /** Serves word vectors from {@code server} and returns a client for them. */
    static OpenAiEmbeddings model(ScriptedModelServer server) {
        server.embeddings(WordVectors::of);
        return OpenAiCompatible.embeddings().baseUrl(server.baseUrl()).apiKey("test").model("words")
                .dimension(DIMENSION).build();
    }
}
