package dev.keel.agents.internal;

import dev.keel.agents.hooks.Hook;
import dev.keel.agents.hooks.HookInput;
import dev.keel.agents.hooks.HookResult;
import dev.keel.agents.internal.judge.JudgeClient;

/**
 * A hook that pays for what it does outside a chat model (a team file's evaluator guard asking a judge service):
 * inside a runner, {@link #handle(HookInput, JudgeClient.Spending)} is called with a sink that adds each
 * request's tokens and cost to the session, so budgets see them; elsewhere nothing is counted. Not API.
 */
public interface SpendingHook extends Hook {

    /**
     * Handles one occurrence.
     *
     * @param input    the occurrence
     * @param spending told about every request the hook sent
     * @return the result
     * @throws Exception when the hook fails (a tool guard then denies the call)
     */
    HookResult handle(HookInput input, JudgeClient.Spending spending) throws Exception;

    @Override
    default HookResult handle(HookInput input) throws Exception {
        return handle(input, (model, usage, price) -> { });
    }
}
