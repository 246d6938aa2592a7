package dev.keel.rag.knowledge;

/**
 * Receives indexing progress (from the thread that indexes) and, for background indexing, failures.
 * Keep it quick; it is called often.
 */
@FunctionalInterface
public interface ProgressListener {

    /**
     * Progress of the current run.
     *
     * @param progress the progress
     */
    void progress(IndexProgress progress);

    /**
     * A background run failed; the previous index stays live. The default does nothing (it is also logged).
     *
     * @param failure the failure
     */
    default void failed(KnowledgeBaseException failure) {
    }

    /**
     * Ignores everything.
     *
     * @return the listener
     */
    static ProgressListener none() {
        return progress -> { };
    }
}
