/**
 * Keel agents: agents with sub-agents, toolsets (think, todo, memory, filesystem, shell, script, fetch,
 * MCP), cagent-compatible YAML team files, events and tool approval.
 */
module dev.keel.agents {
    requires transitive dev.keel.core;
    requires org.slf4j;
    requires com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.dataformat.yaml;
    requires org.yaml.snakeyaml; // anchors of scalars, which Jackson's YAML parser does not report
    requires io.modelcontextprotocol.sdk.mcp.core;
    requires io.modelcontextprotocol.sdk.mcp.json.jackson2;
    requires java.net.http;
    requires java.sql;
    requires jdk.net; // the peer credentials of sudo_askpass's socket
    requires static io.opentelemetry.api;
    requires static io.opentelemetry.context;
    // Optional: a team file's rag knowledge bases and sandboxed shells. Checked when a team starts, with an
    // error naming the artifact to add; nothing else of sdk-agents touches them.
    requires static dev.keel.rag;
    requires static dev.keel.sandbox;
    // Optional: code_mode_tools runs model-written JavaScript in Rhino, in a JVM of its own (never in this one).
    requires static org.mozilla.rhino;
    requires reactor.core;
    requires org.reactivestreams;

    exports dev.keel.agents;
    exports dev.keel.agents.tool;
    exports dev.keel.agents.approval;
    exports dev.keel.agents.toolsets;
    exports dev.keel.agents.mcp;
    exports dev.keel.agents.team;
    exports dev.keel.agents.recording;
    exports dev.keel.agents.session;
    exports dev.keel.agents.hooks;
    exports dev.keel.agents.skills;
}
