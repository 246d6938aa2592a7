package dev.keel.core.message;

import java.util.Objects;

/**
 * Reasoning a model produced alongside an answer, kept on the {@link AssistantMessage} so that it can be sent back
 * on the next turn, which some APIs require or reward: OpenAI Responses reasoning items (with their encrypted
 * content), Anthropic thinking blocks (with their signature, required when tools are used with extended thinking)
 * and Gemini thought signatures (required for function calling on Gemini 3).
 *
 * <p>Each provider sends back only the reasoning whose {@link #source()} is its own and drops the rest, so a
 * conversation can move between providers (a fallback, a routed model) without sending one provider another's
 * reasoning.
 *
 * @param source which wire format produced it: {@value #OPENAI_RESPONSES}, {@value #ANTHROPIC} or
 *               {@value #GEMINI}
 * @param id     what the provider ties it to: a Responses reasoning item id, or for Gemini the id of the tool
 *               call whose part carried the signature; empty when nothing
 * @param text   readable reasoning or its summary (may be empty: some providers only return it encrypted)
 * @param opaque what the provider needs back verbatim: encrypted content, a signature or redacted thinking data;
 *               empty when nothing
 */
public record Reasoning(String source, String id, String text, String opaque) {
    /** {@link #source()} of OpenAI Responses reasoning items. */
    public static final String OPENAI_RESPONSES = "openai-responses";
    /** {@link #source()} of Anthropic thinking and redacted-thinking blocks. */
    public static final String ANTHROPIC = "anthropic";
    /** {@link #source()} of Gemini thoughts and thought signatures. */
    public static final String GEMINI = "gemini";

    /**
     * Requires a source; {@code null} strings become empty.
     *
     * @param source which wire format produced it
     * @param id what the provider ties it to, or empty
     * @param text readable reasoning, or empty
     * @param opaque what the provider needs back verbatim, or empty
     */
    public Reasoning {
        Objects.requireNonNull(source, "source");
        id = id == null ? "" : id;
        text = text == null ? "" : text;
        opaque = opaque == null ? "" : opaque;
    }

    /** Shows the source, id and text length; the opaque part is summarised by its length only. */
    @Override
    public String toString() {
        return "Reasoning[" + source + (id.isEmpty() ? "" : ", id=" + id) + ", text=" + text.length() + " chars"
                + (opaque.isEmpty() ? "" : ", opaque=" + opaque.length() + " chars") + "]";
    }
}
