package dev.keel.agents.toolsets;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolArguments;
import dev.keel.agents.tool.ToolContext;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonValue;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * cagent's {@code todo} toolset: {@code create_todo(description)}, {@code create_todos(descriptions)},
 * {@code update_todo(id, status)} and {@code list_todos()}. The list lives in the session state under
 * {@value #STATE_KEY} (an array of {@code {id, description, status}} objects), so it is saved with the
 * session and each delegated sub-agent gets its own copy. Statuses: {@code pending}, {@code in-progress},
 * {@code completed}. Stateless itself; thread-safe; create with {@link Toolsets#todo()}. All instances are
 * equal.
 */
public final class TodoToolset implements Toolset {
    /** Session state key of the todo list. */
    public static final String STATE_KEY = "todos";
    private static final Set<String> STATUSES = Set.of("pending", "in-progress", "completed");

    TodoToolset() {}

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
                            String description = args.string("description");
                            String id = add(ctx, List.of(description)).get(0);
                            return ToolResult.ok("Created todo [" + id + "]: " + description);
                        }),
                Tool.of(ToolSpec.of("create_todos", "Create a list of new todo items with descriptions",
                        JsonSchema.object().required("descriptions",
                                JsonSchema.array(JsonSchema.string()).describedAs("Descriptions of the todo items")).build()),
                        true, (args, ctx) -> {
                            List<String> ids = add(ctx, args.strings("descriptions"));
                            return ToolResult.ok("Created " + ids.size() + " todos: " + ids);
                        }),
                Tool.of(ToolSpec.of("update_todo", "Update the status of a todo item",
                        JsonSchema.object().required("id", JsonSchema.string("ID of the todo item"))
                                .required("status", JsonSchema.enumOf("pending", "in-progress", "completed")).build()),
                        true, TodoToolset::update),
                Tool.of(ToolSpec.of("list_todos", "List all current todos with their status"), true,
                        (args, ctx) -> ToolResult.ok(list(ctx))));
    }

    private static List<JsonValue> todos(JsonValue state) {
        return state instanceof JsonArray a ? a.items() : List.of();
    }

    private static String field(JsonValue todo, String name) {
        return todo.asObject().flatMap(o -> o.get(name)).flatMap(JsonValue::asString).orElse("");
    }

    private static List<String> add(ToolContext ctx, List<String> descriptions) {
        AtomicReference<List<String>> ids = new AtomicReference<>();
        ctx.state().compute(STATE_KEY, (k, old) -> {
            List<JsonValue> todos = new ArrayList<>(todos(old));
            List<String> created = new ArrayList<>();
            for (String d : descriptions) {
                String id = "todo_" + (todos.size() + 1);
                todos.add(JsonObject.builder().put("id", id).put("description", d).put("status", "pending").build());
                created.add(id);
            }
            ids.set(created);
            return new JsonArray(todos);
        });
        return ids.get();
    }

    private static ToolResult update(ToolArguments args, ToolContext ctx) {
        String id = args.string("id");
        String status = args.string("status");
        if (!STATUSES.contains(status)) {
            return ToolResult.error("status must be one of pending, in-progress, completed; got '" + status + "'");
        }
        AtomicReference<String> found = new AtomicReference<>();
        ctx.state().computeIfPresent(STATE_KEY, (k, old) -> {
            List<JsonValue> todos = new ArrayList<>();
            for (JsonValue t : todos(old)) {
                if (field(t, "id").equals(id) && t instanceof JsonObject o) {
                    found.set(field(t, "description"));
                    todos.add(o.with("status", status));
                } else {
                    todos.add(t);
                }
            }
            return new JsonArray(todos);
        });
        if (found.get() == null) {
            return ToolResult.error("todo [" + id + "] not found");
        }
        return ToolResult.ok("Updated todo \"" + found.get() + "\" to status: [" + status + "]");
    }

    private static String list(ToolContext ctx) {
        List<JsonValue> todos = todos(ctx.state().get(STATE_KEY));
        if (todos.isEmpty()) {
            return "No todos.";
        }
        StringBuilder sb = new StringBuilder("Current todos:\n");
        for (JsonValue t : todos) {
            sb.append("- [").append(field(t, "id")).append("] ").append(field(t, "description"))
                    .append(" (Status: ").append(field(t, "status")).append(")\n");
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TodoToolset;
    }

    @Override
    public int hashCode() {
        return TodoToolset.class.hashCode();
    }

    @Override
    public String toString() {
        return "TodoToolset";
    }
}
