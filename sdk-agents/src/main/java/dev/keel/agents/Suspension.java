package dev.keel.agents;

/**
 * Unwinds a run that stopped at an approval nobody can answer now: the pending call is already stored in the
 * session, and the runner turns this into a suspended outcome. Not an error (and not an {@link AgentException},
 * so no failure handler swallows it); carries no stack trace.
 */
final class Suspension extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient PendingApproval pending;

    Suspension(PendingApproval pending) {
        super("suspended at tool call " + pending.call().id() + " of agent '" + pending.agent() + "'", null, false, false);
        this.pending = pending;
    }

    PendingApproval pending() {
        return pending;
    }
}
