package dev.keel.testing.cassette;

import java.util.Objects;

/**
 * A cassette was not written because, after redaction, it still contained something that looks like a
 * secret. The message and the accessors say where (interaction, request or response, header, URL or
 * body) and which rule matched, never the secret itself. The previous cassette file, if any, is intact.
 *
 * <p>Fix it by adding a redaction rule to the recorder (a header, query parameter, JSON field or
 * pattern) and recording again.
 */
public final class CassetteSecretException extends CassetteException {
    private static final long serialVersionUID = 1L;

    /** The 0-based index of the interaction holding the secret. */
    private final int interactionIndex;

    /** Where in the interaction the secret is. */
    private final String location;

    /** The rule that found it. */
    private final String rule;

    /**
     * Creates the exception; its message names the cassette, the interaction, the location and the rule,
     * never the secret.
     *
     * @param cassette         the cassette's file name, for the message
     * @param interactionIndex 0-based index of the offending interaction
     * @param location         where in it, e.g. {@code response header 'X-Debug'} or {@code request body}
     * @param rule             which check matched, e.g. {@code value of env var OPENAI_API_KEY}
     */
    public CassetteSecretException(String cassette, int interactionIndex, String location, String rule) {
        super("refusing to write cassette " + cassette + ": interaction #" + interactionIndex + " " + location
                + " contains a secret (" + rule + "); add a redaction rule to the recorder and record again");
        this.interactionIndex = interactionIndex;
        this.location = Objects.requireNonNull(location, "location");
        this.rule = Objects.requireNonNull(rule, "rule");
    }

    /**
     * 0-based index of the interaction holding the secret.
     *
     * @return the index
     */
    public int interactionIndex() {
        return interactionIndex;
    }

    /**
     * Where in the interaction: {@code request url}, {@code response header 'Set-Cookie'}, {@code request body}…
     *
     * @return where in the interaction
     */
    public String location() {
        return location;
    }

    /**
     * Which check matched: a key shape or the value of a named env var.
     *
     * @return which check matched
     */
    public String rule() {
        return rule;
    }
}
