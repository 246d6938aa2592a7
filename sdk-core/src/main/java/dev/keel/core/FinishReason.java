package dev.keel.core;

/** Why the model stopped generating. */
public enum FinishReason {
    /** Natural end of the answer or a stop sequence. */
    STOP,
    /** The token limit was reached; the answer is truncated. */
    LENGTH,
    /** The model wants tool calls executed. */
    TOOL_CALLS,
    /** The provider's content filter stopped the answer. */
    CONTENT_FILTER,
    /** Anything else the provider reported. */
    OTHER
}
