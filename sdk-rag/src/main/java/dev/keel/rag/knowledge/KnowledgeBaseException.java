package dev.keel.rag.knowledge;

import dev.keel.core.KeelException;

/**
 * A knowledge base could not be built, indexed or read: an unreadable source, a locked or corrupt index
 * directory, a failing model. The live index is never left half-written: after this exception the previous
 * generation is still the one searched.
 */
public class KnowledgeBaseException extends KeelException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception with a message that names the problem.
     *
     * @param message what went wrong, naming the problem
     */
    public KnowledgeBaseException(String message) {
        super(message);
    }

    /**
     * An exception with a message and the failure that caused it.
     *
     * @param message what went wrong, naming the problem
     * @param cause the underlying failure
     */
    public KnowledgeBaseException(String message, Throwable cause) {
        super(message, cause);
    }
}
