package dev.keel.core.langchain4j;

import dev.keel.core.ChatModel;
import dev.keel.core.EmbeddingModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import java.util.Objects;

/**
 * Adapters between LangChain4j and Keel models.
 *
 * <pre>{@code
 * ChatModel keel = LangChain4j.chatModel(openAiChatModel, openAiStreamingChatModel);
 * EmbeddingModel embeddings = LangChain4j.embeddingModel(new AllMiniLmL6V2QuantizedEmbeddingModel());
 * }</pre>
 *
 * <p>Messages, tool specifications (JSON Schema), tool calls and results, generation options, finish
 * reason and token usage are converted both ways. LangChain4j exceptions become the matching typed
 * {@link dev.keel.core.ModelException} (authentication, rate limit, timeout, bad request, server error).
 * Options LangChain4j's generic request cannot express ({@code parallelToolCalls}, {@code thinkingBudget},
 * {@code seed}, schema strictness) are not passed on; configure them on the LangChain4j model instead.
 *
 * <p>The returned adapters hold no resources of their own and are thread-safe when the wrapped models are.
 */
public final class LangChain4j {
    private LangChain4j() {}

    /**
     * A LangChain4j chat model as a Keel {@link ChatModel}. {@link ChatModel#stream} replays the complete
     * answer, since a blocking LangChain4j model cannot stream.
     *
     * @param model the LangChain4j model
     * @return a LangChain4j chat model as a Keel {@link ChatModel}
     */
    public static ChatModel chatModel(dev.langchain4j.model.chat.ChatModel model) {
        return new LangChain4jChatModel(Objects.requireNonNull(model, "model"), null);
    }

    /**
     * A Keel {@link ChatModel} that uses {@code model} for {@link ChatModel#chat} and {@code streaming}
     * for {@link ChatModel#stream} (typically the blocking and streaming variants of one LangChain4j provider).
     *
     * @param model the LangChain4j model for blocking calls
     * @param streaming the LangChain4j model for streamed calls
     * @return a Keel {@link ChatModel} that uses {@code model} for {@link ChatModel#chat} and {@code streaming}
     *     for {@link ChatModel#stream}
     */
    public static ChatModel chatModel(dev.langchain4j.model.chat.ChatModel model, StreamingChatModel streaming) {
        return new LangChain4jChatModel(Objects.requireNonNull(model, "model"),
                Objects.requireNonNull(streaming, "streaming"));
    }

    /**
     * A LangChain4j streaming chat model as a Keel {@link ChatModel}; {@code chat} waits for the whole stream.
     *
     * @param streaming the LangChain4j streaming model
     * @return a LangChain4j streaming chat model as a Keel {@link ChatModel}
     */
    public static ChatModel chatModel(StreamingChatModel streaming) {
        return new LangChain4jChatModel(null, Objects.requireNonNull(streaming, "streaming"));
    }

    /**
     * A LangChain4j embedding model as a Keel {@link EmbeddingModel}.
     *
     * @param model the LangChain4j model
     * @return a LangChain4j embedding model as a Keel {@link EmbeddingModel}
     */
    public static EmbeddingModel embeddingModel(dev.langchain4j.model.embedding.EmbeddingModel model) {
        return new LangChain4jEmbeddingModel(Objects.requireNonNull(model, "model"));
    }

    /**
     * A Keel chat model as a LangChain4j {@code ChatModel}, for LangChain4j code (AI services, chains).
     * Keel's {@link dev.keel.core.ModelException}s surface as LangChain4j's typed exceptions.
     *
     * @param model the Keel model
     * @return a Keel chat model as a LangChain4j {@code ChatModel}
     */
    public static dev.langchain4j.model.chat.ChatModel asLangChain4jChatModel(ChatModel model) {
        return new KeelModelsForLangChain4j.Chat(Objects.requireNonNull(model, "model"));
    }

    /**
     * A Keel chat model as a LangChain4j {@code StreamingChatModel}: text deltas, tool-call deltas and
     * complete tool calls reach the handler as Keel's {@link dev.keel.core.StreamListener} receives them.
     * The handler runs on the thread that called {@code chat}, which returns when the answer is complete.
     *
     * @param model the Keel model
     * @return a Keel chat model as a LangChain4j {@code StreamingChatModel}
     */
    public static StreamingChatModel asLangChain4jStreamingChatModel(ChatModel model) {
        return new KeelModelsForLangChain4j.Streaming(Objects.requireNonNull(model, "model"));
    }

    /**
     * A Keel embedding model as a LangChain4j {@code EmbeddingModel}.
     *
     * @param model the Keel model
     * @return a Keel embedding model as a LangChain4j {@code EmbeddingModel}
     */
    public static dev.langchain4j.model.embedding.EmbeddingModel asLangChain4jEmbeddingModel(EmbeddingModel model) {
        return new KeelModelsForLangChain4j.Embeddings(Objects.requireNonNull(model, "model"));
    }
}
