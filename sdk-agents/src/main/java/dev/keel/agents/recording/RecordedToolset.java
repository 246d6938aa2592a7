package dev.keel.agents.recording;

import dev.keel.core.tool.ToolSpec;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The tools one toolset of an agent offered when the run was recorded; a full replay offers the same tools
 * without starting the toolset (no MCP server process, no connection).
 *
 * @param agent    the agent
 * @param toolset  the toolset's name, for example {@code mcp:filesystem}
 * @param tools    the tools, in the toolset's order
 * @param readOnly names of the tools that are read-only (approved without asking)
 */
public record RecordedToolset(String agent, String toolset, List<ToolSpec> tools, Set<String> readOnly) {
    /**
     * Copies the collections.
     *
     * @param agent the agent whose toolset it is
     * @param readOnly names of the tools that are read-only (approved without asking)
     * @param tools the tools, in the toolset's order
     * @param toolset the toolset's name, for example {@code mcp:filesystem}
     */
    public RecordedToolset {
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(toolset, "toolset");
        tools = List.copyOf(tools);
        readOnly = Set.copyOf(readOnly);
    }
}
