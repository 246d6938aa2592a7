package dev.keel.agents;

import dev.keel.agents.AgentEvent.ApprovalSource;
import dev.keel.agents.internal.recording.Canonical;
import dev.keel.core.internal.text.LineDiff;
import dev.keel.agents.internal.recording.Normalizer;
import dev.keel.agents.internal.recording.StepOrder;
import dev.keel.agents.internal.recording.Texts;
import dev.keel.agents.recording.RecordedRun;
import dev.keel.agents.recording.RecordedStep;
import dev.keel.agents.recording.RecordedToolset;
import dev.keel.agents.recording.StepTag;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.json.JsonNumber;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonString;
import dev.keel.core.json.JsonValue;
import dev.keel.core.message.Message;
import dev.keel.core.tool.ToolSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The recording's step interceptor: answers steps from the recording, or lets them run and captures them,
 * by the recording's mode. Steps are keyed by session label, turn and call index — never by arrival — so
 * parallel tool calls and delegations replay whatever order they finish in. Thread-safe.
 */
final class RecordingSteps implements StepInterceptor {
    private final Recording recording;
    private final Recording.Mode mode;
    private final Normalizer normalizer;
    private final RecordedRun loaded;
    private final List<String> liveRoots;
    /** The roots the file's texts are written with (the recorded ones when extending a file). */
    private final List<String> fileRoots;
    private final Map<String, RecordedStep> index = new HashMap<>();
    private final Map<String, RecordedToolset> recordedToolsets = new HashMap<>();
    /** docker-agent cassettes: model calls without position, matched by content, each once. */
    private final List<RecordedStep.ModelCall> unkeyed;
    private final boolean[] used;

    /**
     * The session-state key under which a session's label and next turn are kept ({@code {label, next_turn}}), so
     * that a durable run resumed by a restarted service continues the recording's numbering.
     */
    static final String NUMBERING_STATE = "keel.recording";
    private static final String LABEL = "label";
    private static final String NEXT_TURN = "next_turn";

    private final Object lock = new Object();
    private final Map<String, String> labels = new HashMap<>();
    /** How often each workflow step label was given (a step listed twice in one iteration). */
    private final Map<String, Integer> workflowSteps = new HashMap<>();
    private final Map<String, Integer> nextTurn = new HashMap<>();
    private final Map<String, Integer> currentTurn = new HashMap<>();
    private int topLevelSessions;
    private final List<RecordedStep> captured = new ArrayList<>();
    private final Map<String, RecordedToolset> capturedToolsets = new LinkedHashMap<>();
    private final ThreadLocal<StepTag> currentTool = new ThreadLocal<>();
    private final ThreadLocal<List<String>> deltaTap = new ThreadLocal<>();
    private final AtomicReference<RecordingDivergenceException> divergence = new AtomicReference<>();
    /** The recorded recalls by the point they were told at ({@link #point}), in the order told. */
    private final Map<String, List<RecordedStep>> recordedRecalls = new HashMap<>();
    /** The recorded recalls by session label, in file order: what a live recall is checked against. */
    private final Map<String, List<RecordedStep>> recallsBySession = new LinkedHashMap<>();
    /** Recorded recalls told by this replay, and those a live recall was checked against (identity sets). */
    private final Set<RecordedStep> toldRecalls = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Set<RecordedStep> checkedRecalls = Collections.newSetFromMap(new IdentityHashMap<>());

    RecordingSteps(Recording recording) {
        this.recording = recording;
        this.mode = recording.mode();
        this.normalizer = recording.normalizer();
        this.loaded = recording.loaded();
        this.liveRoots = recording.workspaceRoots();
        this.fileRoots = mode == Recording.Mode.RECORD || loaded.workspaces().isEmpty() ? liveRoots : loaded.workspaces();
        boolean positional = loaded.source() == RecordedRun.Source.KEEL;
        this.unkeyed = positional ? List.of() : loaded.modelCalls();
        this.used = new boolean[unkeyed.size()];
        if (positional) {
            for (RecordedStep s : loaded.steps()) {
                String key = key(s);
                if (key != null) {
                    index.putIfAbsent(key, s);
                }
                if (s instanceof RecordedStep.JobRecall || s instanceof RecordedStep.ScheduleFire) {
                    StepTag t = s.tag();
                    recordedRecalls.computeIfAbsent(point(t.session(), t.turn(), afterAnswer(s)), k -> new ArrayList<>())
                            .add(s);
                    recallsBySession.computeIfAbsent(t.session(), k -> new ArrayList<>()).add(s);
                }
            }
            recordedRecalls.values().forEach(l -> l.sort(Comparator.comparingInt(r -> r.tag().call())));
            for (RecordedToolset t : loaded.toolsets()) {
                recordedToolsets.put(t.agent() + "|" + t.toolset(), t);
            }
        }
    }

    // ---- the seams

    @Override
    public ChatResponse modelCall(ModelStep step, Proceed<ChatResponse> next) {
        checkDiverged();
        String label = label(step.at());
        int turn;
        synchronized (lock) {
            resumeNumbering(label, step.at());
            turn = nextTurn.merge(label, 1, Integer::sum) - 1;
            currentTurn.put(label, turn);
            keepNumbering(label, turn + 1, step.at());
        }
        StepTag tag = new StepTag(step.at().agent(), label, turn, -1);
        if (mode != Recording.Mode.RECORD) {
            if (!unkeyed.isEmpty() || loaded.source() == RecordedRun.Source.DOCKER_AGENT) {
                return replay(step, matchUnkeyed(tag, step));
            }
            RecordedStep r = index.get(key("model", label, turn, -1));
            if (r instanceof RecordedStep.ModelCall m) {
                List<String> recorded = Canonical.request(m.model(), m.request(), true, normalizer, loaded.workspaces());
                List<String> live = Canonical.request(step.model(), step.request(), true, normalizer, liveRoots);
                if (!recorded.equals(live)) {
                    throw diverge(tag, "the model request differs from the recorded one" + toldBefore(label, turn),
                            summary(m.model(), m.request()),
                            summary(step.model(), step.request()), LineDiff.of(recorded, live).text());
                }
                return replay(step, m);
            }
            if (mode != Recording.Mode.NEW_EPISODES) {
                throw diverge(tag, "the recording has no model call here", missing(label, "model call"),
                        summary(step.model(), step.request()), "");
            }
        }
        List<String> deltas = new ArrayList<>();
        List<String> outer = deltaTap.get();
        deltaTap.set(deltas);
        ChatResponse response;
        try {
            response = next.proceed();
        } finally {
            deltaTap.set(outer);
        }
        Function<String, String> f = this::toFile;
        capture(new RecordedStep.ModelCall(tag, step.model(), Texts.map(step.request(), f::apply),
                Texts.map(response, f::apply), deltas.stream().map(this::toFile).toList()));
        return response;
    }

    @Override
    public ToolResult toolCall(ToolStep step, Proceed<ToolResult> next) {
        checkDiverged();
        StepTag tag = tagOf(step.at(), step.index());
        StepTag outer = currentTool.get();
        currentTool.set(tag);
        try {
            boolean team = step.call().name().equals(TeamTools.TRANSFER_TASK) || step.call().name().equals(TeamTools.HANDOFF);
            String key = key("tool", tag.session(), tag.turn(), tag.call());
            RecordedStep r = index.get(key);
            boolean fromFile = mode == Recording.Mode.REPLAY || (mode == Recording.Mode.NEW_EPISODES && r != null);
            if (fromFile) {
                if (!(r instanceof RecordedStep.ToolExecution t)) {
                    throw diverge(tag, "the recording has no call of tool '" + step.call().name() + "' here",
                            missing(tag.session(), "tool call"), step.call().name() + " " + step.call().arguments(), "");
                }
                List<String> recorded = Canonical.toolCall(t.tool(), t.arguments().toString(), normalizer, loaded.workspaces());
                List<String> live = Canonical.toolCall(step.call().name(), step.call().arguments(), normalizer, liveRoots);
                if (!recorded.equals(live)) {
                    throw diverge(tag, "the tool call differs from the recorded one", t.tool() + " " + t.arguments(),
                            step.call().name() + " " + step.call().arguments(), LineDiff.of(recorded, live).text());
                }
                if (!team) {
                    return new ToolResult(Normalizer.mapRoots(t.result(), loaded.workspaces(), liveRoots), t.error());
                }
                return next.proceed(); // the team's own loop: the sub-agent's steps are answered in turn
            }
            ToolResult result = next.proceed();
            capture(new RecordedStep.ToolExecution(tag, step.call().name(), toFile(step.arguments().value()),
                    toFile(result.content()), result.error()));
            return result;
        } finally {
            currentTool.set(outer);
        }
    }

    @Override
    public AgentResult delegation(DelegationStep step, Proceed<AgentResult> next) {
        checkDiverged();
        StepTag parent = currentTool.get();
        String parentLabel = label(step.sessionId());
        StepTag tag = parent != null && parent.session().equals(parentLabel) ? parent
                : new StepTag(step.agent(), parentLabel, turnOf(parentLabel), -1);
        String childLabel = parentLabel + "/" + tag.turn() + "." + tag.call() + ":" + step.subAgent();
        synchronized (lock) {
            labels.put(step.subSessionId(), childLabel);
        }
        RecordedStep r = index.get(key("delegation", tag.session(), tag.turn(), tag.call()));
        if (mode == Recording.Mode.REPLAY || (mode == Recording.Mode.NEW_EPISODES && r != null)) {
            if (!(r instanceof RecordedStep.Delegation d) || !d.subAgent().equals(step.subAgent())) {
                throw diverge(tag, "the delegation differs from the recording",
                        r instanceof RecordedStep.Delegation d ? "to " + d.subAgent() + ": " + d.task() : missing(parentLabel, "delegation"),
                        "to " + step.subAgent() + ": " + step.task(), "");
            }
        } else if (mode != Recording.Mode.REPLAY_MODELS) {
            capture(new RecordedStep.Delegation(tag, step.subAgent(), childLabel, toFile(step.task()),
                    toFile(step.expectedOutput())));
        }
        return next.proceed();
    }

    @Override
    public Void handoff(HandoffStep step, Proceed<Void> next) {
        checkDiverged();
        String label = label(step.at());
        StepTag tag = new StepTag(step.at().agent(), label, turnOf(label, step.at()), -1);
        RecordedStep r = index.get(key("handoff", label, tag.turn(), -1));
        if (mode == Recording.Mode.REPLAY || (mode == Recording.Mode.NEW_EPISODES && r != null)) {
            if (!(r instanceof RecordedStep.Handoff h) || !h.toAgent().equals(step.toAgent())) {
                throw diverge(tag, "the handoff differs from the recording",
                        r instanceof RecordedStep.Handoff h ? "hand off to " + h.toAgent() : missing(label, "handoff"),
                        "hand off to " + step.toAgent(), "");
            }
        } else if (mode != Recording.Mode.REPLAY_MODELS) {
            capture(new RecordedStep.Handoff(tag, step.toAgent()));
        }
        return next.proceed();
    }

    @Override
    public ApprovalOutcome approval(ApprovalStep step, Proceed<ApprovalOutcome> next) {
        checkDiverged();
        StepTag tag = tagOf(step.at(), step.index());
        RecordedStep r = index.get(key("approval", tag.session(), tag.turn(), tag.call()));
        if (mode == Recording.Mode.REPLAY || (mode == Recording.Mode.NEW_EPISODES && r != null)) {
            if (!(r instanceof RecordedStep.ApprovalDecision a) || !a.tool().equals(step.call().name())) {
                throw diverge(tag, "the recording has no approval decision for this call",
                        r instanceof RecordedStep.ApprovalDecision a ? "approval of " + a.tool() : missing(tag.session(), "approval"),
                        "approval of " + step.call().name(), "");
            }
            return a.approved() ? ApprovalOutcome.approved(ApprovalSource.valueOf(a.decision()))
                    : ApprovalOutcome.denied(a.decision());
        }
        ApprovalOutcome outcome = next.proceed();
        // A suspended run decided nothing yet: the decision is asked (and recorded) when the run resumes.
        if (mode != Recording.Mode.REPLAY_MODELS && !outcome.suspended()) {
            capture(new RecordedStep.ApprovalDecision(tag, step.call().name(), outcome.approved(),
                    outcome.approved() ? outcome.source().name() : toFile(outcome.reason())));
        }
        return outcome;
    }

    @Override
    public List<Tool> toolsetTools(ToolsetStep step, Proceed<List<Tool>> next) {
        checkDiverged();
        String key = step.agent() + "|" + step.toolset().name();
        RecordedToolset recorded = recordedToolsets.get(key);
        if (mode == Recording.Mode.REPLAY || (mode == Recording.Mode.NEW_EPISODES && recorded != null)) {
            if (recorded == null) {
                throw diverge(new StepTag(step.agent(), "-", -1, -1), "the recording has no tools of toolset '"
                        + step.toolset().name() + "'", "toolsets " + recordedToolsets.keySet(), "toolset " + key, "");
            }
            // New episodes may call a tool the file has no call of: the toolset is started then, not before.
            Supplier<List<Tool>> live = mode == Recording.Mode.NEW_EPISODES ? memoized(() -> liveTools(step, next))
                    : null;
            return recorded.tools().stream()
                    .map(spec -> replayedTool(spec, recorded.readOnly().contains(spec.name()), live)).toList();
        }
        List<Tool> tools = liveTools(step, next);
        if (mode != Recording.Mode.REPLAY_MODELS) {
            Set<String> readOnly = new LinkedHashSet<>();
            tools.stream().filter(Tool::readOnly).forEach(t -> readOnly.add(t.spec().name()));
            RecordedToolset set = new RecordedToolset(step.agent(), step.toolset().name(),
                    tools.stream().map(Tool::spec).toList(), readOnly);
            synchronized (lock) {
                capturedToolsets.putIfAbsent(key, set);
            }
        }
        return tools;
    }

    /**
     * Recording: the messages the toolsets hold, each captured as a step at this point. Replay: the recorded
     * messages of this point, whenever (or whether) jobs end and schedules come due this time; what the toolsets
     * hold is taken too, so that nothing live is told, and each is checked against the session's recorded
     * recall of the same job or schedule (a job that ends at another point is fine, one the recording does not
     * have or whose message differs is a divergence).
     */
    @Override
    public List<Recalled> recalls(RecallStep step, Proceed<List<Recalled>> next) {
        checkDiverged();
        if (loaded.source() != RecordedRun.Source.KEEL) {
            return next.proceed(); // docker-agent cassettes hold model calls only
        }
        String label = label(step.at());
        int turn;
        synchronized (lock) {
            resumeNumbering(label, step.at());
            turn = step.afterAnswer() ? currentTurn.getOrDefault(label, 0) : nextTurn.getOrDefault(label, 0);
        }
        StepTag at = new StepTag(step.at().agent(), label, turn, -1);
        boolean fromFile = mode != Recording.Mode.RECORD
                && (mode != Recording.Mode.NEW_EPISODES || index.containsKey(key("model", label, turn, -1)));
        List<Recalled> live = next.proceed();
        if (!fromFile) {
            for (int i = 0; i < live.size(); i++) {
                capture(recorded(new StepTag(at.agent(), label, turn, i), step.afterAnswer(), live.get(i)));
            }
            return live;
        }
        for (Recalled r : live) {
            checkLive(at, step.afterAnswer(), r);
        }
        List<RecordedStep> recorded = recordedRecalls.getOrDefault(point(label, turn, step.afterAnswer()), List.of());
        List<Recalled> told = new ArrayList<>();
        for (RecordedStep r : recorded) {
            if (!r.tag().agent().equals(at.agent())) {
                throw diverge(r.tag(), "the recording tells " + describeRecall(r) + " to another agent "
                        + where(step.afterAnswer()), "told to agent '" + r.tag().agent() + "'",
                        "agent '" + at.agent() + "' is about to call its model", "");
            }
            told.add(replayed(r, step.at()));
        }
        synchronized (lock) {
            toldRecalls.addAll(recorded);
        }
        return told;
    }

    // ---- hooks of the recording (commands, fetches, permission checks) and the event stream

    /** Captures a step of the tool call running on this thread (ignored in the replay modes). */
    void subStep(Function<StepTag, RecordedStep> step) {
        if (mode == Recording.Mode.REPLAY || mode == Recording.Mode.REPLAY_MODELS) {
            return;
        }
        StepTag tag = currentTool.get();
        RecordedStep s = step.apply(tag != null ? tag : new StepTag("-", "-", -1, -1));
        capture(redacted(s));
    }

    /** Collects the streamed text of the model call running on this thread. */
    void onEvent(AgentEvent event) {
        if (event instanceof AgentEvent.WorkflowStepStarted w) {
            // Emitted on the step's thread before it runs: its session is labelled by the workflow's session, the
            // iteration and the step, never by which parallel branch happened to call its model first.
            synchronized (lock) {
                String base = label(w.sessionId()) + "/w" + w.iteration() + ":" + w.step();
                int n = workflowSteps.merge(base, 1, Integer::sum);
                labels.put(w.stepSessionId(), n == 1 ? base : base + "#" + n);
            }
        } else if (event instanceof AgentEvent.TextDelta d) {
            List<String> tap = deltaTap.get();
            if (tap != null) {
                tap.add(d.text());
            }
        }
    }

    // ---- state

    RecordedRun snapshot() {
        List<RecordedStep> all = new ArrayList<>();
        Map<String, RecordedToolset> toolsets = new LinkedHashMap<>();
        loaded.toolsets().forEach(t -> toolsets.put(t.agent() + "|" + t.toolset(), t));
        if (loaded.source() == RecordedRun.Source.KEEL) {
            all.addAll(loaded.steps());
        }
        synchronized (lock) {
            all.addAll(captured);
            capturedToolsets.forEach(toolsets::putIfAbsent);
        }
        return new RecordedRun(RecordedRun.Source.KEEL, fileRoots, List.copyOf(toolsets.values()), StepOrder.sort(all),
                List.of());
    }

    boolean hasNewSteps() {
        synchronized (lock) {
            return !captured.isEmpty() || !capturedToolsets.isEmpty()
                    && capturedToolsets.keySet().stream().anyMatch(k -> !recordedToolsets.containsKey(k));
        }
    }

    Optional<RecordingDivergenceException> divergence() {
        return Optional.ofNullable(divergence.get());
    }

    private void capture(RecordedStep s) {
        if (mode == Recording.Mode.REPLAY || mode == Recording.Mode.REPLAY_MODELS) {
            return;
        }
        synchronized (lock) {
            captured.add(s);
        }
    }

    private String label(String sessionId) {
        synchronized (lock) {
            return labels.computeIfAbsent(sessionId, id -> freshLabel());
        }
    }

    /**
     * The session's label; a session this runner has not seen that carries the label an earlier runner gave it (a
     * durable run resumed after a restart) keeps it, unless this runner gave it to another session already.
     */
    private String label(Position at) {
        synchronized (lock) {
            String known = labels.get(at.sessionId());
            if (known != null) {
                return known;
            }
            String kept = keptLabel(at);
            String label = kept != null && !kept.contains("/") && !labels.containsValue(kept) ? kept : freshLabel();
            labels.put(at.sessionId(), label);
            return label;
        }
    }

    private String freshLabel() {
        String label;
        do {
            label = "s" + (++topLevelSessions);
        } while (labels.containsValue(label));
        return label;
    }

    /**
     * Continues the numbering of {@code label} where the session's state says an earlier runner left it, the first
     * time this runner numbers it: a resumed session's steps then get the tags the recording would have given them
     * had the service never stopped. Caller holds {@code lock}.
     */
    private void resumeNumbering(String label, Position at) {
        if (nextTurn.containsKey(label) || !label.equals(keptLabel(at))) {
            return;
        }
        // a number of turns, else (a session edited by hand, say) the numbering starts afresh
        if (kept(at, NEXT_TURN) instanceof JsonNumber n && n.isIntegral() && n.value().signum() >= 0
                && n.value().compareTo(java.math.BigDecimal.valueOf(Integer.MAX_VALUE)) < 0) {
            nextTurn.put(label, n.intValue());
            currentTurn.put(label, Math.max(0, n.intValue() - 1));
        }
    }

    /** Saves the numbering in the session's state, which the session store keeps with it. Caller holds {@code lock}. */
    private static void keepNumbering(String label, int nextTurn, Position at) {
        if (at.sessionState() != null) {
            at.sessionState().put(NUMBERING_STATE, JsonObject.of(Map.of(LABEL, label, NEXT_TURN, nextTurn)));
        }
    }

    /** A field of the numbering an earlier runner saved in the session's state; null when there is none. */
    private static JsonValue kept(Position at, String field) {
        return at.sessionState() != null && at.sessionState().get(NUMBERING_STATE) instanceof JsonObject o
                ? o.get(field).orElse(null) : null;
    }

    private static String keptLabel(Position at) {
        return kept(at, LABEL) instanceof JsonString s ? s.value() : null;
    }

    private int turnOf(String label) {
        synchronized (lock) {
            return currentTurn.getOrDefault(label, 0);
        }
    }

    private int turnOf(String label, Position at) {
        synchronized (lock) {
            resumeNumbering(label, at);
            return currentTurn.getOrDefault(label, 0);
        }
    }

    private StepTag tagOf(Position at, int call) {
        String label = label(at);
        return new StepTag(at.agent(), label, turnOf(label, at), call);
    }

    // ---- replay

    private ChatResponse replay(ModelStep step, RecordedStep.ModelCall m) {
        List<String> deltas = m.textDeltas().isEmpty() && !m.response().text().isEmpty()
                ? List.of(m.response().text()) : m.textDeltas();
        for (String d : deltas) {
            step.listener().onText(toLive(d));
        }
        return Texts.map(m.response(), this::toLive);
    }

    private RecordedStep.ModelCall matchUnkeyed(StepTag tag, ModelStep step) {
        List<String> live = Canonical.request(null, step.request(), false, normalizer, liveRoots);
        int nearest = -1;
        LineDiff.Result nearestDiff = null;
        synchronized (lock) {
            for (int i = 0; i < unkeyed.size(); i++) {
                if (used[i]) {
                    continue;
                }
                List<String> recorded = Canonical.request(null, unkeyed.get(i).request(), false, normalizer, List.of());
                if (recorded.equals(live)) {
                    used[i] = true;
                    return unkeyed.get(i);
                }
                LineDiff.Result d = LineDiff.of(recorded, live);
                if (nearestDiff == null || d.changes() < nearestDiff.changes()) {
                    nearest = i;
                    nearestDiff = d;
                }
            }
        }
        if (nearest < 0) {
            throw diverge(tag, "the recording has no unused model call left", unkeyed.size()
                    + " recorded model calls, all replayed", summary(step.model(), step.request()), "");
        }
        throw diverge(tag, "no recorded model call matches this request (nearest: interaction #"
                + unkeyed.get(nearest).tag().turn() + ")", summary(unkeyed.get(nearest).model(),
                unkeyed.get(nearest).request()), summary(step.model(), step.request()), nearestDiff.text());
    }

    /** The toolset's own tools; the team's shell, script and fetch toolsets report their commands and requests. */
    private List<Tool> liveTools(ToolsetStep step, Proceed<List<Tool>> next) {
        Toolset observed = mode == Recording.Mode.REPLAY_MODELS ? step.toolset() : recording.observed(step.toolset());
        return observed == step.toolset() ? next.proceed() : observed.tools();
    }

    private static <T> Supplier<T> memoized(Supplier<T> supplier) {
        return new Supplier<>() {
            private T value;

            @Override
            public synchronized T get() {
                if (value == null) {
                    value = supplier.get();
                }
                return value;
            }
        };
    }

    /**
     * A tool listed from the file. Replaying, it never runs (every call is answered from the file); recording new
     * episodes ({@code live} not null), a call the file lacks runs the toolset's own tool of that name.
     */
    private Tool replayedTool(ToolSpec spec, boolean readOnly, Supplier<List<Tool>> live) {
        return Tool.of(spec, readOnly, (args, ctx) -> {
            if (live == null) {
                throw new IllegalStateException("tool '" + spec.name() + "' is replayed from " + recording.file()
                        + " and cannot run live");
            }
            Tool tool = live.get().stream().filter(t -> t.spec().name().equals(spec.name())).findFirst()
                    .orElseThrow(() -> new IllegalStateException("tool '" + spec.name() + "' is in the recording "
                            + recording.file() + " but its toolset no longer has it"));
            return tool.call(args, ctx);
        });
    }

    // ---- recalls

    /** Says which recorded recalls this replay told right before model call {@code turn} of {@code label}. */
    private String toldBefore(String label, int turn) {
        List<RecordedStep> told = recordedRecalls.getOrDefault(point(label, turn, false), List.of());
        return told.isEmpty() ? "" : " (the recording told " + told.stream().map(RecordingSteps::describeRecall)
                .collect(Collectors.joining(", ")) + " before it)";
    }

    private static String point(String label, int turn, boolean afterAnswer) {
        return label + "|" + turn + "|" + (afterAnswer ? "after" : "before");
    }

    private static boolean afterAnswer(RecordedStep s) {
        return s instanceof RecordedStep.JobRecall j ? j.afterAnswer() : ((RecordedStep.ScheduleFire) s).afterAnswer();
    }

    private static String where(boolean afterAnswer) {
        return afterAnswer ? "after the model's final answer" : "before the model call";
    }

    private static String describeRecall(RecordedStep s) {
        return s instanceof RecordedStep.JobRecall j ? "the recall of background job '" + j.jobId() + "'"
                : "the fire of schedule '" + ((RecordedStep.ScheduleFire) s).scheduleId() + "'";
    }

    private static String describeRecall(Recalled r) {
        return r.event() instanceof AgentEvent.BackgroundJobRecalled j ? "the recall of background job '" + j.jobId() + "'"
                : "the fire of schedule '" + ((AgentEvent.ScheduleFired) r.event()).scheduleId() + "'";
    }

    private static String recallId(RecordedStep s) {
        return s instanceof RecordedStep.JobRecall j ? "job|" + j.jobId()
                : "schedule|" + ((RecordedStep.ScheduleFire) s).scheduleId();
    }

    private static String recallId(Recalled r) {
        return r.event() instanceof AgentEvent.BackgroundJobRecalled j ? "job|" + j.jobId()
                : "schedule|" + ((AgentEvent.ScheduleFired) r.event()).scheduleId();
    }

    private static String message(RecordedStep s) {
        return s instanceof RecordedStep.JobRecall j ? j.message() : ((RecordedStep.ScheduleFire) s).message();
    }

    /** The step a live recall is recorded as: its texts redacted, paths as the file writes them. */
    private RecordedStep recorded(StepTag tag, boolean afterAnswer, Recalled r) {
        if (r.event() instanceof AgentEvent.BackgroundJobRecalled j) {
            return new RecordedStep.JobRecall(tag, afterAnswer, j.jobId(), toFile(j.command()), j.state(), j.exitCode(),
                    toFile(r.message()));
        }
        AgentEvent.ScheduleFired f = (AgentEvent.ScheduleFired) r.event();
        return new RecordedStep.ScheduleFire(tag, afterAnswer, f.scheduleId(), toFile(f.name()), f.dueAt(),
                toFile(r.message()));
    }

    /** A recorded recall told again, to the session and agent at {@code at}. */
    private Recalled replayed(RecordedStep s, Position at) {
        if (s instanceof RecordedStep.JobRecall j) {
            return new Recalled(toLive(j.message()), new AgentEvent.BackgroundJobRecalled(at.agent(), at.sessionId(),
                    j.jobId(), toLive(j.command()), j.state(), j.exitCode()));
        }
        RecordedStep.ScheduleFire f = (RecordedStep.ScheduleFire) s;
        return new Recalled(toLive(f.message()), new AgentEvent.ScheduleFired(at.agent(), at.sessionId(), f.scheduleId(),
                f.name(), f.dueAt()));
    }

    /**
     * A recall the toolsets gave during a replay (tools ran live): the session's first recorded recall of the same job
     * or schedule not checked yet must carry the same message; it was, or will be, told at its recorded point.
     */
    private void checkLive(StepTag at, boolean afterAnswer, Recalled live) {
        RecordedStep match = null;
        synchronized (lock) {
            for (RecordedStep r : recallsBySession.getOrDefault(at.session(), List.of())) {
                if (!checkedRecalls.contains(r) && recallId(r).equals(recallId(live))) {
                    match = r;
                    checkedRecalls.add(r);
                    break;
                }
            }
        }
        if (match == null) {
            List<RecordedStep> known = recallsBySession.getOrDefault(at.session(), List.of());
            throw diverge(at, describeRecall(live) + " came live " + where(afterAnswer)
                    + ", but the recording has no such recall in session " + at.session(),
                    known.isEmpty() ? "no recalls in session " + at.session()
                            : "recalls of session " + at.session() + ": " + known.stream()
                            .map(r -> recallId(r).replace('|', ' ') + " at turn " + r.tag().turn()).toList(),
                    live.message(), "");
        }
        List<String> recorded = normalizer.quotedLinesForMatching(message(match), loaded.workspaces());
        List<String> now = normalizer.quotedLinesForMatching(live.message(), liveRoots);
        if (!recorded.equals(now)) {
            throw diverge(match.tag(), describeRecall(match) + " (told " + where(afterAnswer(match))
                    + ") differs from the one that came live", message(match), live.message(),
                    LineDiff.of(recorded, now).text());
        }
    }

    /**
     * What a replay left of its recording, as its divergence: the first recorded recall that was never told, or a
     * session the replay ran whose recorded model calls go on after its last one (the run ended early: a recall
     * the recording tells after a final answer no longer came). Nothing when the replay already diverged. Only a
     * session the replay ran counts: replaying fewer runs than the recording holds is fine.
     */
    Optional<RecordingDivergenceException> unfinished() {
        if (mode == Recording.Mode.RECORD || loaded.source() != RecordedRun.Source.KEEL || divergence.get() != null) {
            return Optional.empty();
        }
        Map<String, Integer> made;
        Set<RecordedStep> told;
        synchronized (lock) {
            made = new HashMap<>(nextTurn);
            told = Collections.newSetFromMap(new IdentityHashMap<>());
            told.addAll(toldRecalls);
        }
        for (RecordedStep s : loaded.steps()) {
            String label = s.tag().session();
            boolean recall = s instanceof RecordedStep.JobRecall || s instanceof RecordedStep.ScheduleFire;
            boolean ran = made.containsKey(label);
            if (recall && !told.contains(s) || !recall && ran && s instanceof RecordedStep.ModelCall
                    && s.tag().turn() >= made.get(label)) {
                String now = !ran ? "session " + label + " did not run"
                        : "session " + label + " made " + made.get(label) + " model calls";
                return Optional.of(recall
                        ? diverge(s.tag(), "the replay never reached " + describeRecall(s) + ", which the recording "
                                + "tells " + where(afterAnswer(s)), message(s), now, "")
                        : diverge(s.tag(), "the replay's run ended, but the recording goes on with this model call",
                                summary(((RecordedStep.ModelCall) s).model(), ((RecordedStep.ModelCall) s).request()),
                                now, ""));
            }
        }
        return Optional.empty();
    }

    // ---- divergence

    private void checkDiverged() {
        RecordingDivergenceException first = divergence.get();
        if (first != null) {
            throw first;
        }
    }

    private RecordingDivergenceException diverge(StepTag tag, String what, String recorded, String now, String diff) {
        RecordingDivergenceException e = new RecordingDivergenceException(recording.file().toString(), tag.agent(),
                tag.session(), tag.turn(), tag.call(), what, oneLine(recorded), oneLine(now), diff);
        divergence.compareAndSet(null, e);
        return divergence.get();
    }

    private String missing(String label, String what) {
        long turns = index.keySet().stream().filter(k -> k.startsWith("model|" + label + "|")).count();
        return turns == 0 ? "no " + what + " (the recording has no session " + label + ")"
                : "no " + what + " (session " + label + " has " + turns + " recorded model calls)";
    }

    private static String summary(String model, ChatRequest request) {
        List<Message> messages = request.messages();
        String last = messages.isEmpty() ? "" : " last: " + Texts.describe(messages.get(messages.size() - 1));
        return "request to " + model + " with " + messages.size() + " messages and " + request.tools().size() + " tools;"
                + last;
    }

    private static String oneLine(String s) {
        String flat = s.replace('\n', ' ').strip();
        return flat.length() > 200 ? flat.substring(0, 200) + "…" : flat;
    }

    // ---- texts

    private String toFile(String live) {
        return Normalizer.mapRoots(normalizer.redact(live), liveRoots, fileRoots);
    }

    private JsonObject toFile(JsonObject live) {
        return JsonObject.parse(toFile(live.toString()));
    }

    private String toLive(String recorded) {
        return Normalizer.mapRoots(recorded, loaded.workspaces(), liveRoots);
    }

    private RecordedStep redacted(RecordedStep s) {
        if (s instanceof RecordedStep.CommandRun c) {
            return new RecordedStep.CommandRun(c.tag(), c.runner(), c.argv().stream().map(this::toFile).toList(),
                    c.exitCode(), toFile(c.stdout()), toFile(c.stderr()), c.timedOut());
        }
        if (s instanceof RecordedStep.HttpFetch f) {
            return new RecordedStep.HttpFetch(f.tag(), f.method(), toFile(f.url()), f.status());
        }
        return s;
    }

    // ---- keys

    private static String key(String kind, String session, int turn, int call) {
        return kind + "|" + session + "|" + turn + "|" + call;
    }

    private static String key(RecordedStep s) {
        StepTag t = s.tag();
        if (s instanceof RecordedStep.ModelCall) {
            return key("model", t.session(), t.turn(), -1);
        }
        if (s instanceof RecordedStep.ToolExecution) {
            return key("tool", t.session(), t.turn(), t.call());
        }
        if (s instanceof RecordedStep.ApprovalDecision) {
            return key("approval", t.session(), t.turn(), t.call());
        }
        if (s instanceof RecordedStep.Delegation) {
            return key("delegation", t.session(), t.turn(), t.call());
        }
        if (s instanceof RecordedStep.Handoff) {
            return key("handoff", t.session(), t.turn(), -1);
        }
        return null;
    }

    @Override
    public String toString() {
        return "RecordingSteps[" + recording + "]";
    }
}
