package dev.keel.agents;

import dev.keel.agents.HookDispatch.Outcome;
import dev.keel.agents.hooks.HookEvent;
import dev.keel.core.json.JsonValue;
import dev.keel.core.message.Message;
import dev.keel.core.message.UserMessage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The points of a run where hooks fire, with docker-agent's field names for each event: the agent loop calls
 * one method per point and acts on what it returns. Thread-safe (stateless apart from the dispatch).
 */
final class RunHooks {
    /** Session state key of the context {@code session_start} hooks gave; it stays for the session's life. */
    static final String SESSION_CONTEXT = "keel.session_context";

    private final HookDispatch dispatch;

    RunHooks(HookDispatch dispatch) {
        this.dispatch = dispatch;
    }

    HookDispatch dispatch() {
        return dispatch;
    }

    /** A session's first run: {@code session_start} with {@code source: startup}; its context is kept. */
    void sessionStart(Agent agent, Session session) {
        Outcome o = dispatch.fire(HookEvent.SESSION_START, agent, session.id(), null, Map.of("source", "startup"));
        if (!o.contexts().isEmpty()) {
            session.state().put(SESSION_CONTEXT, JsonValue.of(o.context()));
        }
    }

    /** {@code session_end}. */
    void sessionEnd(Agent agent, Session session, String reason) {
        dispatch.fire(HookEvent.SESSION_END, agent, session.id(), null, Map.of("reason", reason));
    }

    Outcome userPromptSubmit(Agent agent, Session session, String prompt) {
        return dispatch.fire(HookEvent.USER_PROMPT_SUBMIT, agent, session.id(), null, Map.of("prompt", prompt));
    }

    Outcome beforeAgentRun(Agent agent, Session session) {
        return dispatch.fire(HookEvent.BEFORE_AGENT_RUN, agent, session.id(), null, Map.of("agent_name", agent.name()));
    }

    void afterAgentComplete(Agent agent, Session session, String response) {
        dispatch.fire(HookEvent.AFTER_AGENT_COMPLETE, agent, session.id(), null,
                Map.of("agent_name", agent.name(), "stop_response", response));
    }

    /**
     * {@code turn_start}: context for this model call only — the hooks', then the agent's prompt files
     * (docker-agent registers {@code add_prompt_files} as a turn-start hook too, so edits show every turn), then
     * the memories injected for the latest user message.
     */
    String turnStart(Agent agent, Session session, java.nio.file.Path workingDirectory) {
        String fromHooks = dispatch.fire(HookEvent.TURN_START, agent, session.id(), null, Map.of()).context();
        String files = agent.promptFiles().isEmpty() ? ""
                : dev.keel.agents.internal.PromptFiles.read(agent.promptFiles(), workingDirectory);
        String below = dev.keel.agents.internal.PromptFiles.below(agent.promptFiles(), workingDirectory,
                agent.promptFilesDepth());
        String memories = MemoryInjection.context(agent, lastUser(session));
        return java.util.stream.Stream.of(fromHooks, files, below, memories).filter(s -> !s.isBlank())
                .collect(java.util.stream.Collectors.joining("\n\n"));
    }

    Outcome beforeLlmCall(Agent agent, Session session, int iteration) {
        return dispatch.fire(HookEvent.BEFORE_LLM_CALL, agent, session.id(), null, Map.of("iteration", iteration));
    }

    void afterLlmCall(Agent agent, Session session, String text) {
        if (dispatch.has(HookEvent.AFTER_LLM_CALL, agent)) {
            dispatch.fire(HookEvent.AFTER_LLM_CALL, agent, session.id(), null, Map.of("agent_name", agent.name(),
                    "model_id", agent.model().label(), "stop_response", text, "last_user_message", lastUser(session)));
        }
    }

    void turnEnd(Agent agent, Session session, String reason) {
        dispatch.fire(HookEvent.TURN_END, agent, session.id(), null, Map.of("agent_name", agent.name(), "reason", reason));
    }

    void stop(Agent agent, Session session, String text) {
        if (dispatch.has(HookEvent.STOP, agent)) {
            dispatch.fire(HookEvent.STOP, agent, session.id(), null, Map.of("agent_name", agent.name(),
                    "stop_response", text, "last_user_message", lastUser(session)));
        }
    }

    /** A model failure: {@code on_error} and {@code notification} (level error). */
    void error(Agent agent, Session session, String message) {
        Map<String, Object> fields = Map.of("notification_level", "error", "notification_message", message);
        dispatch.fire(HookEvent.ON_ERROR, agent, session.id(), null, fields);
        dispatch.fire(HookEvent.NOTIFICATION, agent, session.id(), null, fields);
    }

    /** The iteration limit: {@code on_max_iterations} and {@code notification} (level warning). */
    void maxIterations(Agent agent, Session session, int limit) {
        Map<String, Object> fields = Map.of("notification_level", "warning", "notification_message",
                "agent '" + agent.name() + "' reached its limit of " + limit + " iterations");
        dispatch.fire(HookEvent.ON_MAX_ITERATIONS, agent, session.id(), null, fields);
        dispatch.fire(HookEvent.NOTIFICATION, agent, session.id(), null, fields);
    }

    /**
     * Before a compaction: {@code pre_compact} ({@code source}: {@code auto}, {@code overflow} or {@code manual}) then
     * {@code before_compaction} (docker-agent's token fields); either may block it, the latter may supply the summary,
     * and their contexts steer the summary.
     */
    Outcome beforeCompaction(Agent agent, Session session, Compaction.Reason reason, long inputTokens, long window) {
        String source = reason == Compaction.Reason.THRESHOLD ? "auto" : reason.wireName();
        Outcome pre = dispatch.fire(HookEvent.PRE_COMPACT, agent, session.id(), null, Map.of("source", source));
        if (pre.blocked()) {
            return pre;
        }
        Outcome before = dispatch.fire(HookEvent.BEFORE_COMPACTION, agent, session.id(), null, Map.of(
                "input_tokens", inputTokens, "output_tokens", 0, "context_limit", window,
                "compaction_reason", reason.wireName()));
        List<String> contexts = new java.util.ArrayList<>(pre.contexts());
        contexts.addAll(before.contexts());
        return new Outcome(before.blocked(), before.reason(), null, null, null, contexts, before.summary());
    }

    /** {@code after_compaction}: observational, with the summary applied. */
    void afterCompaction(Agent agent, Session session, Compaction.Reason reason, long inputTokens, long window,
                         String summary) {
        dispatch.fire(HookEvent.AFTER_COMPACTION, agent, session.id(), null, Map.of("input_tokens", inputTokens,
                "output_tokens", 0, "context_limit", window, "compaction_reason", reason.wireName(), "summary", summary));
    }

    /** {@code on_agent_switch} on the hooks of the agent the conversation leaves. */
    void agentSwitch(Agent from, String sessionId, String to, String kind) {
        dispatch.fire(HookEvent.ON_AGENT_SWITCH, from, sessionId, null,
                Map.of("from_agent", from.name(), "to_agent", to, "agent_switch_kind", kind));
    }

    /** {@code subagent_stop} on the delegating agent's hooks. */
    void subagentStop(Agent parent, String parentSessionId, String subAgent, String response) {
        dispatch.fire(HookEvent.SUBAGENT_STOP, parent, parentSessionId, null, Map.of("agent_name", subAgent,
                "parent_session_id", parentSessionId, "stop_response", response));
    }

    /** The fields of a tool event. */
    static Map<String, Object> toolFields(String tool, String callId, JsonValue input) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("tool_name", tool);
        fields.put("tool_use_id", callId);
        fields.put("tool_input", input);
        return fields;
    }

    static String lastUser(Session session) {
        List<Message> messages = session.messages();
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i) instanceof UserMessage u) {
                return u.text();
            }
        }
        return "";
    }
}
