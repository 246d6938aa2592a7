package dev.keel.testing.model;

import dev.keel.core.Usage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One answer of a {@link ScriptedModelServer}: text, tool calls, an HTTP error, or a deliberately broken
 * response. Immutable; the {@code with…}-style methods ({@link #usage}, {@link #delayed}, …) return
 * modified copies, so a reply can be kept in a constant and reused.
 *
 * <p>The same reply serves both wire shapes: a plain JSON {@code chat.completion} when the request did
 * not ask to stream, and SSE {@code chat.completion.chunk} events when it sent {@code "stream": true}.
 *
 * <pre>{@code
 * ScriptedReply.text("Sunny, 21°C").usage(12, 4);
 * ScriptedReply.toolCall("get_weather", Map.of("city", "Oslo"));
 * ScriptedReply.toolCalls(ScriptedToolCall.of("a", Map.of()), ScriptedToolCall.of("b", Map.of()));
 * ScriptedReply.error(429, "slow down").retryAfter(1);
 * ScriptedReply.text("late").delayed(Duration.ofMillis(200));
 * }</pre>
 */
public final class ScriptedReply {

    /** What kind of answer a reply is. */
    enum Kind { ANSWER, ERROR, MALFORMED_JSON, CUT_STREAM }

    final Kind kind;
    final String text;
    final List<ScriptedToolCall> toolCalls;
    final int status;
    final String errorMessage;
    final String errorCode;
    final Long retryAfterSeconds;
    final Duration delay;
    final Usage usage;
    final String finishReason;
    final int chunkSize;
    final String model;

    private ScriptedReply(Kind kind, String text, List<ScriptedToolCall> toolCalls, int status, String errorMessage,
                          String errorCode, Long retryAfterSeconds, Duration delay, Usage usage, String finishReason,
                          int chunkSize, String model) {
        this.kind = kind;
        this.text = text;
        this.toolCalls = List.copyOf(toolCalls);
        this.status = status;
        this.errorMessage = errorMessage;
        this.errorCode = errorCode;
        this.retryAfterSeconds = retryAfterSeconds;
        this.delay = delay;
        this.usage = usage;
        this.finishReason = finishReason;
        this.chunkSize = chunkSize;
        this.model = model;
    }

    private static ScriptedReply answer(String text, List<ScriptedToolCall> calls) {
        return new ScriptedReply(Kind.ANSWER, text, calls, 200, null, null, null, Duration.ZERO, null, null, 0, null);
    }

    /**
     * An assistant answer with text only ({@code finish_reason: stop}).
     *
     * @param text the answer's text
     * @return an assistant answer with text only
     */
    public static ScriptedReply text(String text) {
        return answer(Objects.requireNonNull(text, "text"), List.of());
    }

    /**
     * An assistant turn requesting one tool call with {@code arguments} serialised as a JSON object
     * ({@code finish_reason: tool_calls}); the id is assigned by the server.
     *
     * @param name the tool's name
     * @param arguments the call's arguments
     * @return an assistant turn requesting one tool call with {@code arguments} serialised as a JSON object
     */
    public static ScriptedReply toolCall(String name, Map<String, ?> arguments) {
        return answer("", List.of(ScriptedToolCall.of(name, arguments)));
    }

    /**
     * An assistant turn requesting several tool calls at once (parallel tool calls), in this order.
     *
     * @param calls the calls
     * @return an assistant turn requesting several tool calls at once
     */
    public static ScriptedReply toolCalls(ScriptedToolCall... calls) {
        return toolCalls(List.of(calls));
    }

    /**
     * An assistant turn requesting several tool calls at once (parallel tool calls), in this order.
     *
     * @param calls the calls
     * @return an assistant turn requesting several tool calls at once
     */
    public static ScriptedReply toolCalls(List<ScriptedToolCall> calls) {
        if (calls.isEmpty()) {
            throw new IllegalArgumentException("toolCalls needs at least one call; use text(...) for a plain answer");
        }
        return answer("", calls);
    }

    /**
     * An HTTP error with OpenAI's error body {@code {"error": {"message", "type", "code"}}}. The type is
     * derived from the status (401 {@code invalid_request_error}/{@code invalid_api_key}, 429
     * {@code rate_limit_exceeded}, 5xx {@code server_error}, other 4xx {@code invalid_request_error}).
     *
     * @param status the HTTP status
     * @param message the error message
     * @return an HTTP error with OpenAI's error body {@code {"error": {"message", "type", "code"}}}
     */
    public static ScriptedReply error(int status, String message) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("an error reply needs a 4xx or 5xx status, was " + status);
        }
        return new ScriptedReply(Kind.ERROR, "", List.of(), status, Objects.requireNonNull(message, "message"), null,
                null, Duration.ZERO, null, null, 0, null);
    }

    /**
     * A 200 response whose body is not valid JSON (or, when streaming, an event whose data is not JSON).
     *
     * @return a 200 response whose body is not valid JSON
     */
    public static ScriptedReply malformedJson() {
        return new ScriptedReply(Kind.MALFORMED_JSON, "", List.of(), 200, null, null, null, Duration.ZERO, null, null,
                0, null);
    }

    /**
     * A 200 response cut off in the middle: the server sends part of the body (mid-event when
     * streaming, without {@code [DONE]}) and then closes the connection.
     *
     * @return a 200 response cut off in the middle
     */
    public static ScriptedReply cutStream() {
        return new ScriptedReply(Kind.CUT_STREAM, "The answer was cut", List.of(), 200, null, null, null,
                Duration.ZERO, null, null, 0, null);
    }

    /**
     * A copy that also carries text alongside its tool calls (some models explain before calling).
     *
     * @param text the text
     * @return a copy that also carries text alongside its tool calls
     */
    public ScriptedReply withText(String text) {
        requireAnswer("withText");
        return new ScriptedReply(kind, Objects.requireNonNull(text, "text"), toolCalls, status, errorMessage, errorCode,
                retryAfterSeconds, delay, usage, finishReason, chunkSize, model);
    }

    /**
     * A copy that also requests {@code call} after the calls it already has.
     *
     * @param call the call
     * @return a copy that also requests {@code call} after the calls it already has
     */
    public ScriptedReply andToolCall(ScriptedToolCall call) {
        requireAnswer("andToolCall");
        List<ScriptedToolCall> calls = new ArrayList<>(toolCalls);
        calls.add(Objects.requireNonNull(call, "call"));
        return new ScriptedReply(kind, text, calls, status, errorMessage, errorCode, retryAfterSeconds, delay, usage,
                finishReason, chunkSize, model);
    }

    /**
     * A copy reporting this usage. Without it the server reports a deterministic estimate
     * (about four characters per token of the request body and of the answer).
     *
     * @param promptTokens the prompt tokens reported
     * @param completionTokens the completion tokens reported
     * @return a copy reporting this usage
     */
    public ScriptedReply usage(long promptTokens, long completionTokens) {
        return new ScriptedReply(kind, text, toolCalls, status, errorMessage, errorCode, retryAfterSeconds, delay,
                new Usage(promptTokens, completionTokens), finishReason, chunkSize, model);
    }

    /**
     * A copy whose response headers are sent only after {@code delay} (for timeout and ordering tests).
     *
     * @param delay the delay
     * @return a copy whose response headers are sent only after {@code delay}
     */
    public ScriptedReply delayed(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay cannot be negative");
        }
        return new ScriptedReply(kind, text, toolCalls, status, errorMessage, errorCode, retryAfterSeconds, delay,
                usage, finishReason, chunkSize, model);
    }

    /**
     * A copy of an error reply that sends {@code Retry-After: seconds}.
     *
     * @param seconds the seconds
     * @return a copy of an error reply that sends {@code Retry-After: seconds}
     */
    public ScriptedReply retryAfter(long seconds) {
        if (kind != Kind.ERROR) {
            throw new IllegalStateException("retryAfter applies to error replies only");
        }
        if (seconds < 0) {
            throw new IllegalArgumentException("retryAfter cannot be negative");
        }
        return new ScriptedReply(kind, text, toolCalls, status, errorMessage, errorCode, seconds, delay, usage,
                finishReason, chunkSize, model);
    }

    /**
     * A copy of an error reply with this OpenAI error {@code code}, e.g. {@code context_length_exceeded}.
     *
     * @param code the error code
     * @return a copy of an error reply with this OpenAI error {@code code}
     */
    public ScriptedReply errorCode(String code) {
        if (kind != Kind.ERROR) {
            throw new IllegalStateException("errorCode applies to error replies only");
        }
        return new ScriptedReply(kind, text, toolCalls, status, errorMessage, Objects.requireNonNull(code, "code"),
                retryAfterSeconds, delay, usage, finishReason, chunkSize, model);
    }

    /**
     * A copy reporting this {@code finish_reason} (for example {@code length} or {@code content_filter})
     * instead of the natural one ({@code stop}, or {@code tool_calls} when it calls tools).
     *
     * @param finishReason the finish reason
     * @return a copy reporting this {@code finish_reason}
     */
    public ScriptedReply finishReason(String finishReason) {
        requireAnswer("finishReason");
        return new ScriptedReply(kind, text, toolCalls, status, errorMessage, errorCode, retryAfterSeconds, delay,
                usage, Objects.requireNonNull(finishReason, "finishReason"), chunkSize, model);
    }

    /**
     * A copy whose streamed text and tool-call arguments are split into deltas of at most {@code chars}
     * characters. By default text is split after each word and arguments into pieces of 8 characters,
     * so every multi-word text and every non-trivial argument object spans several chunks.
     *
     * @param chars the largest delta, in characters
     * @return a copy whose streamed text and tool-call arguments are split into deltas of at most {@code chars}
     *     characters
     */
    public ScriptedReply chunkSize(int chars) {
        if (chars <= 0) {
            throw new IllegalArgumentException("chunk size must be positive, was " + chars);
        }
        return new ScriptedReply(kind, text, toolCalls, status, errorMessage, errorCode, retryAfterSeconds, delay,
                usage, finishReason, chars, model);
    }

    /**
     * A copy reporting this model name instead of echoing the request's {@code model}.
     *
     * @param model the model name
     * @return a copy reporting this model name instead of echoing the request's {@code model}
     */
    public ScriptedReply model(String model) {
        return new ScriptedReply(kind, text, toolCalls, status, errorMessage, errorCode, retryAfterSeconds, delay,
                usage, finishReason, chunkSize, Objects.requireNonNull(model, "model"));
    }

    /**
     * The text this reply answers with (empty for tool-call-only, error and broken replies).
     *
     * @return the text this reply answers with
     */
    public String text() {
        return kind == Kind.ANSWER ? text : "";
    }

    /**
     * The tool calls this reply requests, ids as scripted ({@code null} = assigned by the server).
     *
     * @return the tool calls this reply requests
     */
    public List<ScriptedToolCall> toolCalls() {
        return toolCalls;
    }

    private void requireAnswer(String what) {
        if (kind != Kind.ANSWER) {
            throw new IllegalStateException(what + " applies to text and tool-call replies only");
        }
    }

    @Override
    public String toString() {
        String body = switch (kind) {
            case ANSWER -> (text.isEmpty() ? "" : "text=\"" + abbreviate(text) + "\"")
                    + (toolCalls.isEmpty() ? "" : (text.isEmpty() ? "" : " ") + "toolCalls="
                    + toolCalls.stream().map(ScriptedToolCall::name).toList());
            case ERROR -> "error " + status + " \"" + abbreviate(errorMessage) + "\""
                    + (retryAfterSeconds == null ? "" : " retryAfter=" + retryAfterSeconds + "s");
            case MALFORMED_JSON -> "malformedJson";
            case CUT_STREAM -> "cutStream";
        };
        return "ScriptedReply[" + body + (delay.isZero() ? "" : " delayed=" + delay) + "]";
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
