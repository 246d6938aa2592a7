package dev.keel.agents.mcp;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolArguments;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.ToolsetException;
import dev.keel.core.internal.json.Json;
import dev.keel.core.json.JsonObject;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Adapts an MCP server's tools to Keel's: the tool's name made safe for every provider, its input schema
 * as a {@link JsonSchema}, Keel's arguments as the SDK's, and the SDK's result content as the text the
 * model sees. A call that fails becomes an error result naming the server and tool. Stateless.
 */
final class McpTools {
    private static final Pattern SAFE_NAME = Pattern.compile("[^a-zA-Z0-9_-]");

    private McpTools() {}

    /**
     * A Keel tool calling {@code t} through {@code connection}; {@code readOnlyHint} counts only when
     * {@code trustReadOnlyHints}.
     */
    static Tool adapt(McpSchema.Tool t, String toolset, McpConnection connection, boolean trustReadOnlyHints) {
        ObjectNode schema = Json.mapper().valueToTree(t.inputSchema());
        stripNulls(schema);
        if (!schema.has("type")) {
            schema.put("type", "object");
        }
        JsonObject parameters = Json.toValue(schema);
        String toolName = SAFE_NAME.matcher(t.name()).replaceAll("_");
        ToolSpec spec = ToolSpec.of(toolName.length() > 64 ? toolName.substring(0, 64) : toolName,
                t.description(), JsonSchema.of(parameters));
        boolean readOnly = trustReadOnlyHints && t.annotations() != null && Boolean.TRUE.equals(t.annotations().readOnlyHint());
        String remoteName = t.name();
        return Tool.of(spec, readOnly, (arguments, context) -> invoke(connection, toolset, remoteName, arguments));
    }

    private static ToolResult invoke(McpConnection connection, String toolset, String tool, ToolArguments arguments) {
        if (connection.isClosed()) {
            return ToolResult.error("MCP server '" + toolset + "' is closed");
        }
        Map<String, Object> args = Json.mapper().convertValue(Json.toNode(arguments.value()),
                new TypeReference<Map<String, Object>>() {});
        McpSchema.CallToolResult r;
        try {
            r = connection.callTool(tool, args);
        } catch (ToolsetException e) {
            return ToolResult.error(e.getMessage());
        } catch (RuntimeException e) {
            return ToolResult.error("MCP server '" + toolset + "' failed on '" + tool + "': " + McpConnection.message(e));
        }
        String text = render(r);
        return Boolean.TRUE.equals(r.isError()) ? ToolResult.error(text) : ToolResult.ok(text);
    }

    private static String render(McpSchema.CallToolResult r) {
        StringBuilder sb = new StringBuilder();
        if (r.content() != null) {
            for (McpSchema.Content content : r.content()) {
                if (sb.length() > 0) {
                    sb.append('\n');
                }
                if (content instanceof McpSchema.TextContent t) {
                    sb.append(t.text());
                } else {
                    sb.append(Json.write(Json.mapper().valueToTree(content)));
                }
            }
        }
        if (sb.length() == 0 && r.structuredContent() != null) {
            sb.append(Json.write(r.structuredContent()));
        }
        return sb.toString();
    }

    private static void stripNulls(JsonNode node) {
        if (node instanceof ObjectNode o) {
            Iterator<Map.Entry<String, JsonNode>> it = o.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getValue().isNull()) {
                    it.remove();
                } else {
                    stripNulls(e.getValue());
                }
            }
        } else if (node != null && node.isArray()) {
            node.forEach(McpTools::stripNulls);
        }
    }

}
