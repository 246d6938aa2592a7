package dev.keel.core;

import java.time.Duration;
import java.util.Optional;

/**
 * A model call failed. The subclass says why; {@link #provider()} names who answered and
 * {@link #statusCode()} carries the HTTP status when there was one (0 otherwise).
 *
 * <p>Messages carry the provider's own explanation where it gave one, but never an API key.
 */
public abstract sealed class ModelException extends KeelException
        permits ModelException.Authentication, ModelException.RateLimited, ModelException.ContextTooLong,
                ModelException.BadRequest, ModelException.Timeout, ModelException.MalformedResponse,
                ModelException.ServerError, ModelException.Connection, ModelException.MissingVariable,
                ModelException.ContentBlocked {
    private static final long serialVersionUID = 1L;

    /** The provider name. */
    private final String provider;

    /** The HTTP status, or 0 when no response was received. */
    private final int statusCode;

    ModelException(String provider, int statusCode, String message, Throwable cause) {
        super(message, cause);
        this.provider = provider;
        this.statusCode = statusCode;
    }

    /**
     * Provider name, for example {@code openai} or {@code anthropic}.
     *
     * @return the provider name
     */
    public String provider() {
        return provider;
    }

    /**
     * HTTP status code of the failed response, or 0 when no response was received.
     *
     * @return the HTTP status, or 0
     */
    public int statusCode() {
        return statusCode;
    }

    /**
     * True when repeating the same request later may succeed (rate limits, server errors, timeouts).
     *
     * @return true when repeating the same request later may succeed
     */
    public boolean isRetryable() {
        return false;
    }

    /** The API key was missing, wrong or lacks permission (HTTP 401/403). */
    public static final class Authentication extends ModelException {
        private static final long serialVersionUID = 1L;

        /**
         * Creates the exception.
         *
         * @param provider the provider name
         * @param statusCode the HTTP status (401 or 403)
         * @param message the provider's message
         */
        public Authentication(String provider, int statusCode, String message) {
            super(provider, statusCode, message, null);
        }
    }

    /** The provider is rate limiting this client (HTTP 429). */
    public static final class RateLimited extends ModelException {
        private static final long serialVersionUID = 1L;

        /** How long the provider asked to wait, or null when it did not say. */
        private final Duration retryAfter;

        /**
         * Creates the exception.
         *
         * @param provider the provider name
         * @param message the provider's message
         * @param retryAfter how long the provider asked to wait, or null
         */
        public RateLimited(String provider, String message, Duration retryAfter) {
            super(provider, 429, message, null);
            this.retryAfter = retryAfter;
        }

        /**
         * How long the provider asked us to wait, when it said.
         *
         * @return the wait the provider asked for, if it said
         */
        public Optional<Duration> retryAfter() {
            return Optional.ofNullable(retryAfter);
        }

        @Override
        public boolean isRetryable() {
            return true;
        }
    }

    /** The prompt (plus requested output) does not fit the model's context window. */
    public static final class ContextTooLong extends ModelException {
        private static final long serialVersionUID = 1L;

        /**
         * Creates the exception.
         *
         * @param provider the provider name
         * @param statusCode the HTTP status
         * @param message the provider's message
         */
        public ContextTooLong(String provider, int statusCode, String message) {
            super(provider, statusCode, message, null);
        }
    }

    /** The provider rejected the request (HTTP 400/404/422); the message is the provider's. */
    public static final class BadRequest extends ModelException {
        private static final long serialVersionUID = 1L;

        /**
         * Creates the exception.
         *
         * @param provider the provider name
         * @param statusCode the HTTP status
         * @param message the provider's message
         */
        public BadRequest(String provider, int statusCode, String message) {
            super(provider, statusCode, message, null);
        }
    }

    /** The call did not complete in time (connect, read or whole-call timeout). */
    public static final class Timeout extends ModelException {
        private static final long serialVersionUID = 1L;

        /**
         * Creates the exception.
         *
         * @param provider the provider name
         * @param message what timed out
         * @param cause the underlying failure
         */
        public Timeout(String provider, String message, Throwable cause) {
            super(provider, 0, message, cause);
        }

        @Override
        public boolean isRetryable() {
            return true;
        }
    }

    /** The provider answered with something that is not its documented wire format. */
    public static final class MalformedResponse extends ModelException {
        private static final long serialVersionUID = 1L;

        /**
         * Creates the exception.
         *
         * @param provider the provider name
         * @param message what was wrong with the response
         * @param cause the parse failure
         */
        public MalformedResponse(String provider, String message, Throwable cause) {
            super(provider, 0, message, cause);
        }
    }

    /** The provider failed (HTTP 5xx) and retries, if any, were exhausted. */
    public static final class ServerError extends ModelException {
        private static final long serialVersionUID = 1L;

        /**
         * Creates the exception.
         *
         * @param provider the provider name
         * @param statusCode the HTTP status
         * @param message the provider's message
         */
        public ServerError(String provider, int statusCode, String message) {
            super(provider, statusCode, message, null);
        }

        @Override
        public boolean isRetryable() {
            return true;
        }
    }

    /** The connection failed or was reset before a complete answer arrived. */
    public static final class Connection extends ModelException {
        private static final long serialVersionUID = 1L;

        /**
         * Creates the exception.
         *
         * @param provider the provider name
         * @param message what failed
         * @param cause the I/O failure
         */
        public Connection(String provider, String message, Throwable cause) {
            super(provider, 0, message, cause);
        }

        @Override
        public boolean isRetryable() {
            return true;
        }
    }

    /**
     * An environment variable the model needs is unset or empty: the variable holding its API key, or one that a
     * configured header or the model's own {@code env} refers to. Models resolved from a configuration read their
     * variables at their first call, so this surfaces then (a team loads without keys); it names the variable,
     * never a value. Not retryable: setting the variable is the fix.
     */
    public static final class MissingVariable extends ModelException {
        private static final long serialVersionUID = 1L;
        /** The unset variable's name. */
        private final String variable;

        /**
         * Creates the exception.
         *
         * @param provider the provider name
         * @param variable the unset variable
         * @param purpose  what it is for, e.g. {@code its API key} or {@code header X-Team}
         */
        public MissingVariable(String provider, String variable, String purpose) {
            super(provider, 0, provider + " needs the environment variable " + variable + " (" + purpose
                    + "), which is not set", null);
            this.variable = variable;
        }

        /**
         * The name of the unset variable.
         *
         * @return the variable name
         */
        public String variable() {
            return variable;
        }
    }

    /**
     * The provider's safety system refused to answer at all: the prompt was blocked before any output (Gemini's
     * {@code promptFeedback.blockReason}). An answer stopped part-way by a content filter is not an error: it comes
     * back with {@link FinishReason#CONTENT_FILTER}. Not retryable: the same prompt is blocked again.
     */
    public static final class ContentBlocked extends ModelException {
        private static final long serialVersionUID = 1L;
        /** The provider's reason code. */
        private final String reason;

        /**
         * Creates the exception.
         *
         * @param provider the provider name
         * @param reason   the provider's reason code, e.g. {@code SAFETY} or {@code PROHIBITED_CONTENT}
         * @param message  the message, naming the reason
         */
        public ContentBlocked(String provider, String reason, String message) {
            super(provider, 0, message, null);
            this.reason = reason;
        }

        /**
         * The provider's reason code.
         *
         * @return the reason code, e.g. {@code PROHIBITED_CONTENT}
         */
        public String reason() {
            return reason;
        }
    }
}
