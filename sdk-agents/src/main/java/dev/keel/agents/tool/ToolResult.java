package dev.keel.agents.tool;

import java.util.Objects;

/**
 * What a tool returned to the model. An {@code error} result tells the model the call failed and why, so
 * it can correct itself; it does not stop the agent.
 *
 * @param content text shown to the model
 * @param error   whether the call failed
 */
public record ToolResult(String content, boolean error) {
    /**
     * Creates the value, checking its components.
     *
     * @param content text shown to the model
     * @param error whether the call failed
     */
    public ToolResult {
        Objects.requireNonNull(content, "content");
    }

    /**
     * A successful result.
     *
     * @param content what the model sees
     * @return a successful result
     */
    public static ToolResult ok(String content) {
        return new ToolResult(content, false);
    }

    /**
     * A failed call; {@code message} explains the failure to the model.
     *
     * @param message the explanation
     * @return a failed call
     */
    public static ToolResult error(String message) {
        return new ToolResult(message, true);
    }
}
