/**
 * Keel agents: agents with sub-agents, toolsets (think, todo, memory, filesystem, shell, fetch, MCP), cagent-compatible YAML team files, events and tool approval.
 */
module dev.keel.agents {
    requires transitive dev.keel.core;
}
