package dev.keel.agents.mcp;

import dev.keel.core.KeelException;

/**
 * A catalog of remote MCP servers ({@link McpCatalog#read(java.nio.file.Path)}) could not be read: the file is
 * missing or unreadable, is not JSON, or an entry is not a valid server. The message names the file, the line and
 * what is wrong; nothing of a half-read catalog is kept.
 */
public final class McpCatalogException extends KeelException {
    private static final long serialVersionUID = 1L;

    /** Where the catalog came from. */
    private final String source;
    /** The 1-based line of the problem, 0 when it is not about a line. */
    private final int line;

    /**
     * An error at {@code line} of {@code source}.
     *
     * @param source  the file (or the name given to a stream)
     * @param line    the 1-based line, 0 when the problem is not about a line (an unreadable file)
     * @param problem what is wrong
     */
    public McpCatalogException(String source, int line, String problem) {
        super(source + (line > 0 ? ":" + line : "") + ": " + problem);
        this.source = source;
        this.line = line;
    }

    /**
     * Where the catalog came from.
     *
     * @return the file, or the name given to a stream
     */
    public String source() {
        return source;
    }

    /**
     * The line of the problem.
     *
     * @return the 1-based line, 0 when the problem is not about a line
     */
    public int line() {
        return line;
    }
}
