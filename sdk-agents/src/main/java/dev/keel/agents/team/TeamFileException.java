package dev.keel.agents.team;

import dev.keel.core.KeelException;

/**
 * A team file is wrong. The message reads {@code file:line: field: problem}, for example
 * {@code dev-team.yaml:14: agents.root.sub_agents[1]: unknown agent 'qa'}.
 */
public final class TeamFileException extends KeelException {
    private static final long serialVersionUID = 1L;

    /** The file the problem is in. */
    private final String file;

    /** The 1-based line, or 0 when unknown. */
    private final int line;

    /** The dotted path of the offending field. */
    private final String field;

    /** What is wrong, without the location. */
    private final String problem;

    /**
     * Creates the exception.
     *
     * @param file the file the problem is in
     * @param line the 1-based line, 0 when unknown
     * @param field the dotted path of the offending field
     * @param problem what is wrong
     */
    public TeamFileException(String file, int line, String field, String problem) {
        super(file + ":" + line + ": " + (field == null || field.isEmpty() ? "" : field + ": ") + problem);
        this.file = file;
        this.line = line;
        this.field = field;
        this.problem = problem;
    }

    /**
     * The file name as given to the loader.
     *
     * @return the file name as given to the loader
     */
    public String file() {
        return file;
    }

    /**
     * 1-based line of the offending node (0 when unknown).
     *
     * @return the line, or 0
     */
    public int line() {
        return line;
    }

    /**
     * Dotted path of the offending field, for example {@code agents.root.model}.
     *
     * @return the field path
     */
    public String field() {
        return field;
    }

    /**
     * What is wrong, without the location.
     *
     * @return what is wrong
     */
    public String problem() {
        return problem;
    }
}
