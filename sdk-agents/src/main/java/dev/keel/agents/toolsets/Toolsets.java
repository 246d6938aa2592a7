package dev.keel.agents.toolsets;

import dev.keel.core.exec.CommandRunner;
import dev.keel.core.exec.LocalCommandRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;

/**
 * Factories for the built-in toolsets, named and shaped like cagent's. MCP servers are in
 * {@code dev.keel.agents.mcp.McpToolset}.
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
     * {@code add_memory}, {@code get_memories}, {@code search_memories}, {@code delete_memory}, kept in {@code
     * file}.
     *
     * @param file the file the memories are kept in
     * @return the memory toolset
     */
    public static MemoryToolset memory(Path file) {
        return new MemoryToolset(file);
    }

    /**
     * File tools confined to {@code root}.
     *
     * @param root the directory the tools are confined to
     * @return the filesystem toolset
     */
    public static FilesystemToolset filesystem(Path root) {
        return new FilesystemToolset(root);
    }

    /**
     * {@code shell(cmd, cwd)} through {@code runner}, with default timeout and output cap.
     *
     * @param runner runs the commands
     * @return the shell toolset
     */
    public static ShellToolset shell(CommandRunner runner) {
        return new ShellToolset(runner, ShellToolset.DEFAULT_TIMEOUT, ShellToolset.DEFAULT_OUTPUT_LIMIT, Map.of());
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
     * Named commands as tools.
     *
     * @param runner runs the commands
     * @param commands the tools, by name
     * @return the script toolset
     */
    public static ScriptToolset script(CommandRunner runner, Map<String, ScriptToolset.Script> commands) {
        return new ScriptToolset(runner, commands, ShellToolset.DEFAULT_TIMEOUT);
    }

    /**
     * {@code fetch(urls)} limited to {@code allowedHosts} (empty = any), 30 s and 1 MiB per URL.
     *
     * @param client the HTTP client
     * @param allowedHosts hosts that may be fetched, empty for any
     * @return the fetch toolset
     */
    public static FetchToolset fetch(OkHttpClient client, List<String> allowedHosts) {
        return new FetchToolset(client, allowedHosts, Duration.ofSeconds(30), 1 << 20);
    }
}
