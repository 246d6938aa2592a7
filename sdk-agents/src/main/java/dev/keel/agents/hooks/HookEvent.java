package dev.keel.agents.hooks;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * When a hook runs: docker-agent's hook events, by the names team files use. Events that match tools
 * ({@link #matchesTools()}) take a tool-name pattern; the others run for every occurrence.
 */
public enum HookEvent {
    /** Before an approved tool call runs; may deny it, ask for approval, or rewrite its arguments. */
    PRE_TOOL_USE(true),
    /** After a tool call (success or failure); may stop the run after the current batch of calls. */
    POST_TOOL_USE(true),
    /** Before the approver would be asked about a tool call; may allow or deny it instead. */
    PERMISSION_REQUEST(true),
    /** Between a tool's execution and what everyone sees of its result; may rewrite the result. */
    TOOL_RESPONSE_TRANSFORM(true),
    /** When a session runs for the first time; its context stays for the whole session. */
    SESSION_START(false),
    /** Once per user message, before the first model call; may block it or add context for this run. */
    USER_PROMPT_SUBMIT(false),
    /** Messages submitted while the agent works (docker-agent's steering queue; Keel has none). */
    USER_STEERING_MESSAGES_SUBMIT(false),
    /** Follow-up messages queued for the end of a turn (docker-agent's follow-up queue; Keel has none). */
    USER_FOLLOWUP_SUBMIT(false),
    /** Before every model call; its context is for that call only. */
    TURN_START(false),
    /** After every turn, whatever ended it; observational. */
    TURN_END(false),
    /** Just before every model call; may stop the run. */
    BEFORE_LLM_CALL(false),
    /** Just after every successful model call; observational. */
    AFTER_LLM_CALL(false),
    /** When a session ends ({@code Runner.endSession}, or the runner closing). */
    SESSION_END(false),
    /** Before a session is compacted ({@code source}: auto, overflow or manual); may veto it or steer the summary. */
    PRE_COMPACT(false),
    /** When a delegated sub-agent finishes; runs on the delegating agent's hooks. */
    SUBAGENT_STOP(false),
    /** When the agent needs the user's input (a {@code user_prompt} question). */
    ON_USER_INPUT(false),
    /** When the agent gives its final answer. */
    STOP(false),
    /** When the run reports an error or warning (alongside {@link #ON_ERROR} / {@link #ON_MAX_ITERATIONS}). */
    NOTIFICATION(false),
    /** When a model call fails. */
    ON_ERROR(false),
    /** When the agent reaches its iteration limit. */
    ON_MAX_ITERATIONS(false),
    /** When the conversation moves to another agent: transfer_task, its return, handoff. */
    ON_AGENT_SWITCH(false),
    /** When a user lets a run continue past its iteration limit (Keel stops there; never fires). */
    ON_SESSION_RESUME(false),
    /** After a tool call's approval is decided, with who decided; observational. */
    ON_TOOL_APPROVAL_DECISION(false),
    /** Before a compaction, with the token counts; may veto it or supply the summary ({@code summary}). */
    BEFORE_COMPACTION(false),
    /** After a compaction was applied, with the summary; observational. */
    AFTER_COMPACTION(false),
    /** After a git worktree is created by docker-agent's CLI (no counterpart in a library; never fires). */
    WORKTREE_CREATE(false),
    /**
     * Before a matching tool call, after the deny patterns and the {@link #PRE_TOOL_USE} hooks (so a guard judges
     * the call as it would run), before the approver: guards such as an evaluator
     * ({@code dev.keel.agents.team.Evaluator#guard}) allow, ask or deny. A failing guard denies the call.
     */
    TOOL_GUARD(true),
    /** Before an agent starts working (a run of the root, a delegated task). */
    BEFORE_AGENT_RUN(false),
    /** After an agent has finished working. */
    AFTER_AGENT_COMPLETE(false);

    private final boolean matchesTools;

    HookEvent(boolean matchesTools) {
        this.matchesTools = matchesTools;
    }

    /**
     * Whether registrations for this event name a tool pattern.
     *
     * @return whether the event is about one tool call
     */
    public boolean matchesTools() {
        return matchesTools;
    }

    /**
     * The event's name in team files and in the hook input's {@code hook_event_name}, e.g. {@code pre_tool_use}.
     *
     * @return the event's name
     */
    public String eventName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The event a team file names.
     *
     * @param name e.g. {@code pre_tool_use}
     * @return the event, or empty when there is none by that name
     */
    public static Optional<HookEvent> named(String name) {
        return Arrays.stream(values()).filter(e -> e.eventName().equals(name)).findFirst();
    }
}
