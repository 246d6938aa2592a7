package dev.keel.testing.eval;

import dev.keel.core.json.JsonObject;
import java.util.Objects;

/**
 * A tool call a run made, as an evaluation sees it (delegations are {@code transfer_task} calls).
 *
 * @param agent     the agent that made it
 * @param tool      the tool's name
 * @param arguments the arguments (an empty object when the model's were not valid JSON)
 * @param result    the result the model saw
 * @param error     whether the result was an error
 */
public record ObservedToolCall(String agent, String tool, JsonObject arguments, String result, boolean error) {
    /**
     * Checks the values are present.
     *
     * @param agent     the agent that made it
     * @param tool      the tool's name
     * @param arguments the arguments
     * @param result    the result the model saw
     * @param error     whether the result was an error
     */
    public ObservedToolCall {
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(arguments, "arguments");
        Objects.requireNonNull(result, "result");
    }

    @Override
    public String toString() {
        return agent + ": " + tool + " " + arguments.toJson();
    }
}
