package dev.keel.core;

/**
 * A chat model: a conversation in, an assistant turn out.
 *
 * <p>Implementations are thread-safe and meant to be shared: one instance serves concurrent calls.
 * Failures are {@link ModelException}s whose subclass says what went wrong. A model that holds a resource
 * (an HTTP client it created) releases it in {@link #close()}; closing twice is harmless.
 */
public interface ChatModel extends AutoCloseable {

    /**
     * Sends the request and waits for the complete answer.
     *
     * @param request the request
     * @return the complete answer
     * @throws ModelException when the call fails; retryable failures have already been retried
     *                        according to the model's HTTP configuration
     */
    ChatResponse chat(ChatRequest request);

    /**
     * Sends the request and streams the answer: {@code listener} sees text deltas and each tool call
     * once its arguments are complete, in order, on the calling thread. Blocks until the answer is
     * complete and returns it assembled, exactly as {@link #chat} would have. Interrupting the calling
     * thread cancels the call.
     *
     * <p>The default implementation calls {@link #chat} and replays the result to the listener, for
     * models that cannot stream.
     *
     * @param request the request
     * @param listener sees the answer as it arrives
     * @return the complete answer, the same as the listener's {@code onComplete} saw
     * @throws ModelException when the call fails, including a stream cut mid-answer or a malformed event;
     *                        {@link StreamListener#onError} has been called first
     */
    default ChatResponse stream(ChatRequest request, StreamListener listener) {
        ChatResponse response;
        try {
            response = chat(request);
        } catch (ModelException e) {
            listener.onError(e);
            throw e;
        }
        if (!response.text().isEmpty()) {
            listener.onText(response.text());
        }
        response.toolCalls().forEach(listener::onToolCall);
        if (response.usage() != null) {
            listener.onUsage(response.usage());
        }
        listener.onComplete(response);
        return response;
    }

    /**
     * A short description for logs, for example {@code openai/gpt-5}. Never contains a key.
     *
     * @return a short description for logs
     */
    default String id() {
        return getClass().getSimpleName();
    }

    /** Releases what this model holds (an HTTP client it created). The default holds nothing. Idempotent. */
    @Override
    default void close() {}
}
