package dev.keel.core.internal.http;

import dev.keel.core.ModelException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;

/** Maps HTTP failures to the typed {@link ModelException}s, the same way for every provider. Stateless. */
public final class ModelErrors {
    private ModelErrors() {}

    /**
     * The exception for an error response.
     *
     * @param provider        provider name
     * @param status          HTTP status
     * @param message         the provider's explanation (already redacted), or a description of the body
     * @param retryAfter      the requested wait for 429s, or null
     * @param contextTooLong  whether the provider said the prompt does not fit the context window
     */
    public static ModelException forStatus(String provider, int status, String message, Duration retryAfter,
                                           boolean contextTooLong) {
        String text = provider + " returned HTTP " + status + ": " + message;
        if (status == 401 || status == 403) {
            return new ModelException.Authentication(provider, status, text);
        }
        if (status == 429) {
            return new ModelException.RateLimited(provider,
                    retryAfter == null ? text : text + " (retry after " + retryAfter.toSeconds() + " s)", retryAfter);
        }
        if (contextTooLong) {
            return new ModelException.ContextTooLong(provider, status, text);
        }
        if (status >= 500) {
            return new ModelException.ServerError(provider, status, text);
        }
        return new ModelException.BadRequest(provider, status, text);
    }

    /** The exception for an I/O failure: timeouts become {@code Timeout}, the rest {@code Connection}. */
    public static ModelException forIo(String provider, String what, IOException e, Secret secret) {
        if (Thread.currentThread().isInterrupted()) {
            return interrupted(provider);
        }
        String detail = secret.redact(String.valueOf(e.getMessage()));
        if (e instanceof InterruptedIOException) {
            return new ModelException.Timeout(provider, provider + ": " + what + " timed out (" + detail + ")", null);
        }
        return new ModelException.Connection(provider,
                provider + ": " + what + " failed: " + e.getClass().getSimpleName() + " (" + detail + ")", null);
    }

    /** The call was cancelled because the calling thread was interrupted (the interrupt flag stays set). */
    public static ModelException interrupted(String provider) {
        return new ModelException.Connection(provider,
                provider + ": call cancelled because the calling thread was interrupted", null);
    }

    /** Shortens a body for a message. */
    public static String snippet(String body) {
        String oneLine = body.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= 300 ? oneLine : oneLine.substring(0, 300) + "…";
    }
}
