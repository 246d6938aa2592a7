package dev.keel.agents.internal;

import dev.keel.agents.hooks.HookEvent;
import dev.keel.agents.hooks.HookResult;
import dev.keel.agents.hooks.Hooks;
import dev.keel.core.json.JsonObject;

/**
 * The tool legs of {@code redact_secrets} as hooks: tool arguments are scrubbed before the tool sees them
 * ({@code pre_tool_use}) and tool output before anyone else does ({@code tool_response_transform}). The third
 * leg, messages sent to the model, is applied by the agent loop. Not API.
 */
public final class RedactionHooks {
    /** The two hooks, on every tool. */
    public static final Hooks HOOKS = Hooks.builder()
            .add(new Hooks.Registration(HookEvent.PRE_TOOL_USE, "*", input -> {
                JsonObject redacted = (JsonObject) Secrets.redact(input.toolInput());
                return redacted.equals(input.toolInput()) ? HookResult.proceed()
                        : HookResult.proceed().withUpdatedInput(redacted);
            }, "redact_secrets", Hooks.OnError.WARN, false))
            .add(new Hooks.Registration(HookEvent.TOOL_RESPONSE_TRANSFORM, "*", input -> {
                String response = input.text("tool_response").orElse("");
                String redacted = Secrets.redact(response);
                return redacted.equals(response) ? HookResult.proceed()
                        : HookResult.proceed().withUpdatedToolResponse(redacted);
            }, "redact_secrets", Hooks.OnError.WARN, false))
            .build();

    private RedactionHooks() {}
}
