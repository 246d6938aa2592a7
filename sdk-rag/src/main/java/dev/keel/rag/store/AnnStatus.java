package dev.keel.rag.store;

/**
 * Outcome of building an approximate index.
 *
 * @param active         true when searches use the index; false when they stay exact
 * @param lists          k-means lists built (0 when none)
 * @param probes         lists scanned per query
 * @param measuredRecall recall@10 measured on calibration queries (NaN when not measured)
 * @param scanFraction   average fraction of vectors scored per query with the chosen probes
 * @param reason         why the index is or is not used
 */
public record AnnStatus(boolean active, int lists, int probes, double measuredRecall, double scanFraction,
                        String reason) {
    /**
     * No index: searches are exact.
     *
     * @param reason why there is no index
     * @return the status
     */
    public static AnnStatus exact(String reason) {
        return new AnnStatus(false, 0, 0, Double.NaN, 1, reason);
    }
}
