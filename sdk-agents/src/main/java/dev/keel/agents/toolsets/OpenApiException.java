package dev.keel.agents.toolsets;

import dev.keel.agents.tool.ToolsetException;
import java.util.Objects;

/**
 * An OpenAPI document could not become tools: it could not be read, it is not OpenAPI 3, or a part of it is
 * malformed. {@link #location()} names the part ({@code paths./pets/{id}.get.parameters[0].in}), and
 * {@link #problem()} says what is wrong with it. The message never holds a header value.
 */
public final class OpenApiException extends ToolsetException {
    private static final long serialVersionUID = 1L;

    /** The document's URL or file. */
    private final String document;
    /** The dotted path of the part at fault; empty for the whole document. */
    private final String location;
    /** What is wrong. */
    private final String problem;

    /**
     * Creates the exception.
     *
     * @param document the document's URL or file
     * @param location the dotted path of the part at fault; empty for the whole document
     * @param problem  what is wrong
     * @param cause    the underlying failure, or null
     */
    public OpenApiException(String document, String location, String problem, Throwable cause) {
        super("OpenAPI document " + document + (location == null || location.isEmpty() ? "" : ", " + location) + ": "
                + problem, cause);
        this.document = Objects.requireNonNull(document, "document");
        this.location = location == null ? "" : location;
        this.problem = Objects.requireNonNull(problem, "problem");
    }

    /**
     * The document's URL or file.
     *
     * @return the document's URL or file
     */
    public String document() {
        return document;
    }

    /**
     * The dotted path of the part at fault, such as {@code paths./pets.get.parameters[0]}; empty when the
     * whole document is at fault.
     *
     * @return the location
     */
    public String location() {
        return location;
    }

    /**
     * What is wrong.
     *
     * @return what is wrong
     */
    public String problem() {
        return problem;
    }
}
