package dev.keel.agents.internal;

import dev.keel.agents.hooks.Hook;
import dev.keel.agents.hooks.HookInput;
import dev.keel.agents.hooks.HookResult;
import dev.keel.core.ChatModel;
import dev.keel.core.models.ModelConfig;

/**
 * A hook that asks a model (a team file's {@code type: model} hook): the runner resolves {@link #model()}
 * through its model resolver and calls {@link #handle(HookInput, ChatModel)}. Not API.
 */
public interface ModelHook extends Hook {

    /** The model to ask. */
    ModelConfig model();

    /**
     * The price of {@link #model()} when the hook knows it.
     *
     * @return an evaluator's {@code cost}, or null
     */
    default dev.keel.agents.ModelPrice price() {
        return null;
    }

    /** Handles one occurrence with the resolved model. */
    HookResult handle(HookInput input, ChatModel model) throws Exception;

    @Override
    default HookResult handle(HookInput input) {
        throw new IllegalStateException("a model hook runs inside a runner, which resolves its model");
    }
}
