package dev.keel.core;

import java.time.Duration;
import java.util.Objects;

/**
 * What a model made of several models decided while answering: which member it picked and why, a retry, a move to
 * the next model after a failure, and which model finally answered. Composite models (fallback chains, routers,
 * alternates, first-available choices; see {@code dev.keel.core.models.ModelSpec}) report these to the stream
 * listener of the call ({@link StreamListener#onModelEvent}) and to the listener they were resolved with.
 *
 * <p>Models are named by their {@link ChatModel#id()} ({@code openai/gpt-5}); errors are Keel's typed
 * {@link ModelException}s, whose messages never contain a key.
 */
public sealed interface ModelEvent {

    /**
     * A router, an alternation or a first-available choice picked {@code model}.
     *
     * @param by     the composite that chose, e.g. {@code routing(openai/gpt-4o-mini)}
     * @param model  the chosen model
     * @param reason why, e.g. {@code matched example "write a story about" (score 2.41)}
     */
    record Selected(String by, String model, String reason) implements ModelEvent {
        /**
         * Requires every field.
         *
         * @param by the composite that chose
         * @param model the chosen model
         * @param reason why
         */
        public Selected {
            Objects.requireNonNull(by, "by");
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * {@code model} failed with a retryable error and is tried again after {@code backoff}.
     *
     * @param model       the model
     * @param attempt     the attempt that failed, from 1
     * @param maxAttempts attempts this model gets
     * @param error       why it failed
     * @param backoff     the wait before the next attempt
     */
    record Retrying(String model, int attempt, int maxAttempts, ModelException error, Duration backoff)
            implements ModelEvent {
        /**
         * Requires every field.
         *
         * @param model the model
         * @param attempt the attempt that failed, from 1
         * @param maxAttempts attempts this model gets
         * @param error why it failed
         * @param backoff the wait before the next attempt
         */
        public Retrying {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(error, "error");
            Objects.requireNonNull(backoff, "backoff");
        }
    }

    /**
     * {@code from} failed and the call moves on to {@code to}. Anything {@code from} streamed before it failed is
     * void: the answer starts over with {@code to}.
     *
     * @param from  the model that failed
     * @param to    the next model in the chain
     * @param error why {@code from} failed (its last error)
     */
    record FellBack(String from, String to, ModelException error) implements ModelEvent {
        /**
         * Requires every field.
         *
         * @param from the model that failed
         * @param to the next model
         * @param error why it failed
         */
        public FellBack {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(error, "error");
        }
    }

    /**
     * {@code model} answered, after {@code attempts} attempts over the whole chain.
     *
     * @param model    the model that answered
     * @param attempts attempts made in this call, the successful one included
     * @param pinned   whether the chain started at this fallback because an earlier failure of the primary pinned
     *                 it for the cooldown
     */
    record Answered(String model, int attempts, boolean pinned) implements ModelEvent {
        /**
         * Requires a model.
         *
         * @param model the model that answered
         * @param attempts attempts made in this call
         * @param pinned whether a cooldown pinned this fallback
         */
        public Answered {
            Objects.requireNonNull(model, "model");
        }
    }
}
