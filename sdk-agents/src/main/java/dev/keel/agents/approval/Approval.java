package dev.keel.agents.approval;

import java.util.Objects;

/** An approver's answer to an {@link ApprovalRequest}. */
public sealed interface Approval {

    /** Run this call. */
    record ApproveOnce() implements Approval {}

    /**
     * Run this call and every later call of the same tool in this session (the conversation, its delegated
     * sub-agents included) without asking. Other sessions still ask.
     */
    record ApproveAlways() implements Approval {}

    /**
     * Do not run it; {@code reason} is shown to the model as the tool's error result.
     *
     * @param reason why, shown to the model
     */
    record Deny(String reason) implements Approval {
        /**
         * Creates a denial.
         *
         * @param reason why, shown to the model
         */
        public Deny {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * Decide later: the run stops here and returns a suspended outcome with a token; whoever decides resumes it
     * with {@code Runner.resume(token, decision)}, in this process or another. Needs a runner with a session
     * store to resume in another process.
     */
    record Suspend() implements Approval {}

    /**
     * Suspends the run until someone decides (see {@link Suspend}).
     *
     * @return the answer
     */
    static Approval suspend() {
        return new Suspend();
    }

    /**
     * Approves this one call.
     *
     * @return the approval
     */
    static Approval once() {
        return new ApproveOnce();
    }

    /**
     * Approves this call and every later call of the same tool in the session.
     *
     * @return the approval
     */
    static Approval always() {
        return new ApproveAlways();
    }

    /**
     * Denies the call.
     *
     * @param reason why, shown to the model
     * @return the denial
     */
    static Approval deny(String reason) {
        return new Deny(reason);
    }
}
