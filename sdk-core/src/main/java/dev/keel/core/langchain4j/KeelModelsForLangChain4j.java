package dev.keel.core.langchain4j;

import dev.keel.core.ChatModel;
import dev.keel.core.EmbeddingModel;
import dev.keel.core.ModelException;
import dev.keel.core.StreamListener;
import dev.keel.core.message.ToolCall;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.Response;
import java.util.List;
import java.util.Set;

/** Keel models seen from LangChain4j (the reverse direction). */
final class KeelModelsForLangChain4j {
    private KeelModelsForLangChain4j() {}

    /** A Keel chat model as a LangChain4j {@code ChatModel}. Thread-safe when the Keel model is. */
    static final class Chat implements dev.langchain4j.model.chat.ChatModel {
        private final ChatModel model;

        Chat(ChatModel model) {
            this.model = model;
        }

        @Override
        public dev.langchain4j.model.chat.response.ChatResponse doChat(
                dev.langchain4j.model.chat.request.ChatRequest request) {
            try {
                return Conversion.toLangChain4j(model.chat(Conversion.fromLangChain4j(request)));
            } catch (ModelException e) {
                throw Conversion.toLangChain4j(e);
            }
        }

        @Override
        public Set<Capability> supportedCapabilities() {
            return Set.of(Capability.RESPONSE_FORMAT_JSON_SCHEMA);
        }

        @Override
        public String toString() {
            return "KeelChatModel[" + model.id() + "]";
        }
    }

    /**
     * A Keel chat model as a LangChain4j {@code StreamingChatModel}. The handler is called on the thread
     * that called {@code chat}, which returns once the answer is complete. Thread-safe when the Keel model is.
     */
    static final class Streaming implements dev.langchain4j.model.chat.StreamingChatModel {
        private final ChatModel model;

        Streaming(ChatModel model) {
            this.model = model;
        }

        @Override
        public void doChat(dev.langchain4j.model.chat.request.ChatRequest request, StreamingChatResponseHandler handler) {
            dev.keel.core.ChatRequest keelRequest;
            try {
                keelRequest = Conversion.fromLangChain4j(request);
            } catch (RuntimeException e) {
                handler.onError(e);
                return;
            }
            int[] completedCalls = {0};
            try {
                model.stream(keelRequest, new StreamListener() {
                    @Override
                    public void onText(String delta) {
                        handler.onPartialResponse(delta);
                    }

                    @Override
                    public void onToolCallDelta(int index, String id, String name, String argumentsDelta) {
                        handler.onPartialToolCall(PartialToolCall.builder().index(index).id(id).name(name)
                                .partialArguments(argumentsDelta).build());
                    }

                    @Override
                    public void onToolCall(ToolCall call) {
                        handler.onCompleteToolCall(new CompleteToolCall(completedCalls[0]++, Conversion.toLangChain4j(call)));
                    }

                    @Override
                    public void onComplete(dev.keel.core.ChatResponse response) {
                        handler.onCompleteResponse(Conversion.toLangChain4j(response));
                    }

                    @Override
                    public void onError(ModelException error) {
                        handler.onError(Conversion.toLangChain4j(error));
                    }
                });
            } catch (ModelException e) {
                // Already reported through onError, as StreamListener guarantees.
            } catch (RuntimeException e) {
                handler.onError(e);
            }
        }

        @Override
        public Set<Capability> supportedCapabilities() {
            return Set.of(Capability.RESPONSE_FORMAT_JSON_SCHEMA);
        }

        @Override
        public String toString() {
            return "KeelStreamingChatModel[" + model.id() + "]";
        }
    }

    /** A Keel embedding model as a LangChain4j {@code EmbeddingModel}. Thread-safe when the Keel model is. */
    static final class Embeddings implements dev.langchain4j.model.embedding.EmbeddingModel {
        private final EmbeddingModel model;

        Embeddings(EmbeddingModel model) {
            this.model = model;
        }

        @Override
        public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
            try {
                List<float[]> vectors = model.embedAll(segments.stream().map(TextSegment::text).toList());
                return Response.from(vectors.stream().map(Embedding::from).toList());
            } catch (ModelException e) {
                throw Conversion.toLangChain4j(e);
            }
        }

        @Override
        public int dimension() {
            return model.dimension();
        }

        @Override
        public String toString() {
            return "KeelEmbeddingModel[" + model.id() + "]";
        }
    }
}
