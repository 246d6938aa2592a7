package dev.keel.agents.hooks;

import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonValue;
import java.util.Objects;
import java.util.Optional;

/**
 * What a hook tells the run, with docker-agent's output fields: carry on, block (stop the operation, with a
 * reason), a permission decision for a tool call (allow / deny / ask), rewritten tool arguments or tool output,
 * context to add to the conversation, a message for the user, a compaction summary. {@link #fromJson} reads a
 * command hook's stdout. Immutable; the {@code with…} methods return modified copies.
 */
public final class HookResult {
    /** A tool-call permission decision. */
    public enum Decision {
        /** Approve the call. */
        ALLOW,
        /** Refuse the call; the model sees the reason. */
        DENY,
        /** Ask the approver even when the call would be approved anyway. */
        ASK
    }

    private static final HookResult PROCEED = new HookResult(false, null, null, null, null, null, null, null);

    private final boolean block;
    private final String reason;
    private final Decision decision;
    private final JsonObject updatedInput;
    private final String updatedToolResponse;
    private final String additionalContext;
    private final String systemMessage;
    private final String summary;

    private HookResult(boolean block, String reason, Decision decision, JsonObject updatedInput,
                       String updatedToolResponse, String additionalContext, String systemMessage, String summary) {
        this.block = block;
        this.reason = reason;
        this.decision = decision;
        this.updatedInput = updatedInput;
        this.updatedToolResponse = updatedToolResponse;
        this.additionalContext = additionalContext;
        this.systemMessage = systemMessage;
        this.summary = summary;
    }

    /**
     * Carry on as if the hook were not there.
     *
     * @return the neutral result
     */
    public static HookResult proceed() {
        return PROCEED;
    }

    /**
     * Block the operation (docker-agent's {@code decision: block}, {@code continue: false} or exit code 2): a
     * tool call is refused, a prompt is not run, the run stops.
     *
     * @param reason why, shown to the model or in the run's result
     * @return a blocking result
     */
    public static HookResult block(String reason) {
        return new HookResult(true, Objects.requireNonNull(reason, "reason"), null, null, null, null, null, null);
    }

    /**
     * Approve a tool call without asking ({@code permission_decision: allow}).
     *
     * @param reason why
     * @return an allowing result
     */
    public static HookResult allow(String reason) {
        return new HookResult(false, reason, Decision.ALLOW, null, null, null, null, null);
    }

    /**
     * Refuse a tool call ({@code permission_decision: deny}); the model sees the reason.
     *
     * @param reason why
     * @return a denying result
     */
    public static HookResult deny(String reason) {
        return new HookResult(false, Objects.requireNonNull(reason, "reason"), Decision.DENY, null, null, null, null,
                null);
    }

    /**
     * Ask the approver about a tool call even when it would be approved anyway ({@code permission_decision: ask}).
     *
     * @param reason why
     * @return an asking result
     */
    public static HookResult ask(String reason) {
        return new HookResult(false, reason, Decision.ASK, null, null, null, null, null);
    }

    /**
     * Add context to the conversation ({@code additional_context}).
     *
     * @param context the text
     * @return a result adding context
     */
    public static HookResult context(String context) {
        return PROCEED.withAdditionalContext(context);
    }

    /**
     * A copy whose tool call runs with these arguments instead ({@code updated_input}).
     *
     * @param input the new arguments
     * @return a copy
     */
    public HookResult withUpdatedInput(JsonObject input) {
        return new HookResult(block, reason, decision, input, updatedToolResponse, additionalContext, systemMessage,
                summary);
    }

    /**
     * A copy that replaces the tool's output ({@code updated_tool_response}).
     *
     * @param response the new output
     * @return a copy
     */
    public HookResult withUpdatedToolResponse(String response) {
        return new HookResult(block, reason, decision, updatedInput, response, additionalContext, systemMessage,
                summary);
    }

    /**
     * A copy that adds context to the conversation.
     *
     * @param context the text
     * @return a copy
     */
    public HookResult withAdditionalContext(String context) {
        return new HookResult(block, reason, decision, updatedInput, updatedToolResponse, context, systemMessage,
                summary);
    }

    /**
     * A copy with a message for the user ({@code system_message}), reported as an event.
     *
     * @param message the message
     * @return a copy
     */
    public HookResult withSystemMessage(String message) {
        return new HookResult(block, reason, decision, updatedInput, updatedToolResponse, additionalContext, message,
                summary);
    }

    /**
     * Reads docker-agent's hook output: {@code continue}, {@code stop_reason}, {@code decision},
     * {@code reason}, {@code system_message}, and {@code hook_specific_output} with
     * {@code permission_decision}, {@code permission_decision_reason}, {@code updated_input},
     * {@code updated_tool_response}, {@code additional_context}, {@code summary}.
     *
     * @param json the hook's output
     * @return the result
     */
    public static HookResult fromJson(JsonObject json) {
        boolean stop = json.get("continue").map(v -> v.equals(JsonValue.of(false))).orElse(false);
        String decisionText = text(json, "decision");
        boolean block = stop || "block".equalsIgnoreCase(decisionText) || "deny".equalsIgnoreCase(decisionText);
        String reason = text(json, "reason");
        if (stop && text(json, "stop_reason") != null) {
            reason = text(json, "stop_reason");
        }
        JsonObject specific = json.get("hook_specific_output").or(() -> json.get("hookSpecificOutput"))
                .filter(JsonObject.class::isInstance).map(JsonObject.class::cast).orElse(JsonObject.of());
        Decision decision = null;
        String permission = text(specific, "permission_decision", "permissionDecision");
        if (permission != null) {
            decision = switch (permission.toLowerCase(java.util.Locale.ROOT)) {
                case "allow", "approve" -> Decision.ALLOW;
                case "deny", "block" -> Decision.DENY;
                case "ask" -> Decision.ASK;
                default -> null;
            };
            String why = text(specific, "permission_decision_reason", "permissionDecisionReason");
            if (why != null) {
                reason = why;
            }
        }
        JsonObject updated = specific.get("updated_input").or(() -> specific.get("updatedInput"))
                .filter(JsonObject.class::isInstance).map(JsonObject.class::cast).orElse(null);
        return new HookResult(block, reason != null ? reason : block ? "blocked by a hook" : null, decision, updated,
                text(specific, "updated_tool_response", "updatedToolResponse"),
                text(specific, "additional_context", "additionalContext"), text(json, "system_message", "systemMessage"),
                text(specific, "summary"));
    }

    private static String text(JsonObject o, String... names) {
        for (String n : names) {
            Optional<String> v = o.get(n).flatMap(JsonValue::asString);
            if (v.isPresent()) {
                return v.get();
            }
        }
        return null;
    }

    /**
     * Whether the operation is blocked.
     *
     * @return whether the operation is blocked
     */
    public boolean blocked() {
        return block;
    }

    /**
     * Why the hook blocked or decided, if it said.
     *
     * @return the reason, or empty
     */
    public Optional<String> reason() {
        return Optional.ofNullable(reason);
    }

    /**
     * The permission decision for a tool call, if any.
     *
     * @return the decision, or empty
     */
    public Optional<Decision> decision() {
        return Optional.ofNullable(decision);
    }

    /**
     * Replacement tool arguments, if any.
     *
     * @return the new arguments, or empty
     */
    public Optional<JsonObject> updatedInput() {
        return Optional.ofNullable(updatedInput);
    }

    /**
     * Replacement tool output, if any.
     *
     * @return the new output, or empty
     */
    public Optional<String> updatedToolResponse() {
        return Optional.ofNullable(updatedToolResponse);
    }

    /**
     * Context to add to the conversation, if any.
     *
     * @return the context, or empty
     */
    public Optional<String> additionalContext() {
        return Optional.ofNullable(additionalContext).filter(s -> !s.isBlank());
    }

    /**
     * A message for the user, if any.
     *
     * @return the message, or empty
     */
    public Optional<String> systemMessage() {
        return Optional.ofNullable(systemMessage).filter(s -> !s.isBlank());
    }

    /**
     * A compaction summary, if any.
     *
     * @return the summary, or empty
     */
    public Optional<String> summary() {
        return Optional.ofNullable(summary);
    }

    @Override
    public String toString() {
        return "HookResult[" + (block ? "block" : decision != null ? decision.name().toLowerCase(java.util.Locale.ROOT)
                : "proceed") + (reason != null ? " (" + reason + ")" : "") + (updatedInput != null ? ", updated input" : "")
                + (updatedToolResponse != null ? ", updated response" : "")
                + (additionalContext != null ? ", context" : "") + "]";
    }
}
