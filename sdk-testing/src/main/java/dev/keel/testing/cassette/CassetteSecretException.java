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

    private final int interactionIndex;
    private final String location;
    private final String rule;

    /**
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

    /** 0-based index of the interaction holding the secret. */
    public int interactionIndex() {
        return interactionIndex;
    }

    /** Where in the interaction: {@code request url}, {@code response header 'Set-Cookie'}, {@code request body}… */
    public String location() {
        return location;
    }

    /** Which check matched: a key shape or the value of a named env var. */
    public String rule() {
        return rule;
    }
}
