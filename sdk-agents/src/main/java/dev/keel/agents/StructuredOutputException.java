package dev.keel.agents;

import java.util.List;

/**
 * An agent's final answer did not match its {@link StructuredOutput} schema, even after the corrections it
 * was allowed. The session keeps the attempts.
 */
public final class StructuredOutputException extends AgentException {
    private static final long serialVersionUID = 1L;
    /** The last answer the agent gave. */
    private final String lastAnswer;
    /** What is wrong with it. */
    private final List<String> problems;

    /**
     * A violation.
     *
     * @param agent      the agent
     * @param lastAnswer the last answer it gave
     * @param problems   what is wrong with it
     */
    public StructuredOutputException(String agent, String lastAnswer, List<String> problems) {
        super("agent '" + agent + "' did not answer in its structured output's shape: " + String.join("; ", problems));
        this.lastAnswer = lastAnswer;
        this.problems = List.copyOf(problems);
    }

    /**
     * The last answer the model gave.
     *
     * @return the last answer
     */
    public String lastAnswer() {
        return lastAnswer;
    }

    /**
     * What is wrong with it, one entry per problem ({@code $.items[2].price: expected a number}).
     *
     * @return the problems
     */
    public List<String> problems() {
        return problems;
    }
}
