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

    /** Do not run it; {@code reason} is shown to the model as the tool's error result. */
    record Deny(String reason) implements Approval {
        public Deny {
            Objects.requireNonNull(reason, "reason");
        }
    }

    static Approval once() {
        return new ApproveOnce();
    }

    static Approval always() {
        return new ApproveAlways();
    }

    static Approval deny(String reason) {
        return new Deny(reason);
    }
}
