package dev.keel.agents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.agents.internal.SessionCodec;
import dev.keel.core.internal.json.Json;
import dev.keel.core.json.JsonParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * How far the workflow running in a session got, kept in that session's {@link RunJournal} so that a run that
 * suspended (or whose process died) inside a step continues there: the steps that finished, with their results,
 * the sessions of the steps still running (a suspended step's session holds its turn in flight and the pending
 * call, as a delegation's does), the loop's pass, and whether the loop's exit was asked for. A finished step's
 * result is kept whole: its session, structured answer and, for a nested workflow, its own steps. Steps are named
 * by their index in {@link Workflow#agents()}. Guarded by itself.
 */
final class WorkflowProgress {
    /** A step that finished: its index in {@link Workflow#agents()}, the pass it ran in, and its result. */
    record Finished(int index, int pass, AgentResult result) {}

    private final String agent;
    private int pass = 1;
    private boolean exitRequested;
    private final List<Finished> finished = new ArrayList<>();
    private final Map<Integer, Session> running = new TreeMap<>();

    WorkflowProgress(String agent) {
        this.agent = agent;
    }

    /** The workflow agent. */
    String agent() {
        return agent;
    }

    synchronized int pass() {
        return pass;
    }

    synchronized void pass(int p) {
        pass = p;
    }

    synchronized boolean exitRequested() {
        return exitRequested;
    }

    synchronized List<Finished> finished() {
        return List.copyOf(finished);
    }

    synchronized Map<Integer, Session> running() {
        return Map.copyOf(running);
    }

    /** The sessions of the steps that finished and of those still running. */
    synchronized List<Session> sessions() {
        List<Session> all = new ArrayList<>();
        finished.forEach(f -> all.add(f.result().session()));
        all.addAll(running.values());
        return all;
    }

    /** The session of step {@code index}: the one it was running in when the run stopped, or a new one. */
    synchronized Session start(int index, Supplier<Session> fork) {
        return running.computeIfAbsent(index, i -> fork.get());
    }

    /** Step {@code index} finished in the current pass; {@code exit} is whether the loop's exit was asked for. */
    synchronized void finish(int index, AgentResult result, boolean exit) {
        running.remove(index);
        finished.add(new Finished(index, pass, result));
        exitRequested |= exit;
    }

    // ---- JSON (inside the run journal, under "workflow")

    synchronized ObjectNode toJson() {
        ObjectNode n = Json.object();
        n.put("agent", agent).put("pass", pass).put("exit_requested", exitRequested);
        ArrayNode done = n.putArray("finished");
        for (Finished f : finished) {
            ObjectNode o = result(done.addObject(), f.result());
            o.put("index", f.index()).put("pass", f.pass());
        }
        ObjectNode now = n.putObject("running");
        running.forEach((i, s) -> now.set(String.valueOf(i), Json.parse(s.toJson())));
        return n;
    }

    static WorkflowProgress fromJson(JsonNode n) {
        WorkflowProgress p = new WorkflowProgress(RunJournal.text(n, "agent"));
        p.pass = index(n, "pass");
        p.exitRequested = n.path("exit_requested").asBoolean(false);
        try {
            for (JsonNode f : n.path("finished")) {
                p.finished.add(new Finished(index(f, "index"), index(f, "pass"), result(f)));
            }
        } catch (IllegalArgumentException e) {
            throw new JsonParseException("the stored progress of workflow agent '" + p.agent + "' is malformed: "
                    + e.getMessage(), e);
        }
        n.path("running").fields().forEachRemaining(e -> {
            int i;
            try {
                i = Integer.parseInt(e.getKey());
            } catch (NumberFormatException x) {
                throw new JsonParseException("the stored progress of workflow agent '" + p.agent
                        + "' names a running step '" + e.getKey() + "' that is no step index");
            }
            if (i < 0) {
                throw new JsonParseException("the stored progress of workflow agent '" + p.agent
                        + "' names a negative step index " + i);
            }
            p.running.put(i, Session.fromJson(Json.write(e.getValue())));
        });
        return p;
    }

    /** A step's result, a nested workflow's steps included, written into {@code o}. */
    private static ObjectNode result(ObjectNode o, AgentResult r) {
        o.put("agent", r.agent()).put("output", r.output()).put("stop_reason", r.stopReason().name())
                .put("iterations", r.iterations());
        o.set("usage", SessionCodec.usage(r.usage()));
        if (r.structured() != null) {
            o.put("structured", r.structured().toJson());
        }
        o.set("session", Json.parse(r.session().toJson()));
        if (!r.steps().isEmpty()) {
            ArrayNode steps = o.putArray("steps");
            r.steps().forEach(step -> result(steps.addObject(), step));
        }
        return o;
    }

    private static AgentResult result(JsonNode o) {
        List<AgentResult> steps = new ArrayList<>();
        for (JsonNode step : o.path("steps")) {
            steps.add(result(step));
        }
        JsonNode structured = o.get("structured");
        return new AgentResult(o.path("output").asText(""), RunJournal.text(o, "agent"),
                AgentResult.StopReason.valueOf(RunJournal.text(o, "stop_reason")), o.path("iterations").asInt(0),
                SessionCodec.readUsage(o.path("usage")), Session.fromJson(Json.write(o.path("session"))),
                structured == null ? null : dev.keel.core.json.JsonValue.parse(RunJournal.text(o, "structured")), steps);
    }

    private static int index(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isInt() || v.asInt() < 0) {
            throw new JsonParseException("the stored progress of a workflow has no valid '" + field + "' (a "
                    + "non-negative integer): " + v);
        }
        return v.asInt();
    }

    @Override
    public synchronized String toString() {
        return "WorkflowProgress[" + agent + ", pass " + pass + ", " + finished.size() + " finished, running "
                + running.keySet() + (exitRequested ? ", exit requested" : "") + "]";
    }
}
