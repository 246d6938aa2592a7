package dev.keel.agents.team;

import dev.keel.agents.tool.ToolsetException;
import java.util.Objects;

/**
 * A team file refers to something the host does not have — a Docker MCP catalog server without Docker's MCP
 * gateway, an external agent that nothing maps, a harness CLI or an LSP server that is not installed, an
 * optional Keel module that is not on the path — and the team has started to need it. The team loaded (a
 * reference is only resolved when it is used, or by {@link Team#validate()}); this says which reference and
 * what to install or map. The message reads {@code <where>: '<reference>' needs <what>: <remedy>}.
 */
public final class MissingPrerequisiteException extends ToolsetException {
    private static final long serialVersionUID = 1L;
    /** The reference that needs the prerequisite. */
    private final String reference;
    /** What to install, set or map. */
    private final String remedy;

    /**
     * A missing prerequisite.
     *
     * @param reference what the file names ({@code docker:duckduckgo}, {@code agentcatalog/pirate}, {@code claude-code})
     * @param missing   what is missing ("the Docker MCP gateway ('docker mcp'), which is not installed")
     * @param remedy    what to install or map
     */
    public MissingPrerequisiteException(String reference, String missing, String remedy) {
        super("'" + reference + "' needs " + missing + ": " + remedy);
        this.reference = Objects.requireNonNull(reference, "reference");
        this.remedy = Objects.requireNonNull(remedy, "remedy");
    }

    /**
     * The reference as the file writes it.
     *
     * @return the reference as the file writes it
     */
    public String reference() {
        return reference;
    }

    /**
     * What to install or map.
     *
     * @return what to install or map
     */
    public String remedy() {
        return remedy;
    }
}
