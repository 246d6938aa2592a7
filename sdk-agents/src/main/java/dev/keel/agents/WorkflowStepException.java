package dev.keel.agents;

/**
 * A step of a workflow agent failed, so the workflow did: it names the workflow, the step and the loop pass, and
 * carries the step's own failure as its cause. A cancelled run is an {@link AgentException.Cancelled} instead.
 * When workflows are nested, the outermost workflow's exception is thrown, caused by the inner one's.
 */
public final class WorkflowStepException extends AgentException {
    private static final long serialVersionUID = 1L;

    /** The workflow agent whose step failed. */
    private final String workflow;

    /** The step that failed. */
    private final String step;

    /** The loop pass of the failed step, from 1. */
    private final int iteration;

    /**
     * Creates the exception.
     *
     * @param workflow  the workflow agent's name
     * @param step      the failed step's name
     * @param iteration the loop pass the step belonged to, from 1 (1 outside a loop)
     * @param cause     the step's failure
     */
    public WorkflowStepException(String workflow, String step, int iteration, Throwable cause) {
        super("step '" + step + "' of workflow '" + workflow + "'" + (iteration > 1 ? " (pass " + iteration + ")" : "")
                + " failed: " + (cause == null ? "unknown failure" : cause.getMessage()), cause);
        this.workflow = workflow;
        this.step = step;
        this.iteration = iteration;
    }

    /**
     * The workflow agent whose step failed.
     *
     * @return its name
     */
    public String workflow() {
        return workflow;
    }

    /**
     * The step that failed.
     *
     * @return the step agent's name
     */
    public String step() {
        return step;
    }

    /**
     * The loop pass the failed step belonged to.
     *
     * @return the pass, from 1 (1 outside a loop)
     */
    public int iteration() {
        return iteration;
    }
}
