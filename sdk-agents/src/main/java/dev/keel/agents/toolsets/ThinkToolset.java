package dev.keel.agents.toolsets;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.util.List;

/**
 * cagent's {@code think} toolset: one read-only tool, {@code think(thought)}, a scratchpad that lets the
 * model reason between tool calls. The thought is echoed back; nothing else happens. Stateless; create with
 * {@link Toolsets#think()}. All instances are equal.
 */
public final class ThinkToolset implements Toolset {
    private static final Tool THINK = Tool.of(ToolSpec.of("think",
            "Use the tool to think about something. It will not obtain new information or change anything, "
                    + "but just append the thought to the log. Use it when complex reasoning is needed.",
            JsonSchema.object().required("thought", JsonSchema.string("The thought to think about")).build()),
            true, (args, ctx) -> ToolResult.ok("Thought: " + args.string("thought")));

    ThinkToolset() {}

    @Override
    public String name() {
        return "think";
    }

    @Override
    public List<Tool> tools() {
        return List.of(THINK);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ThinkToolset;
    }

    @Override
    public int hashCode() {
        return ThinkToolset.class.hashCode();
    }

    @Override
    public String toString() {
        return "ThinkToolset";
    }
}
