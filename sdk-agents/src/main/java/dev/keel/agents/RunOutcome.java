package dev.keel.agents;

import java.util.Objects;

/**
 * How a durable run ({@link Runner#run(String, String)}, {@link Runner#resume}) ended for now: it completed
 * (possibly at a limit or budget, see {@link AgentResult#stopReason()}), or it is suspended at a tool call that
 * needs someone's approval. Switch over it.
 *
 * <pre>{@code
 * RunOutcome out = runner.run(sessionId, "Deploy to staging");
 * if (out instanceof RunOutcome.Suspended s) {
 *     notifyApprover(s.pendingCall(), s.token());     // later, anywhere: runner.resume(token, Decision.approve("alice"))
 * }
 * }</pre>
 */
public sealed interface RunOutcome {

    /**
     * The session the run belongs to.
     *
     * @return the session id
     */
    String sessionId();

    /**
     * The run ended with a result.
     *
     * @param result the result
     */
    record Completed(AgentResult result) implements RunOutcome {
        /**
         * Checks the value.
         *
         * @param result the result
         */
        public Completed {
            Objects.requireNonNull(result, "result");
        }

        @Override
        public String sessionId() {
            return result.session().id();
        }
    }

    /**
     * The run stopped at a tool call that needs approval; everything up to it is stored. Resume with
     * {@link Runner#resume(String, Decision)} and {@link #token()}, in this process or another.
     *
     * @param sessionId   the run's (top-level) session
     * @param pendingCall the call waiting for a decision
     */
    record Suspended(String sessionId, PendingApproval pendingCall) implements RunOutcome {
        /**
         * Checks the values.
         *
         * @param sessionId the run's session
         * @param pendingCall the call waiting for a decision
         */
        public Suspended {
            Objects.requireNonNull(sessionId, "sessionId");
            Objects.requireNonNull(pendingCall, "pendingCall");
        }

        /**
         * The token that resumes the run at this call (a credential: hand it to the approver only).
         *
         * @return the token
         */
        public String token() {
            return pendingCall.token();
        }
    }
}
