package dev.keel.agents.tool;

import dev.keel.core.tool.ToolSpec;
import java.util.Objects;

/**
 * A tool an agent can call: a {@link ToolSpec} the model sees, a handler, and whether the tool only
 * reads (read-only tools are approved without asking). Implementations must be thread-safe: the runner
 * may call a tool from several threads at once when the model requests parallel calls.
 */
public interface Tool {

    /**
     * Name, description and argument schema shown to the model.
     *
     * @return name, description and argument schema shown to the model
     */
    ToolSpec spec();

    /**
     * True when the tool has no side effects worth approving. Defaults to false.
     *
     * @return true when the tool has no side effects worth approving
     */
    default boolean readOnly() {
        return false;
    }

    /**
     * Executes one call. Throwing is allowed: the runner turns any exception into an error result whose
     * message the model sees.
     *
     * @param arguments the model's arguments, already parsed as a JSON object (a {@link ToolArgumentException}
     *                  thrown by its getters reaches the model as the error)
     * @param context   the calling agent and its session state
     * @return the result the model sees
     * @throws Exception when the call fails; the runner reports it to the model as an error result
     */
    ToolResult call(ToolArguments arguments, ToolContext context) throws Exception;

    /** Handler of a tool built with {@link #of}. */
    @FunctionalInterface
    interface Handler {
        /**
         * Handles one call; see {@link Tool#call}.
         *
         * @param arguments the model's arguments
         * @param context   the calling agent and its session state
         * @return the result the model sees
         * @throws Exception when the call fails; the runner reports it to the model as an error result
         */
        ToolResult call(ToolArguments arguments, ToolContext context) throws Exception;
    }

    /**
     * A tool with side effects (it is approved like any other) from a spec and a handler.
     *
     * @param spec    name, description and argument schema shown to the model
     * @param handler what a call does
     * @return a tool with side effects (it is approved like any other) from a spec and a handler
     */
    static Tool of(ToolSpec spec, Handler handler) {
        return of(spec, false, handler);
    }

    /**
     * A tool from a spec and a handler; {@code readOnly} tools are approved without asking.
     *
     * @param handler the handler
     * @param readOnly the read only
     * @param spec the spec
     * @return a tool from a spec and a handler; {@code readOnly} tools are approved without asking
     */
    static Tool of(ToolSpec spec, boolean readOnly, Handler handler) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(handler, "handler");
        return new Tool() {
            @Override
            public ToolSpec spec() {
                return spec;
            }

            @Override
            public boolean readOnly() {
                return readOnly;
            }

            @Override
            public ToolResult call(ToolArguments arguments, ToolContext context) throws Exception {
                return handler.call(arguments, context);
            }

            @Override
            public String toString() {
                return "Tool[" + spec.name() + (readOnly ? ", read-only" : "") + "]";
            }
        };
    }
}
