package dev.keel.agents.toolsets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolContext;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.json.Json;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * cagent's {@code todo} toolset: {@code create_todo(description)}, {@code create_todos(descriptions)},
 * {@code update_todo(id, status)} and {@code list_todos()}. The list lives in the session state under
 * {@value #STATE_KEY}, so it is saved with the session and each delegated sub-agent gets its own copy.
 * Statuses: {@code pending}, {@code in-progress}, {@code completed}. Stateless itself; thread-safe.
 */
public record TodoToolset() implements Toolset {
    /** Session state key of the todo list. */
    public static final String STATE_KEY = "todos";
    private static final Set<String> STATUSES = Set.of("pending", "in-progress", "completed");

    @Override
    public String name() {
        return "todo";
    }

    @Override
    public String instructions() {
        return "Track multi-step work with the todo tools: create todos before starting, mark them "
                + "in-progress and completed as you go, and check list_todos before answering.";
    }

    @Override
    public List<Tool> tools() {
        return List.of(
                Tool.of(ToolSpec.of("create_todo", "Create a new todo item with a description",
                        JsonSchema.object().required("description", JsonSchema.string("Description of the todo item")).build()),
                        true, (args, ctx) -> {
                            String id = add(ctx, List.of(Args.string(args, "description"))).get(0);
                            return ToolResult.ok("Created todo [" + id + "]: " + args.get("description").asText());
                        }),
                Tool.of(ToolSpec.of("create_todos", "Create a list of new todo items with descriptions",
                        JsonSchema.object().required("descriptions",
                                JsonSchema.array(JsonSchema.string()).describedAs("Descriptions of the todo items")).build()),
                        true, (args, ctx) -> {
                            List<String> ids = add(ctx, Args.strings(args, "descriptions", true));
                            return ToolResult.ok("Created " + ids.size() + " todos: " + ids);
                        }),
                Tool.of(ToolSpec.of("update_todo", "Update the status of a todo item",
                        JsonSchema.object().required("id", JsonSchema.string("ID of the todo item"))
                                .required("status", JsonSchema.enumOf("pending", "in-progress", "completed")).build()),
                        true, TodoToolset::update),
                Tool.of(ToolSpec.of("list_todos", "List all current todos with their status"), true,
                        (args, ctx) -> ToolResult.ok(list(ctx))));
    }

    private static List<String> add(ToolContext ctx, List<String> descriptions) {
        AtomicReference<List<String>> ids = new AtomicReference<>();
        ctx.state().compute(STATE_KEY, (k, old) -> {
            ArrayNode todos = old instanceof ArrayNode a ? a.deepCopy() : Json.mapper().createArrayNode();
            List<String> created = new java.util.ArrayList<>();
            for (String d : descriptions) {
                String id = "todo_" + (todos.size() + 1);
                todos.addObject().put("id", id).put("description", d).put("status", "pending");
                created.add(id);
            }
            ids.set(created);
            return todos;
        });
        return ids.get();
    }

    private static ToolResult update(ObjectNode args, ToolContext ctx) {
        String id = Args.string(args, "id");
        String status = Args.string(args, "status");
        if (!STATUSES.contains(status)) {
            return ToolResult.error("status must be one of pending, in-progress, completed; got '" + status + "'");
        }
        AtomicReference<String> found = new AtomicReference<>();
        ctx.state().computeIfPresent(STATE_KEY, (k, old) -> {
            ArrayNode todos = old.deepCopy();
            for (JsonNode t : todos) {
                if (t.path("id").asText().equals(id)) {
                    ((ObjectNode) t).put("status", status);
                    found.set(t.path("description").asText());
                }
            }
            return todos;
        });
        if (found.get() == null) {
            return ToolResult.error("todo [" + id + "] not found");
        }
        return ToolResult.ok("Updated todo \"" + found.get() + "\" to status: [" + status + "]");
    }

    private static String list(ToolContext ctx) {
        JsonNode todos = ctx.state().get(STATE_KEY);
        if (todos == null || todos.isEmpty()) {
            return "No todos.";
        }
        StringBuilder sb = new StringBuilder("Current todos:\n");
        for (JsonNode t : todos) {
            sb.append("- [").append(t.path("id").asText()).append("] ").append(t.path("description").asText())
                    .append(" (Status: ").append(t.path("status").asText()).append(")\n");
        }
        return sb.toString();
    }
}
