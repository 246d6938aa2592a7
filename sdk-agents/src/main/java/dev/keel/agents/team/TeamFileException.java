package dev.keel.agents.team;

import dev.keel.core.KeelException;

/**
 * A team file is wrong. The message reads {@code file:line: field: problem}, for example
 * {@code dev-team.yaml:14: agents.root.sub_agents[1]: unknown agent 'qa'}.
 */
public final class TeamFileException extends KeelException {
    private static final long serialVersionUID = 1L;
    private final String file;
    private final int line;
    private final String field;
    private final String problem;

    public TeamFileException(String file, int line, String field, String problem) {
        super(file + ":" + line + ": " + (field == null || field.isEmpty() ? "" : field + ": ") + problem);
        this.file = file;
        this.line = line;
        this.field = field;
        this.problem = problem;
    }

    /** The file name as given to the loader. */
    public String file() {
        return file;
    }

    /** 1-based line of the offending node (0 when unknown). */
    public int line() {
        return line;
    }

    /** Dotted path of the offending field, for example {@code agents.root.model}. */
    public String field() {
        return field;
    }

    /** What is wrong, without the location. */
    public String problem() {
        return problem;
    }
}
