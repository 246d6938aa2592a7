package dev.keel.agents.toolsets;

import dev.keel.core.exec.CommandRunner;
import dev.keel.core.exec.LocalCommandRunner;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;

/**
 * Factories for the built-in toolsets, named and shaped like cagent's, with their defaults. For other
 * settings use the toolset's builder ({@link ShellToolset#builder}, {@link ScriptToolset#builder},
 * {@link FetchToolset#builder}); each factory here is exactly {@code builder(…).build()}. MCP servers are
 * in {@code dev.keel.agents.mcp.McpToolset}.
 */
public final class Toolsets {
    private Toolsets() {}

    /**
     * {@code think(thought)}.
     *
     * @return the think toolset
     */
    public static ThinkToolset think() {
        return new ThinkToolset();
    }

    /**
     * {@code create_todo}, {@code create_todos}, {@code update_todo}, {@code list_todos}.
     *
     * @return the todo toolset
     */
    public static TodoToolset todo() {
        return new TodoToolset();
    }

    /**
     * {@code write_plan}, {@code read_plan}, {@code exit_plan_mode}: one plan per session, kept in its state.
     *
     * @return the plan toolset
     */
    public static PlanToolset plan() {
        return PlanToolset.plan();
    }

    /**
     * {@code write_session_plan}, {@code read_session_plan}, {@code exit_plan_mode}: docker-agent's per-session plan,
     * kept in the session's state apart from {@link #plan()}'s.
     *
     * @return the session plan toolset
     */
    public static PlanToolset sessionPlan() {
        return PlanToolset.sessionPlan();
    }

    /**
     * {@code list_sessions(limit?)} and {@code read_session(session_id)}: docker-agent's {@code session_context}
     * tools, over the earlier sessions {@code history} lets each running session see (never the running one). A
     * service with many users in one store must scope them: see {@link dev.keel.agents.session.SessionScope}.
     *
     * @param history the store and the scope
     * @return the session context toolset
     */
    public static dev.keel.agents.tool.Toolset sessionContext(dev.keel.agents.session.SessionHistory history) {
        return dev.keel.agents.internal.session.SessionContextToolset.of(
                java.util.Objects.requireNonNull(history, "history"));
    }

    /**
     * docker-agent's {@code mcp_catalog} tools over the host's catalog of remote MCP servers:
     * {@code search_remote_mcp_servers}, {@code list_remote_mcp_servers}, {@code enable_remote_mcp_server} (connects
     * before answering; the server's tools then appear as {@code <id>_<tool>}), and once a server is enabled
     * {@code disable_remote_mcp_server} and {@code reset_remote_mcp_server_auth}. Servers on private addresses are
     * refused unless their entry allows it; OAuth servers need headers in the catalog. Which servers are enabled
     * belongs to the session (kept in its state, so a restored session has them again): a session sees and calls
     * only the servers it enabled, even when many sessions share the runner. The connections are the toolset's, one
     * per server, and are closed when it closes.
     *
     * @param catalog the servers that may be enabled (narrow it with its builder)
     * @return the toolset
     */
    public static dev.keel.agents.tool.Toolset mcpCatalog(dev.keel.agents.mcp.McpCatalog catalog) {
        return dev.keel.agents.internal.McpCatalogToolset.of(java.util.Objects.requireNonNull(catalog, "catalog"),
                java.util.List.of(), java.util.List.of(), false);
    }

    /**
     * {@code change_model(model)} and {@code revert_model()}: the agent switches among {@code models} (by the names
     * given here) for the rest of its session.
     *
     * @param models the models the agent may switch to, by name, in order
     * @return the model picker toolset
     * @throws IllegalArgumentException when {@code models} is empty
     */
    public static ModelPickerToolset modelPicker(Map<String, dev.keel.core.models.ModelSpec> models) {
        return new ModelPickerToolset(models);
    }

    /**
     * {@code create_task}, {@code get_task}, {@code update_task}, {@code delete_task}, {@code list_tasks},
     * {@code next_task}, {@code add_dependency}, {@code remove_dependency}: a task database kept in {@code file}.
     *
     * @param file the JSON file the tasks are kept in
     * @return the tasks toolset
     */
    public static TasksToolset tasks(Path file) {
        return new TasksToolset(file, Clock.systemUTC());
    }

    /**
     * {@code add_memory}, {@code get_memories}, {@code search_memories}, {@code delete_memory}, kept in {@code
     * file}.
     *
     * @param file the file the memories are kept in
     * @return the memory toolset
     */
    public static MemoryToolset memory(Path file) {
        return new MemoryToolset(file, Clock.systemUTC());
    }

    /**
     * File tools confined to {@code root}.
     *
     * @param root the directory the tools are confined to
     * @return the filesystem toolset
     */
    public static FilesystemToolset filesystem(Path root) {
        return FilesystemToolset.builder(root).build();
    }

    /**
     * {@code shell(cmd, cwd)} through {@code runner}, with the default timeout and output cap.
     *
     * @param runner the runner
     * @return {@code shell(cmd, cwd)} through {@code runner}, with the default timeout and output cap
     */
    public static ShellToolset shell(CommandRunner runner) {
        return ShellToolset.builder(runner).build();
    }

    /**
     * {@code shell(cmd, cwd)} on the host, starting in {@code dir}.
     *
     * @param dir the directory commands start in
     * @return the shell toolset
     */
    public static ShellToolset shell(Path dir) {
        return shell(LocalCommandRunner.in(dir));
    }

    /**
     * Named commands as tools, with the default timeout.
     *
     * @param commands the commands
     * @param runner the runner
     * @return named commands as tools, with the default timeout
     */
    public static ScriptToolset script(CommandRunner runner, Map<String, ScriptToolset.Script> commands) {
        return ScriptToolset.builder(runner).scripts(commands).build();
    }

    /**
     * {@code fetch(urls)} limited to {@code allowedHosts} (empty = any), with the default timeout and size cap.
     *
     * @param allowedHosts the allowed hosts
     * @param client the client
     * @return {@code fetch(urls)} limited to {@code allowedHosts} (empty = any), with the default timeout and size cap
     */
    public static FetchToolset fetch(OkHttpClient client, List<String> allowedHosts) {
        return FetchToolset.builder(client).allowedHosts(allowedHosts).build();
    }
}
