package dev.keel.agents;

import dev.keel.agents.internal.SessionCodec;
import dev.keel.core.ChatResponse;
import dev.keel.core.Usage;
import dev.keel.core.json.JsonValue;
import dev.keel.core.message.Message;
import dev.keel.core.message.ToolResultMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A conversation with an agent team: the message history (without system prompts, which are rebuilt from
 * the agent on each call), the current agent (it changes on handoff), a state map that tools share,
 * accumulated token usage and, when every model used has a known price, the cost.
 *
 * <p>The session also remembers the tools an approver answered "approve always" for: they are approved
 * without asking for the rest of this conversation (its delegated sub-agents included), and for no other.
 *
 * <p>Serialise with {@link #toJson()} and resume with {@link #fromJson(String)}. Thread-safe; one run at
 * a time per session (a concurrent second run fails with {@code IllegalStateException}).
 */
public final class Session {
    private final String id;
    private final List<Message> messages = new ArrayList<>();
    private final Map<String, JsonValue> state = new ConcurrentHashMap<>();
    // Shared with forked sub-agent sessions: "always" answered inside a delegation holds for the conversation.
    private Set<String> alwaysApproved;
    // The turn in flight, the pending approval and the decisions made (see RunJournal). Guarded by this.
    private RunJournal journal = new RunJournal();
    // Shared with forked sessions: saves the whole conversation (set by a runner with a session store).
    private AtomicReference<Runnable> checkpoint = new AtomicReference<>();
    // The id of the top-level session of this conversation (this one's, unless it is a delegation's).
    private String conversationId;
    private String currentAgent;
    private Usage usage = Usage.ZERO;
    private double cost;
    private boolean costKnown = true;
    private String summary;
    private int firstKept;
    // The provider's count of the context at the last model call, and the history's size then (not saved).
    private long reportedContext;
    private int reportedAt = -1;
    private final java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean();
    /** Why nothing in this session can wait for a decision (a background agent's), or null; forks inherit it. */
    private volatile String cannotSuspend;

    private Session(String id) {
        this(id, ConcurrentHashMap.newKeySet());
    }

    private Session(String id, Set<String> alwaysApproved) {
        this.id = Objects.requireNonNull(id, "id");
        this.alwaysApproved = alwaysApproved;
        this.conversationId = id;
    }

    /**
     * A new, empty session with a random id.
     *
     * @return a new, empty session with a random id
     */
    public static Session create() {
        return new Session(UUID.randomUUID().toString());
    }

    /**
     * A new, empty session with the given id.
     *
     * @param id the session id
     * @return a new, empty session with the given id
     */
    public static Session create(String id) {
        return new Session(id);
    }

    /**
     * Restores a session written by {@link #toJson()}.
     *
     * @param json the JSON text
     * @return the restored session
     * @throws dev.keel.core.json.JsonParseException when {@code json} is not a serialised session
     */
    public static Session fromJson(String json) {
        SessionCodec.Data d = SessionCodec.read(json);
        Session s = new Session(d.id());
        s.messages.addAll(d.messages());
        s.state.putAll(d.state());
        s.alwaysApproved.addAll(d.alwaysApproved());
        s.currentAgent = d.currentAgent();
        s.usage = d.usage();
        s.cost = d.cost() == null ? 0 : d.cost();
        s.costKnown = d.cost() != null;
        s.journal = RunJournal.fromJson(d.run());
        s.journal.delegations().values().forEach(s::link);
        if (s.journal.workflow() != null) {
            s.journal.workflow().sessions().forEach(s::link);
        }
        if (d.summary() != null) {
            s.compacted(d.summary(), d.firstKept());
        }
        return s;
    }

    /** Makes a restored delegated session share this conversation's answers, decisions and checkpoint again. */
    private void link(Session child) {
        alwaysApproved.addAll(child.alwaysApproved);
        child.alwaysApproved = alwaysApproved;
        child.journal.shareDecisions(journal.decisions());
        child.checkpoint = checkpoint;
        child.conversationId = conversationId;
        child.journal.delegations().values().forEach(child::link);
        if (child.journal.workflow() != null) {
            child.journal.workflow().sessions().forEach(child::link);
        }
    }

    /**
     * JSON text holding everything needed to resume this session.
     *
     * @return the JSON text
     */
    public synchronized String toJson() {
        return SessionCodec.write(new SessionCodec.Data(id, List.copyOf(messages), Map.copyOf(state), currentAgent,
                usage, costKnown ? cost : null, Set.copyOf(alwaysApproved), journal.isEmpty() ? null : journal.toJson(),
                summary, firstKept));
    }

    /**
     * The session id.
     *
     * @return the id
     */
    public String id() {
        return id;
    }

    /**
     * A snapshot of the history, oldest first.
     *
     * @return a snapshot of the history
     */
    public synchronized List<Message> messages() {
        return List.copyOf(messages);
    }

    /**
     * The summary of the older part of the conversation, once the session has been compacted: the model sees it
     * instead of the messages before {@link #contextMessages()}' kept tail. Each compaction summarises the previous
     * summary too, so there is one.
     *
     * @return the latest summary, or empty when the session was never compacted
     */
    public synchronized Optional<String> summary() {
        return Optional.ofNullable(summary);
    }

    /**
     * What the next model call is built from: every message before a compaction, or after one the summary (as a
     * user message) followed by the messages kept verbatim. {@link #messages()} keeps the whole history either way.
     *
     * @return the conversation as the model sees it, oldest first
     */
    public synchronized List<Message> contextMessages() {
        if (summary == null) {
            return List.copyOf(messages);
        }
        List<Message> out = new ArrayList<>(messages.size() - firstKept + 1);
        out.add(summaryMessage(summary));
        out.addAll(messages.subList(firstKept, messages.size()));
        return List.copyOf(out);
    }

    /**
     * How a summary is shown to the model: as a user turn, which every provider accepts at the start of a
     * conversation and before a kept tail that starts with an assistant turn.
     */
    static Message summaryMessage(String summary) {
        return Message.user("Summary of the earlier conversation (older turns were compacted into it):\n\n" + summary);
    }

    /** Index in {@link #messages()} of the first message kept verbatim after the last compaction (0 before any). */
    synchronized int firstKept() {
        return firstKept;
    }

    synchronized int size() {
        return messages.size();
    }

    /** Replaces the conversation before {@code keptFrom} (an index into {@link #messages()}) with {@code text}. */
    synchronized void compacted(String text, int keptFrom) {
        if (keptFrom < firstKept || keptFrom > messages.size()) {
            throw new IllegalArgumentException("kept tail starts at " + keptFrom + ", outside " + firstKept + ".."
                    + messages.size());
        }
        summary = Objects.requireNonNull(text, "text");
        firstKept = keptFrom;
        reportedAt = -1;
    }

    /** Records the provider's count of the context a model call just sent and received. */
    synchronized void contextReported(long tokens) {
        reportedContext = tokens;
        reportedAt = messages.size();
    }

    /**
     * The size of the context now: the provider's last count plus estimates of what was added since, or an estimate
     * of it all when that is larger; {@code overhead} is what a call sends besides the history.
     */
    synchronized long contextTokens(long overhead) {
        List<Message> context = contextMessages();
        long estimate = overhead + dev.keel.agents.internal.ContextTokens.estimate(context);
        if (reportedAt >= firstKept && reportedAt <= messages.size() && reportedContext > 0) {
            estimate = Math.max(estimate, reportedContext
                    + dev.keel.agents.internal.ContextTokens.estimate(messages.subList(reportedAt, messages.size())));
        }
        return estimate;
    }

    /**
     * The shared state map, live and thread-safe: Keel JSON values by key (the todo toolset keeps its list
     * under {@code todos}). Saved with {@link #toJson()}.
     *
     * @return the shared state map, live and thread-safe: Keel JSON values by key (the todo toolset keeps its list under {@code todos})
     */
    public Map<String, JsonValue> state() {
        return state;
    }

    /**
     * Tools the approver said "approve always" for in this conversation, approved from now on without asking.
     *
     * @return tools the approver said "approve always" for in this conversation, approved from now on without asking
     */
    public Set<String> alwaysApproved() {
        return Set.copyOf(alwaysApproved);
    }

    boolean isAlwaysApproved(String tool) {
        return alwaysApproved.contains(tool);
    }

    void approveAlways(String tool) {
        alwaysApproved.add(tool);
    }

    /**
     * The decisions people made on suspended tool calls of this conversation (its delegations included), oldest
     * first: who approved or denied what, when and why.
     *
     * @return the decisions so far
     */
    public synchronized List<ApprovalRecord> decisions() {
        synchronized (journal.decisions()) {
            return List.copyOf(journal.decisions());
        }
    }

    /**
     * The tool call this conversation waits on, when a run suspended at an approval (here or in a delegation).
     *
     * @return the pending call, or empty
     */
    public Optional<PendingApproval> pendingApproval() {
        Session s = pendingSession();
        return s == null ? Optional.empty() : Optional.of(s.journalPending());
    }

    /**
     * Name of the agent that answers next, or empty before the first run.
     *
     * @return the current agent's name
     */
    public synchronized Optional<String> currentAgent() {
        return Optional.ofNullable(currentAgent);
    }

    /**
     * Tokens used so far, delegated sub-agents included.
     *
     * @return the tokens used
     */
    public synchronized Usage usage() {
        return usage;
    }

    /**
     * Cost so far in US dollars, empty when a model without a known price was used.
     *
     * @return the cost, or empty
     */
    public synchronized OptionalDouble cost() {
        return costKnown ? OptionalDouble.of(cost) : OptionalDouble.empty();
    }

    /** Marks the session as running; a second concurrent run is refused rather than interleaving histories. */
    void begin() {
        if (!running.compareAndSet(false, true)) {
            throw new IllegalStateException("session " + id + " is already running; one run at a time per session");
        }
    }

    void end() {
        running.set(false);
    }

    synchronized void append(Message message) {
        messages.add(message);
    }

    synchronized void currentAgent(String name) {
        currentAgent = name;
    }

    /** Adds usage; {@code price} null makes the cost unknown from now on. */
    synchronized void addUsage(Usage more, ModelPrice price) {
        usage = usage.plus(more);
        if (price == null) {
            if (more.totalTokens() > 0) {
                costKnown = false;
            }
        } else {
            cost += price.cost(more);
        }
    }

    /**
     * What was spent besides the agent's own model calls (a tool guard's or a model hook's model, a compaction
     * summary) and is not yet charged to the run's budgets: the loop charges it before it checks them.
     */
    record SideSpend(long tokens, double costUsd, String unpricedModel) {
        static final SideSpend NONE = new SideSpend(0, 0, null);
    }

    private SideSpend uncharged = SideSpend.NONE;

    /** Adds usage of a model called beside the agent's own ({@code label} names it), to be charged to budgets. */
    synchronized void addSideUsage(Usage more, ModelPrice price, String label) {
        addUsage(more, price);
        uncharged = new SideSpend(uncharged.tokens() + more.totalTokens(),
                uncharged.costUsd() + (price == null ? 0 : price.cost(more)),
                uncharged.unpricedModel() != null || price != null || more.totalTokens() == 0
                        ? uncharged.unpricedModel() : label);
    }

    /** The side spend not charged yet, forgotten here: the caller charges it. */
    synchronized SideSpend takeSideSpend() {
        SideSpend s = uncharged;
        uncharged = SideSpend.NONE;
        return s;
    }

    synchronized void addUsage(Usage more, Double moreCost) {
        usage = usage.plus(more);
        if (moreCost == null) {
            costKnown = false;
        } else {
            cost += moreCost;
        }
    }

    /**
     * A fresh session for a delegated task: no history, a copy of this session's state, and this
     * conversation's "approve always" answers (shared, so answers given inside the delegation hold here too).
     */
    Session fork() {
        Session child = new Session(id + "/" + UUID.randomUUID().toString().substring(0, 8), alwaysApproved);
        child.state.putAll(state);
        child.cannotSuspend = cannotSuspend;
        child.journal.shareDecisions(journal.decisions());
        child.checkpoint = checkpoint;
        child.conversationId = conversationId;
        return child;
    }

    // ---- the run journal: what lets a run continue after a crash or a suspension

    /** Saves the conversation where a runner with a session store asked for it (no-op otherwise). */
    void checkpoint() {
        Runnable c = checkpoint.get();
        if (c != null) {
            c.run();
        }
    }

    String conversationId() {
        return conversationId;
    }

    void onCheckpoint(Runnable save) {
        checkpoint.set(save);
    }

    /** The model reply of the turn in flight (already in the history), or null. */
    synchronized ChatResponse inFlightReply() {
        return journal.reply();
    }

    synchronized String inFlightAgent() {
        return journal.turnAgent();
    }

    /** A turn starts: {@code reply} was appended; it and everything decided in this turn are journalled. */
    void startTurn(String agent, ChatResponse reply) {
        synchronized (this) {
            journal.startTurn(agent, reply);
        }
        checkpoint();
    }

    synchronized RunJournal.CallRecord recordedCall(String callId) {
        return journal.call(callId);
    }

    void recordApproval(String callId, StepInterceptor.ApprovalOutcome outcome) {
        synchronized (this) {
            journal.approval(callId, outcome);
        }
        checkpoint();
    }

    /** A tool's result, saved before the run goes on, so that no finished tool runs again after a crash. */
    void recordResult(String callId, ToolResultMessage result) {
        synchronized (this) {
            journal.result(callId, result);
        }
        checkpoint();
    }

    /** The sessions of the delegations of the turn in flight. */
    synchronized List<Session> delegationSessions() {
        return List.copyOf(journal.delegations().values());
    }

    /** The session of the delegation made by {@code callId}: the one in flight, or a new fork. */
    synchronized Session delegation(String callId) {
        return journal.delegation(callId, this::fork);
    }

    /** The turn's results join the history and the journal of the turn is dropped. */
    void finishTurn(List<ToolResultMessage> results) {
        synchronized (this) {
            messages.addAll(results);
            journal.finishTurn();
        }
        checkpoint();
    }

    /**
     * Marks this session (and every session forked from it from now on) as one whose runs nobody waits for: a call
     * that needs a decision that would suspend the run is denied instead, with {@code why} telling the model.
     */
    void cannotSuspend(String why) {
        cannotSuspend = java.util.Objects.requireNonNull(why, "why");
    }

    /** Why a call in this session cannot wait for a decision, or null when it can. */
    String cannotSuspend() {
        return cannotSuspend;
    }

    /**
     * Drops a turn left unfinished by a failed, non-durable run (its reply stays in the history), and the progress
     * of a workflow such a run left.
     */
    synchronized void abandonTurn() {
        journal.finishTurn();
        journal.workflow(null);
    }

    /** The progress of the workflow running in this session (see {@link WorkflowProgress}), or null. */
    synchronized WorkflowProgress workflowProgress() {
        return journal.workflow();
    }

    /** Sets (or with null drops) the progress of the workflow running in this session; not saved by itself. */
    synchronized void workflowProgress(WorkflowProgress progress) {
        journal.workflow(progress);
    }

    void suspend(PendingApproval pending) {
        synchronized (this) {
            journal.pending(pending);
        }
        checkpoint();
    }

    private synchronized PendingApproval journalPending() {
        return journal.pending();
    }

    /**
     * This session or the delegated one or workflow step's one (at any depth) that holds the pending approval, or
     * null.
     */
    synchronized Session pendingSession() {
        if (journal.pending() != null) {
            return this;
        }
        for (Session child : journal.delegations().values()) {
            Session found = child.pendingSession();
            if (found != null) {
                return found;
            }
        }
        if (journal.workflow() != null) {
            for (Session child : journal.workflow().running().values()) {
                Session found = child.pendingSession();
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    /** Records someone's decision on the pending call: the call's approval, and the audit trail. */
    synchronized void decide(ApprovalRecord record, StepInterceptor.ApprovalOutcome outcome) {
        journal.approval(record.callId(), outcome);
        journal.pending(null);
        synchronized (journal.decisions()) {
            journal.decisions().add(record);
        }
    }

    @Override
    public synchronized String toString() {
        return "Session[" + id + ", " + messages.size() + " messages" + (summary == null ? "" : ", compacted before "
                + firstKept) + ", agent=" + currentAgent + ", " + usage.totalTokens() + " tokens]";
    }
}
