/**
 * Keel agents: agents with sub-agents, toolsets (think, todo, memory, filesystem, shell, script, fetch,
 * MCP), cagent-compatible YAML team files, events and tool approval.
 */
module dev.keel.agents {
    requires transitive dev.keel.core;
    requires org.slf4j;
    requires com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.dataformat.yaml;
    requires io.modelcontextprotocol.sdk.mcp.core;
    requires io.modelcontextprotocol.sdk.mcp.json.jackson2;
    requires java.net.http;
    requires reactor.core;
    requires org.reactivestreams;

    exports dev.keel.agents;
    exports dev.keel.agents.tool;
    exports dev.keel.agents.approval;
    exports dev.keel.agents.toolsets;
    exports dev.keel.agents.mcp;
    exports dev.keel.agents.team;
    exports dev.keel.agents.recording;
}
