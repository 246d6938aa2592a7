package dev.keel.agents.internal.askpass;

import dev.keel.agents.toolsets.SudoPrompter;

/** The prompter of headless runs: declines every prompt; the broker words its refusal for that case. */
public enum HeadlessSudoPrompter implements SudoPrompter {
    /** The one instance. */
    INSTANCE;

    @Override
    public Answer ask(Request request) {
        return Answer.decline();
    }

    @Override
    public String toString() {
        return "SudoPrompter.headless()";
    }
}
