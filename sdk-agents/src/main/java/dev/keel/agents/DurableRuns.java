package dev.keel.agents;

import dev.keel.agents.AgentEvent.ApprovalSource;
import dev.keel.agents.StepInterceptor.ApprovalOutcome;
import dev.keel.agents.session.SessionConflictException;
import dev.keel.agents.session.SessionStore;
import dev.keel.agents.session.StoredSession;
import dev.keel.core.message.ToolCall;
import java.time.Clock;
import java.util.Optional;

/**
 * Runs that live in a {@link SessionStore}: each loads the session, claims it by saving it (a version check, so
 * a second instance working on the same session fails at once), saves at every checkpoint of the run (a model
 * reply, each tool result, each finished turn, a suspension, the end), and maps the result to a
 * {@link RunOutcome}. Deciding a suspended call is a checkpoint too: of two resumes with one token, the second
 * is refused. Thread-safe (its state is per call).
 */
final class DurableRuns {
    private final SessionStore store;
    private final Clock clock;

    DurableRuns(SessionStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Saves whole sessions with the version they were loaded at; a conflict fails the run. */
    private final class Saver {
        private final String id;
        private long version;

        Saver(String id, long version) {
            this.id = id;
            this.version = version;
        }

        synchronized void save(Session session) {
            version = store.save(id, session.toJson(), version).version();
        }
    }

    private Session load(String sessionId, boolean mustExist) {
        Optional<StoredSession> stored = store.load(sessionId);
        if (stored.isEmpty() && mustExist) {
            throw new AgentException.ResumeRefused("no stored session " + sessionId);
        }
        Session session = stored.map(s -> Session.fromJson(s.json())).orElseGet(() -> Session.create(sessionId));
        Saver saver = new Saver(sessionId, stored.map(StoredSession::version).orElse(0L));
        session.onCheckpoint(() -> saver.save(session));
        return session;
    }

    RunOutcome run(AgentRunner runner, String sessionId, String input) {
        Session session = load(sessionId, false);
        Optional<PendingApproval> pending = session.pendingApproval();
        if (pending.isPresent()) {
            throw new AgentException("session " + sessionId + " waits for a decision on " + pending.get()
                    + "; resume it with its token before giving it new input");
        }
        if (session.inFlightReply() != null || session.workflowProgress() != null) {
            throw new AgentException("session " + sessionId + " has a run that stopped in the middle of a turn or a workflow; "
                    + "continue it with recover(\"" + sessionId + "\") before giving it new input");
        }
        session.checkpoint(); // claim
        return outcome(runner.runSession(session, input));
    }

    RunOutcome resume(AgentRunner runner, String token, Decision decision) {
        String sessionId = ResumeTokens.conversationId(token);
        Session session = load(sessionId, true);
        return outcome(runner.resumeSession(session, token, decision));
    }

    RunOutcome recover(AgentRunner runner, String sessionId) {
        Session session = load(sessionId, true);
        if (session.pendingApproval().isPresent()) {
            throw new AgentException("session " + sessionId + " waits for a decision, not a recovery; resume it with its token");
        }
        session.checkpoint(); // claim
        return outcome(runner.recoverSession(session));
    }

    private static RunOutcome outcome(AgentResult r) {
        if (r.stopReason() == AgentResult.StopReason.SUSPENDED) {
            return new RunOutcome.Suspended(r.session().id(), r.session().pendingApproval().orElseThrow());
        }
        return new RunOutcome.Completed(r);
    }

    /**
     * Records {@code decision} on the call {@code session} waits on, if {@code token} is that call's, and saves
     * (claims) before anything runs. Shared by durable and in-memory resumes.
     */
    static void decide(Session session, String token, Decision decision, Clock clock) {
        Session holder = session.pendingSession();
        if (holder == null) {
            throw new AgentException.ResumeRefused("session " + session.id()
                    + " waits for no decision (it was resumed already, or never suspended)");
        }
        PendingApproval p = holder.pendingApproval().orElseThrow();
        if (!ResumeTokens.matches(p.token(), token)) {
            throw new AgentException.ResumeRefused("the token does not match the call session " + session.id()
                    + " waits on (it was decided already, or the run moved on)");
        }
        if (!stillPending(holder, p.call())) {
            throw new AgentException.ResumeRefused("the stored call " + p.call().id() + " of session " + holder.id()
                    + " no longer matches the pending approval");
        }
        ApprovalRecord record = new ApprovalRecord(holder.id(), p.agent(), p.call().id(), p.call().name(),
                decision.approved(), decision.by(), clock.instant(), decision.reason());
        holder.decide(record, decision.approved() ? ApprovalOutcome.approved(ApprovalSource.APPROVER)
                : ApprovalOutcome.denied("denied by " + decision.by() + (decision.reason().isBlank() ? "" : ": " + decision.reason())));
        try {
            session.checkpoint();
        } catch (SessionConflictException e) {
            throw new AgentException.ResumeRefused("session " + session.id() + " was resumed by someone else: " + e.getMessage());
        }
    }

    /**
     * Whether the turn in flight still asks for {@code call} (same id and tool) with no result. The arguments are
     * not compared: the stored call carries what {@code pre_tool_use} hooks rewrote (a redaction, say), which is
     * what the approver saw and what runs, while the model's reply keeps what the model wrote.
     */
    private static boolean stillPending(Session holder, ToolCall call) {
        var reply = holder.inFlightReply();
        if (reply == null) {
            return false;
        }
        RunJournal.CallRecord recorded = holder.recordedCall(call.id());
        return (recorded == null || recorded.result() == null) && reply.toolCalls().stream().anyMatch(c ->
                c.id().equals(call.id()) && c.name().equals(call.name()));
    }

    /** What the durable runs need of a runner. */
    interface AgentRunner {
        AgentResult runSession(Session session, String input);

        AgentResult resumeSession(Session session, String token, Decision decision);

        AgentResult recoverSession(Session session);
    }

    @Override
    public String toString() {
        return "DurableRuns[" + store + ", " + clock + "]";
    }
}
