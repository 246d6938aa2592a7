package dev.keel.agents;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The tools a team adds to an agent: {@code transfer_task} (delegate to a sub-agent, which works in its own
 * session and returns its answer) and {@code handoff} (pass the conversation to another agent after this
 * turn). Both are read-only: they change nothing outside the run.
 */
final class TeamTools {
    static final String TRANSFER_TASK = "transfer_task";
    static final String HANDOFF = "handoff";

    /** Runs a delegated task; returns the text the delegating agent sees. */
    @FunctionalInterface
    interface Delegation {
        ToolResult delegate(Agent subAgent, String task, String expectedOutput, String callId);
    }

    private TeamTools() {}

    static Tool transferTask(Agent agent, Delegation delegation) {
        List<String> names = agent.subAgents().stream().map(Agent::name).toList();
        ToolSpec spec = ToolSpec.of(TRANSFER_TASK,
                "Delegate a task to one of your team members. The member works in its own context and its final "
                        + "answer is returned.",
                JsonSchema.object()
                        .required("agent", JsonSchema.enumOf(names.toArray(String[]::new))
                                .describedAs("The name of the agent to delegate to"))
                        .required("task", JsonSchema.string("A clear and concise description of the task"))
                        .required("expected_output", JsonSchema.string("The expected output of the task"))
                        .build());
        return Tool.of(spec, true, (args, ctx) -> {
            String name = args.string("agent", "");
            Agent sub = agent.subAgents().stream().filter(a -> a.name().equals(name)).findFirst().orElse(null);
            if (sub == null) {
                return ToolResult.error("unknown agent '" + name + "'; choose one of " + names);
            }
            return delegation.delegate(sub, args.string("task", ""), args.string("expected_output", ""), ctx.callId());
        });
    }

    /** {@code handoff(agent)}: records the target in {@code handoffTo}; one handoff per turn. */
    static Tool handoff(Agent agent, java.util.function.Function<String, Agent> byName, AtomicReference<Agent> handoffTo) {
        List<String> names = agent.handoffTargets();
        ToolSpec spec = ToolSpec.of(HANDOFF,
                "Hand the conversation over to another agent, which continues with the full history.",
                JsonSchema.object().required("agent", JsonSchema.enumOf(names.toArray(String[]::new))
                        .describedAs("The name of the agent to hand off to")).build());
        return Tool.of(spec, true, (args, ctx) -> {
            String name = args.string("agent", "");
            Agent to = names.contains(name) ? agent.handoffs().stream().filter(a -> a.name().equals(name)).findFirst()
                    .orElseGet(() -> byName.apply(name)) : null;
            if (to == null) {
                return ToolResult.error("unknown agent '" + name + "'; choose one of " + names);
            }
            if (!handoffTo.compareAndSet(null, to)) {
                return ToolResult.error("only one handoff per turn; already handing off to " + handoffTo.get().name());
            }
            return ToolResult.ok("Handed off to " + name + ".");
        });
    }
}
