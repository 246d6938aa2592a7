package dev.keel.rag.knowledge;

/**
 * Where an indexing run is, for a progress bar: files read of the files found, chunks made, and
 * embeddings (and semantic summaries) computed of those needed. Counts only grow within one run.
 *
 * @param generation      the index generation being built
 * @param filesDone       documents read and chunked
 * @param filesTotal      documents found in the sources
 * @param chunksDone      chunks made so far (all strategies)
 * @param embeddingsDone  chunks embedded (or summarised) so far
 * @param embeddingsTotal chunks that need embedding in this run (unchanged chunks reuse their vectors)
 * @param done            true for the last report of a run (the new index is live)
 */
public record IndexProgress(long generation, int filesDone, int filesTotal, int chunksDone, int embeddingsDone,
                            int embeddingsTotal, boolean done) {

    /**
     * Files done as a fraction (1 when there is nothing to do).
     *
     * @return the fraction, between 0 and 1
     */
    public double fileFraction() {
        return filesTotal == 0 ? 1 : filesDone / (double) filesTotal;
    }

    @Override
    public String toString() {
        return "IndexProgress[generation " + generation + ": files " + filesDone + "/" + filesTotal + ", chunks "
                + chunksDone + ", embeddings " + embeddingsDone + "/" + embeddingsTotal + (done ? ", done" : "") + "]";
    }
}
