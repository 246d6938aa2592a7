package dev.keel.agents.tool;

import java.util.List;
import java.util.Objects;

/**
 * A group of tools given to an agent together (filesystem, shell, an MCP server, …). A toolset that holds
 * a resource (a server process, a connection) releases it in {@link #close()}; the {@code Runner} closes
 * every toolset of its agents when it is closed. Closing twice is harmless. Implementations are
 * thread-safe.
 */
public interface Toolset extends AutoCloseable {

    /**
     * Short name for logs and errors, for example {@code filesystem} or {@code mcp:docker:github}.
     *
     * @return the name
     */
    String name();

    /**
     * The tools, in a stable order. May start a resource on first call (an MCP server).
     *
     * @return the tools, in a stable order
     * @throws ToolsetException when the tools cannot be listed (for example the server did not start)
     */
    List<Tool> tools();

    /**
     * Extra guidance appended to the agent's system prompt, or empty.
     *
     * @return the instructions
     */
    default String instructions() {
        return "";
    }

    /** Releases held resources. The default does nothing. */
    @Override
    default void close() {}

    /**
     * A toolset of fixed tools.
     *
     * @param name the toolset's name
     * @param tools the tools
     * @return a toolset of fixed tools
     */
    static Toolset of(String name, Tool... tools) {
        Objects.requireNonNull(name, "name");
        List<Tool> list = List.of(tools);
        return new Toolset() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public List<Tool> tools() {
                return list;
            }

            @Override
            public String toString() {
                return "Toolset[" + name + ", " + list.size() + " tools]";
            }
        };
    }
}
