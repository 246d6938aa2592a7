package dev.keel.agents.team;

import dev.keel.core.KeelException;
import java.util.List;

/** A loaded team cannot run as configured: {@link #problems()} lists each model that cannot be resolved, and why. */
public final class TeamValidationException extends KeelException {
    private static final long serialVersionUID = 1L;
    /** One line per model that cannot be resolved. */
    private final List<String> problems;

    /**
     * An exception listing {@code problems} (each names the model and the agents using it).
     *
     * @param team the team
     * @param problems the problems
     */
    public TeamValidationException(String team, List<String> problems) {
        super("team '" + team + "' cannot run: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /**
     * One line per problem, for example {@code model 'openai/gpt-5' of [root]: … OPENAI_API_KEY …}.
     *
     * @return one line per problem, for example {@code model 'openai/gpt-5' of [root]: … OPENAI_API_KEY …}
     */
    public List<String> problems() {
        return problems;
    }
}
