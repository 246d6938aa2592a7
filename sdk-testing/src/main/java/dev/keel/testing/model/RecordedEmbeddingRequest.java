package dev.keel.testing.model;

import java.util.List;
import java.util.Objects;

/**
 * An Embeddings request as the {@link ScriptedModelServer} received it.
 *
 * @param sequence 1-based position among the embedding requests this server received
 * @param model    the model named by the request (empty if none)
 * @param inputs   the texts to embed, in order
 * @param body     the raw JSON body exactly as received
 */
public record RecordedEmbeddingRequest(int sequence, String model, List<String> inputs, String body) {
    /**
     * Creates the value, checking its components.
     *
     * @param sequence 1-based position among the embedding requests this server received
     * @param model the model named by the request (empty if none)
     * @param inputs the texts to embed, in order
     * @param body the raw JSON body exactly as received
     */
    public RecordedEmbeddingRequest {
        model = model == null ? "" : model;
        inputs = List.copyOf(inputs);
        Objects.requireNonNull(body, "body");
    }
}
