/**
 * Keel agents: agents with sub-agents, toolsets (think, todo, memory, filesystem, shell, script, fetch,
 * MCP), cagent-compatible YAML team files, events and tool approval.
 */
module dev.keel.agents {
    requires transitive dev.keel.core;
    requires com.fasterxml.jackson.dataformat.yaml;

    exports dev.keel.agents;
    exports dev.keel.agents.tool;
    exports dev.keel.agents.approval;
    exports dev.keel.agents.toolsets;
}
