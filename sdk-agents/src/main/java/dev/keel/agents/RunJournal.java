package dev.keel.agents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.agents.AgentEvent.ApprovalSource;
import dev.keel.agents.StepInterceptor.ApprovalOutcome;
import dev.keel.agents.internal.SessionCodec;
import dev.keel.core.ChatResponse;
import dev.keel.core.FinishReason;
import dev.keel.core.internal.json.Json;
import dev.keel.core.json.JsonParseException;
import dev.keel.core.message.AssistantMessage;
import dev.keel.core.message.Message;
import dev.keel.core.message.ToolCall;
import dev.keel.core.message.ToolResultMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What a session remembers of the turn in flight, so that a run can continue after a crash or a suspension
 * without asking the model again or running a finished tool twice: the model's reply, each call's approval and
 * result as soon as they are known, the sessions of delegations still running, the progress of a workflow agent's
 * run ({@link WorkflowProgress}), the call waiting for a decision, and the decisions made so far (kept after the
 * turn, as an audit trail). Saved with the session. Guarded by the owning session's lock.
 */
final class RunJournal {
    /** What is known of one tool call of the turn in flight. */
    record CallRecord(ApprovalOutcome approval, ToolResultMessage result) {}

    private String turnAgent;
    private ChatResponse reply;
    private final Map<String, CallRecord> calls = new LinkedHashMap<>();
    private final Map<String, Session> delegations = new LinkedHashMap<>();
    private PendingApproval pending;
    // The progress of the workflow running in this session (a workflow agent's), or null.
    private WorkflowProgress workflow;
    // Shared by a conversation's sessions (the audit outlives the delegation); synchronized on itself.
    private List<ApprovalRecord> decisions = new ArrayList<>();

    ChatResponse reply() {
        return reply;
    }

    String turnAgent() {
        return turnAgent;
    }

    void startTurn(String agent, ChatResponse response) {
        turnAgent = agent;
        reply = response;
        calls.clear();
        delegations.clear();
    }

    void finishTurn() {
        turnAgent = null;
        reply = null;
        calls.clear();
        delegations.clear();
    }

    CallRecord call(String callId) {
        return calls.get(callId);
    }

    void approval(String callId, ApprovalOutcome outcome) {
        CallRecord old = calls.get(callId);
        calls.put(callId, new CallRecord(outcome, old == null ? null : old.result()));
    }

    void result(String callId, ToolResultMessage result) {
        CallRecord old = calls.get(callId);
        calls.put(callId, new CallRecord(old == null ? null : old.approval(), result));
    }

    Session delegation(String callId, Supplier<Session> fork) {
        return delegations.computeIfAbsent(callId, id -> fork.get());
    }

    Map<String, Session> delegations() {
        return delegations;
    }

    PendingApproval pending() {
        return pending;
    }

    WorkflowProgress workflow() {
        return workflow;
    }

    void workflow(WorkflowProgress progress) {
        workflow = progress;
    }

    void pending(PendingApproval p) {
        pending = p;
    }

    List<ApprovalRecord> decisions() {
        return decisions;
    }

    /** Uses {@code shared} (the conversation's list) from now on, after adding this journal's own records to it. */
    void shareDecisions(List<ApprovalRecord> shared) {
        if (shared == decisions) {
            return;
        }
        synchronized (shared) {
            for (ApprovalRecord r : decisions) {
                if (!shared.contains(r)) {
                    shared.add(r);
                }
            }
        }
        decisions = shared;
    }

    boolean isEmpty() {
        return reply == null && pending == null && workflow == null && decisions.isEmpty();
    }

    // ---- JSON (inside the session's JSON, under "run")

    ObjectNode toJson() {
        ObjectNode n = Json.object();
        if (reply != null) {
            ObjectNode turn = n.putObject("turn");
            turn.put("agent", turnAgent);
            turn.set("reply", SessionCodec.message(reply.message()));
            turn.put("finish_reason", reply.finishReason().name());
            turn.set("usage", SessionCodec.usage(reply.usage()));
            turn.put("model", reply.model());
            turn.put("response_id", reply.id());
            ObjectNode callsNode = turn.putObject("calls");
            calls.forEach((id, c) -> {
                ObjectNode cn = callsNode.putObject(id);
                if (c.approval() != null) {
                    if (c.approval().approved()) {
                        cn.put("approved_by", c.approval().source().name());
                    } else if (!c.approval().suspended()) {
                        cn.put("denied", c.approval().reason());
                    }
                }
                if (c.result() != null) {
                    cn.set("result", SessionCodec.message(c.result()));
                }
            });
            ObjectNode del = turn.putObject("delegations");
            delegations.forEach((id, child) -> del.set(id, Json.parse(child.toJson())));
        }
        if (workflow != null) {
            n.set("workflow", workflow.toJson());
        }
        if (pending != null) {
            ObjectNode p = n.putObject("pending");
            p.put("token", pending.token()).put("session", pending.sessionId()).put("agent", pending.agent())
                    .put("call_id", pending.call().id()).put("tool", pending.call().name())
                    .put("arguments", pending.call().arguments()).put("requested_at", pending.requestedAt().toString());
        }
        List<ApprovalRecord> audit;
        synchronized (decisions) {
            audit = List.copyOf(decisions);
        }
        if (!audit.isEmpty()) {
            ArrayNode a = n.putArray("decisions");
            for (ApprovalRecord d : audit) {
                a.addObject().put("session", d.sessionId()).put("agent", d.agent()).put("call_id", d.callId())
                        .put("tool", d.tool()).put("approved", d.approved()).put("by", d.by())
                        .put("at", d.at().toString()).put("reason", d.reason());
            }
        }
        return n;
    }

    static RunJournal fromJson(JsonNode n) {
        RunJournal j = new RunJournal();
        if (n == null) {
            return j;
        }
        try {
            JsonNode turn = n.get("turn");
            if (turn != null) {
                Message reply = SessionCodec.readMessage(turn.path("reply"));
                if (!(reply instanceof AssistantMessage a)) {
                    throw new JsonParseException("the turn in flight must start with an assistant reply");
                }
                j.turnAgent = text(turn, "agent");
                j.reply = new ChatResponse(a, FinishReason.valueOf(turn.path("finish_reason").asText("OTHER")),
                        SessionCodec.readUsage(turn.path("usage")), turn.path("model").asText(""),
                        turn.path("response_id").asText(""));
                turn.path("calls").fields().forEachRemaining(e -> {
                    JsonNode c = e.getValue();
                    ApprovalOutcome approval = c.has("approved_by")
                            ? ApprovalOutcome.approved(ApprovalSource.valueOf(c.get("approved_by").asText()))
                            : c.has("denied") ? ApprovalOutcome.denied(c.get("denied").asText()) : null;
                    ToolResultMessage result = null;
                    if (c.has("result")) {
                        if (!(SessionCodec.readMessage(c.get("result")) instanceof ToolResultMessage r)) {
                            throw new JsonParseException("call " + e.getKey() + " has a result that is no tool result");
                        }
                        result = r;
                    }
                    j.calls.put(e.getKey(), new CallRecord(approval, result));
                });
                turn.path("delegations").fields().forEachRemaining(e ->
                        j.delegations.put(e.getKey(), Session.fromJson(Json.write(e.getValue()))));
            }
            JsonNode w = n.get("workflow");
            if (w != null) {
                j.workflow = WorkflowProgress.fromJson(w);
            }
            JsonNode p = n.get("pending");
            if (p != null) {
                j.pending = new PendingApproval(text(p, "token"), text(p, "session"), text(p, "agent"),
                        new ToolCall(text(p, "call_id"), text(p, "tool"), text(p, "arguments")),
                        Instant.parse(text(p, "requested_at")));
            }
            for (JsonNode d : n.path("decisions")) {
                j.decisions.add(new ApprovalRecord(text(d, "session"), text(d, "agent"), text(d, "call_id"),
                        text(d, "tool"), d.path("approved").asBoolean(false), text(d, "by"),
                        Instant.parse(text(d, "at")), d.path("reason").asText("")));
            }
        } catch (IllegalArgumentException | java.time.format.DateTimeParseException e) {
            throw new JsonParseException("the session's run journal is malformed: " + e.getMessage(), e);
        }
        return j;
    }

    static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new JsonParseException("the session's run journal lacks text field '" + field + "'");
        }
        return v.asText();
    }
}
