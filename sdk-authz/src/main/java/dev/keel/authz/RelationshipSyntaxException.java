package dev.keel.authz;

/** A relationship text (or a single relationship string) could not be parsed; names the line and the problem. */
public class RelationshipSyntaxException extends AuthzException {
    private static final long serialVersionUID = 1L;

    /** The 1-based line, 0 for a single relationship. */
    private final int line;

    /**
     * Creates an exception for 1-based {@code line} (0 when the input was a single relationship).
     *
     * @param line the 1-based line, 0 for a single relationship
     * @param message what went wrong, naming the problem
     */
    public RelationshipSyntaxException(int line, String message) {
        super(line > 0 ? "line " + line + ": " + message : message);
        this.line = line;
    }

    /**
     * The 1-based line number of the problem, or 0 when the input was not a multi-line text.
     *
     * @return the 1-based line number of the problem
     */
    public int line() {
        return line;
    }
}
