package dev.keel.agents.approval;

/**
 * Decides tool calls that the permissions leave to a human ("ask"). Called on the agent's thread, one
 * request at a time per agent turn; it may block (for example waiting for a user in a UI). Must be
 * thread-safe when sub-agents run in parallel.
 */
@FunctionalInterface
public interface Approver {

    /** Refuses everything that needs asking: the safe default when no approver is configured. */
    Approver DENY_ALL = request -> Approval.deny("tool '" + request.call().name()
            + "' needs approval and no approver is configured");

    /**
     * Suspends every run at each call that needs asking ({@link Approval#suspend()}): the default of a runner
     * with a session store, where people decide later through {@code Runner.resume}.
     */
    Approver SUSPEND = request -> Approval.suspend();

    /**
     * Answers one request.
     *
     * @param request the request
     * @return the answer
     */
    Approval decide(ApprovalRequest request);
}
