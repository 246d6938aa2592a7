package dev.keel.core;

import java.util.Locale;
import java.util.Objects;

/**
 * Whether and which tool the model must call (docker-agent's {@code tool_choice}): the provider decides
 * ({@link Auto}), no tool ({@link None}), some tool ({@link Required}), or one named tool ({@link Named}). Each
 * provider client sends its own form: OpenAI's {@code tool_choice} ({@code auto}, {@code none}, {@code required}, a
 * function), Anthropic's {@code tool_choice} ({@code auto}, {@code none}, {@code any}, {@code tool}), Gemini's
 * {@code functionCallingConfig.mode} ({@code AUTO}, {@code NONE}, {@code ANY} with allowed names). Sent only with
 * requests that offer tools.
 */
public sealed interface ToolChoice {

    /** The model decides. */
    record Auto() implements ToolChoice {}

    /** The model must not call a tool. */
    record None() implements ToolChoice {}

    /** The model must call one of the tools offered. */
    record Required() implements ToolChoice {}

    /**
     * The model must call this tool.
     *
     * @param name the tool's name
     */
    record Named(String name) implements ToolChoice {
        /**
         * Requires a name.
         *
         * @param name the tool's name
         */
        public Named {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("a tool choice needs a tool name");
            }
        }
    }

    /**
     * The provider decides.
     *
     * @return the choice
     */
    static ToolChoice auto() {
        return new Auto();
    }

    /**
     * No tool.
     *
     * @return the choice
     */
    static ToolChoice none() {
        return new None();
    }

    /**
     * Some tool.
     *
     * @return the choice
     */
    static ToolChoice required() {
        return new Required();
    }

    /**
     * The tool called {@code name}.
     *
     * @param name the tool
     * @return the choice
     */
    static ToolChoice named(String name) {
        return new Named(name);
    }

    /**
     * Reads docker-agent's spellings: {@code auto}, {@code none}, {@code required} (also {@code any}), or a tool's
     * name.
     *
     * @param value the text
     * @return the choice
     */
    static ToolChoice parse(String value) {
        String v = Objects.requireNonNull(value, "value").strip();
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "auto" -> auto();
            case "none" -> none();
            case "required", "any" -> required();
            default -> named(v);
        };
    }
}
