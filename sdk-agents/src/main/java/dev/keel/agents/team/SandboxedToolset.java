package dev.keel.agents.team;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.Toolset;
import java.util.List;
import java.util.Objects;

/**
 * A toolset whose commands run in a {@link TeamSandbox}: the sandbox starts when the toolset first lists its
 * tools (when an agent that has it starts a run), so a sandbox that cannot start fails the run there, before any
 * command; closing the toolset releases the sandbox (the last user closes it), and a later start takes a fresh
 * one. Thread-safe.
 */
final class SandboxedToolset extends ForwardingToolset {
    private final TeamSandbox sandbox;
    private boolean holding;

    /** {@code delegate} must run its commands on {@code sandbox.runner()}. */
    SandboxedToolset(Toolset delegate, TeamSandbox sandbox) {
        super(delegate);
        this.sandbox = Objects.requireNonNull(sandbox, "sandbox");
    }

    @Override
    public List<Tool> tools() {
        synchronized (this) {
            if (!holding) {
                sandbox.acquire();
                holding = true;
            }
        }
        return delegate.tools();
    }

    @Override
    public void close() {
        try {
            delegate.close();
        } finally {
            synchronized (this) {
                if (holding) {
                    holding = false;
                    sandbox.release();
                }
            }
        }
    }

    @Override
    public String toString() {
        return "SandboxedToolset[" + delegate + ", " + sandbox + "]";
    }
}
