package dev.keel.rag.knowledge;

/**
 * Receives indexing progress (from the thread that indexes) and, for background indexing, failures.
 * Keep it quick; it is called often.
 */
@FunctionalInterface
public interface ProgressListener {

    /** Progress of the current run. */
    void progress(IndexProgress progress);

    /** A background run failed; the previous index stays live. The default does nothing (it is also logged). */
    default void failed(KnowledgeBaseException failure) {
    }

    /** Ignores everything. */
    static ProgressListener none() {
        return progress -> { };
    }
}
