package dev.keel.agents;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The exit of one run of a {@link Workflow.Loop}: the tool its agents get and whether one of them called it.
 * Shared by the loop's steps, which may run on several threads (parallel branches); thread-safe.
 */
final class LoopExit {
    private final String toolName;
    private final AtomicReference<String> requestedBy = new AtomicReference<>();

    LoopExit(String toolName) {
        this.toolName = toolName;
    }

    String toolName() {
        return toolName;
    }

    /** Whether an agent of the loop called the exit tool. */
    boolean requested() {
        return requestedBy.get() != null;
    }

    /**
     * Records that {@code agent} asked for the exit: when the call's result was recorded before the run stopped (so
     * the tool does not run again on resume), or when a step that finished before then had asked for it.
     */
    void request(String agent) {
        requestedBy.compareAndSet(null, agent);
    }

    /**
     * The exit tool for one agent run; {@code calledHere} is set when that run calls it, so that the run ends after
     * its turn while agents running beside it finish their own work.
     */
    Tool tool(String agent, AtomicBoolean calledHere) {
        ToolSpec spec = ToolSpec.of(toolName,
                "End the loop you are working in: call it when the work is done and no further pass is needed. "
                        + "Your turn ends after this call; what you answer with it stays your output.",
                JsonSchema.object().optional("reason", JsonSchema.string("Why the loop can end")).build());
        return Tool.of(spec, true, (args, ctx) -> {
            calledHere.set(true);
            requestedBy.compareAndSet(null, agent);
            String reason = args.string("reason", "");
            return ToolResult.ok("Loop ends after this turn." + (reason.isBlank() ? "" : " Reason: " + reason));
        });
    }

    @Override
    public String toString() {
        return "LoopExit[" + toolName + (requested() ? ", requested by " + requestedBy.get() : "") + "]";
    }
}
