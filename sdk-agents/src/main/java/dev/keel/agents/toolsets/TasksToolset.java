package dev.keel.agents.toolsets;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolArguments;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonValue;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * docker-agent's {@code tasks} toolset: a task database kept in a JSON file and shared by every session and process
 * that points at the file. Tasks have a title, a description (given, or read from a markdown file next to the task
 * file), a priority ({@code critical > high > medium > low}), a status ({@code pending}, {@code in_progress},
 * {@code done}, {@code blocked}) and dependencies; a task whose dependency is not done is effectively blocked.
 * Tools: {@code create_task}, {@code get_task}, {@code update_task}, {@code delete_task}, {@code list_tasks},
 * {@code next_task} (the most urgent actionable task), {@code add_dependency}, {@code remove_dependency}. A
 * dependency on an unknown task or one that would close a cycle is a tool error. Every change holds an exclusive lock
 * on {@code <file>.lock} and rewrites the file atomically, so concurrent writers lose nothing and a crash never leaves
 * half a file. Thread-safe. Create with {@link Toolsets#tasks(Path)}.
 */
public final class TasksToolset implements Toolset {
    private static final List<String> PRIORITIES = List.of("critical", "high", "medium", "low");
    private static final List<String> STATUSES = List.of("pending", "in_progress", "done", "blocked");

    private final Path path;
    private final Clock clock;

    TasksToolset(Path path, Clock clock) {
        this.path = Objects.requireNonNull(path, "path").toAbsolutePath().normalize();
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The file the tasks are kept in.
     *
     * @return the file
     */
    public Path path() {
        return path;
    }

    @Override
    public String name() {
        return "tasks";
    }

    @Override
    public String instructions() {
        return "Persistent task management with priorities (critical > high > medium > low), statuses (pending, "
                + "in_progress, done, blocked) and dependencies; tasks persist across sessions. A task is blocked while "
                + "any dependency is not done. Use next_task to get the most urgent actionable task.";
    }

    @Override
    public List<Tool> tools() {
        JsonSchema priority = JsonSchema.enumOf(PRIORITIES.toArray(String[]::new));
        JsonSchema status = JsonSchema.enumOf(STATUSES.toArray(String[]::new));
        JsonSchema ids = JsonSchema.array(JsonSchema.string());
        return List.of(
                Tool.of(ToolSpec.of("create_task", "Create a task.", JsonSchema.object()
                        .required("title", JsonSchema.string("Short title for the task"))
                        .optional("description", JsonSchema.string("Task description (ignored if path is given)"))
                        .optional("path", JsonSchema.string("Markdown file, next to the task file, whose content "
                                + "becomes the description"))
                        .optional("priority", priority.describedAs("Priority; medium by default"))
                        .optional("dependencies", ids.describedAs("IDs of tasks that must be done first")).build()),
                        false, (args, ctx) -> change(tasks -> create(tasks, args))),
                Tool.of(ToolSpec.of("get_task", "Get a task with its effective status.", JsonSchema.object()
                        .required("id", JsonSchema.string("Task ID")).build()), true, (args, ctx) -> {
                            Map<String, JsonObject> tasks = load();
                            JsonObject t = tasks.get(args.string("id"));
                            return t == null ? notFound(args.string("id"))
                                    : ToolResult.ok(withEffective(t, tasks).toJson());
                        }),
                Tool.of(ToolSpec.of("update_task", "Update a task's fields; only the given ones change.",
                        JsonSchema.object().required("id", JsonSchema.string("Task ID"))
                                .optional("title", JsonSchema.string("New title"))
                                .optional("description", JsonSchema.string("New description"))
                                .optional("path", JsonSchema.string("Read the new description from this file"))
                                .optional("priority", priority).optional("status", status)
                                .optional("dependencies", ids.describedAs("Replaces the dependency list")).build()),
                        false, (args, ctx) -> change(tasks -> update(tasks, args))),
                Tool.of(ToolSpec.of("delete_task", "Delete a task; other tasks stop depending on it.",
                        JsonSchema.object().required("id", JsonSchema.string("Task ID")).build()), false,
                        (args, ctx) -> change(tasks -> {
                            String id = args.string("id");
                            if (tasks.remove(id) == null) {
                                return notFound(id);
                            }
                            tasks.replaceAll((k, t) -> t.with("dependencies", new JsonArray(dependencies(t).stream()
                                    .filter(d -> !d.equals(id)).map(JsonValue::of).toList())));
                            return ToolResult.ok(JsonObject.builder().put("deleted", id).build().toJson());
                        })),
                Tool.of(ToolSpec.of("list_tasks", "List tasks, actionable first, then by priority and age.",
                        JsonSchema.object().optional("status", status.describedAs("Only tasks with this effective status"))
                                .optional("priority", priority.describedAs("Only tasks with this priority")).build()),
                        true, (args, ctx) -> {
                            Map<String, JsonObject> tasks = load();
                            String s = args.string("status", "");
                            String p = args.string("priority", "");
                            return ToolResult.ok(new JsonArray(sorted(tasks).stream()
                                    .filter(t -> s.isEmpty() || effective(t, tasks).equals(s))
                                    .filter(t -> p.isEmpty() || field(t, "priority").equals(p))
                                    .map(t -> (JsonValue) withEffective(t, tasks)).toList()).toJson());
                        }),
                Tool.of(ToolSpec.of("next_task", "The most urgent task that is neither done nor blocked.",
                        JsonSchema.object().build()), true, (args, ctx) -> {
                            Map<String, JsonObject> tasks = load();
                            return sorted(tasks).stream().filter(t -> !Set.of("done", "blocked").contains(effective(t, tasks)))
                                    .findFirst().map(t -> ToolResult.ok(withEffective(t, tasks).toJson()))
                                    .orElse(ToolResult.ok("No actionable tasks: everything is done or blocked."));
                        }),
                Tool.of(ToolSpec.of("add_dependency", "Make a task depend on another.", JsonSchema.object()
                        .required("taskId", JsonSchema.string("The task that depends on another"))
                        .required("dependsOnId", JsonSchema.string("The task that must be done first")).build()),
                        false, (args, ctx) -> change(tasks -> {
                            String id = args.string("taskId");
                            String on = args.string("dependsOnId");
                            JsonObject t = tasks.get(id);
                            if (t == null) {
                                return notFound(id);
                            }
                            List<String> deps = new ArrayList<>(dependencies(t));
                            if (deps.contains(on)) {
                                return ToolResult.error("task " + id + " already depends on " + on);
                            }
                            deps.add(on);
                            return setDependencies(tasks, t, deps);
                        })),
                Tool.of(ToolSpec.of("remove_dependency", "Remove a dependency of a task.", JsonSchema.object()
                        .required("taskId", JsonSchema.string("The task to remove the dependency from"))
                        .required("dependsOnId", JsonSchema.string("The dependency to remove")).build()),
                        false, (args, ctx) -> change(tasks -> {
                            String id = args.string("taskId");
                            JsonObject t = tasks.get(id);
                            if (t == null) {
                                return notFound(id);
                            }
                            List<String> deps = new ArrayList<>(dependencies(t));
                            if (!deps.remove(args.string("dependsOnId"))) {
                                return ToolResult.error("task " + id + " does not depend on " + args.string("dependsOnId"));
                            }
                            return setDependencies(tasks, t, deps);
                        })));
    }

    private ToolResult create(Map<String, JsonObject> tasks, ToolArguments args) throws IOException {
        String title = args.string("title");
        if (title.isBlank()) {
            return ToolResult.error("title is empty");
        }
        String priority = args.string("priority", "medium");
        if (!PRIORITIES.contains(priority)) {
            return ToolResult.error("priority must be one of " + PRIORITIES + "; got '" + priority + "'");
        }
        String description = description(args, "");
        String id = "task_" + UUID.randomUUID().toString().substring(0, 8);
        String now = clock.instant().toString();
        JsonObject t = JsonObject.builder().put("id", id).put("title", title).put("description", description)
                .put("priority", priority).put("status", "pending").put("dependencies", JsonArray.of())
                .put("createdAt", now).put("updatedAt", now).build();
        tasks.put(id, t);
        List<String> deps = args.has("dependencies") ? args.strings("dependencies") : List.of();
        return setDependencies(tasks, t, deps);
    }

    private ToolResult update(Map<String, JsonObject> tasks, ToolArguments args) throws IOException {
        String id = args.string("id");
        JsonObject t = tasks.get(id);
        if (t == null) {
            return notFound(id);
        }
        if (args.has("title") && !args.string("title").isBlank()) {
            t = t.with("title", args.string("title"));
        }
        if (args.has("description") || args.has("path")) {
            t = t.with("description", description(args, field(t, "description")));
        }
        if (args.has("priority")) {
            String p = args.string("priority");
            if (!PRIORITIES.contains(p)) {
                return ToolResult.error("priority must be one of " + PRIORITIES + "; got '" + p + "'");
            }
            t = t.with("priority", p);
        }
        if (args.has("status")) {
            String s = args.string("status");
            if (!STATUSES.contains(s)) {
                return ToolResult.error("status must be one of " + STATUSES + "; got '" + s + "'");
            }
            t = t.with("status", s);
        }
        t = t.with("updatedAt", clock.instant().toString());
        tasks.put(id, t);
        return args.has("dependencies") ? setDependencies(tasks, t, args.strings("dependencies"))
                : ToolResult.ok(t.toJson());
    }

    /** Checks and sets {@code deps}: every one must exist and none may lead back to the task. */
    private ToolResult setDependencies(Map<String, JsonObject> tasks, JsonObject t, List<String> deps) {
        String id = field(t, "id");
        for (String d : deps) {
            if (!tasks.containsKey(d)) {
                return ToolResult.error("dependency task not found: " + d);
            }
        }
        Deque<String> todo = new ArrayDeque<>(deps);
        Set<String> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            String d = todo.pop();
            if (d.equals(id)) {
                return ToolResult.error("task " + id + " cannot depend on " + deps + ": that would make a cycle");
            }
            if (seen.add(d) && tasks.containsKey(d)) {
                todo.addAll(dependencies(tasks.get(d)));
            }
        }
        JsonObject updated = t.with("dependencies", new JsonArray(deps.stream().distinct().map(JsonValue::of).toList()));
        tasks.put(id, updated);
        return ToolResult.ok(updated.toJson());
    }

    /** The description: read from {@code path} (confined to the task file's folder) when given, else the argument. */
    private String description(ToolArguments args, String fallback) throws IOException {
        String file = args.string("path", "");
        if (file.isBlank()) {
            return args.string("description", fallback);
        }
        Path base = path.getParent();
        Path target = base.resolve(file).normalize();
        if (!target.startsWith(base) || Files.exists(target) && !target.toRealPath().startsWith(base.toRealPath())) {
            throw new IllegalArgumentException("path '" + file + "' is outside the task folder " + base);
        }
        try {
            return Files.readString(target);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no file '" + file + "' in the task folder " + base);
        }
    }

    private static ToolResult notFound(String id) {
        return ToolResult.error("task not found: " + id);
    }

    private static String field(JsonObject t, String name) {
        return t.get(name).flatMap(JsonValue::asString).orElse("");
    }

    private static List<String> dependencies(JsonObject t) {
        return t.get("dependencies").flatMap(JsonValue::asArray).map(a -> a.items().stream()
                .map(v -> v.asString().orElse("")).toList()).orElse(List.of());
    }

    private static String effective(JsonObject t, Map<String, JsonObject> tasks) {
        String status = field(t, "status");
        if (status.equals("done")) {
            return status;
        }
        for (String d : dependencies(t)) {
            JsonObject dep = tasks.get(d);
            if (dep != null && !field(dep, "status").equals("done")) {
                return "blocked";
            }
        }
        return status;
    }

    private static JsonObject withEffective(JsonObject t, Map<String, JsonObject> tasks) {
        return t.with("effectiveStatus", effective(t, tasks));
    }

    private static List<JsonObject> sorted(Map<String, JsonObject> tasks) {
        return tasks.values().stream().sorted(Comparator
                .comparing((JsonObject t) -> effective(t, tasks).equals("blocked"))
                .thenComparingInt(t -> Math.max(0, PRIORITIES.indexOf(field(t, "priority"))))
                .thenComparing(t -> field(t, "createdAt"))).toList();
    }

    @FunctionalInterface
    private interface Change {
        ToolResult apply(Map<String, JsonObject> tasks) throws IOException;
    }

    /** Applies {@code change} under the file lock; the file is rewritten only when the change succeeded. */
    private ToolResult change(Change change) throws IOException {
        Files.createDirectories(path.getParent());
        synchronized (this) {
            try (FileChannel lockFile = FileChannel.open(path.resolveSibling(path.getFileName() + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE); FileLock lock = lock(lockFile)) {
                Map<String, JsonObject> tasks = load();
                ToolResult r = change.apply(tasks);
                if (!r.error()) {
                    save(tasks);
                }
                return r;
            }
        }
    }

    /**
     * The file's exclusive lock. A file lock belongs to the whole JVM, so another instance on the same file in this
     * process makes {@code lock()} fail instead of wait: wait for it here.
     */
    private static FileLock lock(FileChannel channel) throws IOException {
        while (true) {
            try {
                return channel.lock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                try {
                    Thread.sleep(2);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while waiting for the task file's lock");
                }
            }
        }
    }

    private Map<String, JsonObject> load() {
        Map<String, JsonObject> tasks = new LinkedHashMap<>();
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return tasks;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read task file " + path, e);
        }
        JsonObject all = JsonObject.parse(text);
        all.get("tasks").flatMap(JsonValue::asObject).ifPresent(o -> o.members().forEach((id, t) ->
                t.asObject().ifPresent(obj -> tasks.put(id, obj))));
        return tasks;
    }

    private void save(Map<String, JsonObject> tasks) throws IOException {
        Path tmp = Files.createTempFile(path.getParent(), path.getFileName().toString(), ".tmp");
        try {
            Files.writeString(tmp, JsonObject.builder().put("tasks", JsonObject.of(tasks)).build().toJson());
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public String toString() {
        return "TasksToolset[" + path + "]";
    }
}
