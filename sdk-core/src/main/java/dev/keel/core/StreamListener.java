package dev.keel.core;

import dev.keel.core.message.ToolCall;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Receives a streamed answer. All methods have empty defaults; override what you need. Calls arrive
 * in order on the thread that called {@link ChatModel#stream}; exactly one of {@link #onComplete}
 * and {@link #onError} ends the stream.
 */
public interface StreamListener {

    /**
     * A piece of the answer's text.
     *
     * @param delta the new text
     */
    default void onText(String delta) {}

    /**
     * A piece of a tool call's arguments as it arrives. {@code index} identifies the call within the
     * turn; {@code id} and {@code name} are known from the first delta on.
     *
     * @param index the call's position in the answer, 0-based
     * @param id the call's id, once known (may be null in early deltas)
     * @param name the tool's name, once known (may be null in early deltas)
     * @param argumentsDelta the new piece of the arguments
     */
    default void onToolCallDelta(int index, String id, String name, String argumentsDelta) {}

    /**
     * A piece of the model's readable reasoning (a reasoning summary, thinking text or a Gemini thought), for
     * display. It is not part of the answer's text; what must be sent back to the provider comes with the complete
     * answer ({@link dev.keel.core.message.AssistantMessage#reasoning()}).
     *
     * @param delta the next piece of reasoning text
     */
    default void onReasoning(String delta) {}

    /**
     * A model made of several models picked a member, retried, or moved to the next model (see {@link ModelEvent}).
     * After a {@link ModelEvent.FellBack} the answer starts over: discard text and tool-call deltas received so far.
     *
     * @param event what happened
     */
    default void onModelEvent(ModelEvent event) {}

    /**
     * A tool call whose arguments are complete.
     *
     * @param call the complete call
     */
    default void onToolCall(ToolCall call) {}

    /**
     * Token usage, when the provider reports it.
     *
     * @param usage the usage
     */
    default void onUsage(Usage usage) {}

    /**
     * The complete answer.
     *
     * @param response the answer
     */
    default void onComplete(ChatResponse response) {}

    /**
     * The stream failed; {@link ChatModel#stream} throws the same exception after this returns.
     *
     * @param error the failure
     */
    default void onError(ModelException error) {}

    /**
     * A listener that only wants text.
     *
     * @param text receives each text delta
     * @return a listener that only wants text
     */
    static StreamListener onText(Consumer<String> text) {
        Objects.requireNonNull(text, "text");
        return new StreamListener() {
            @Override
            public void onText(String delta) {
                text.accept(delta);
            }
        };
    }
}
