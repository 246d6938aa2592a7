/** MCP servers as toolsets: {@link dev.keel.agents.mcp.McpToolset} over stdio, streamable HTTP or SSE. */
package dev.keel.agents.mcp;
