package dev.keel.rag.store;

import java.util.Objects;

/**
 * Outcome of building an approximate index.
 *
 * @param active         true when searches use the index; false when they stay exact
 * @param lists          k-means lists built (0 when none, or for a graph)
 * @param probes         lists scanned per query (IVF), or the search beam width {@code ef} (graph)
 * @param measuredRecall recall@10 measured on calibration queries (NaN when not measured)
 * @param scanFraction   average fraction of vectors scored per query with the chosen setting
 * @param reason         why the index is or is not used
 * @param index          which index answers searches
 */
public record AnnStatus(boolean active, int lists, int probes, double measuredRecall, double scanFraction,
                        String reason, Index index) {

    /** The index that answers searches. */
    public enum Index {
        /** No approximate index: every search scans all vectors. */
        EXACT,
        /** An inverted file (k-means lists). */
        IVF,
        /** An HNSW graph, the fallback where the IVF cannot reach the recall target. */
        GRAPH
    }

    /**
     * Checks that an active status names its index and an inactive one is exact.
     *
     * @param active true when searches use the index; false when they stay exact
     * @param index which index answers searches
     * @param lists k-means lists built (0 when none, or for a graph)
     * @param measuredRecall recall@10 measured on calibration queries (NaN when not measured)
     * @param probes lists scanned per query (IVF), or the search beam width {@code ef} (graph)
     * @param reason why the index is or is not used
     * @param scanFraction average fraction of vectors scored per query with the chosen setting
     */
    public AnnStatus {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(index, "index");
        if (active == (index == Index.EXACT)) {
            throw new IllegalArgumentException("an active status names its index; an inactive one is EXACT");
        }
    }

    /**
     * An IVF status (exact when inactive), as before graph fallback existed.
     *
     * @param active whether the IVF answers searches
     * @param lists the IVF's lists
     * @param probes lists probed per search
     * @param measuredRecall the recall measured on calibration queries
     * @param scanFraction the fraction of the collection a search scans
     * @param reason why the index is inactive, or empty
     */
    public AnnStatus(boolean active, int lists, int probes, double measuredRecall, double scanFraction, String reason) {
        this(active, lists, probes, measuredRecall, scanFraction, reason, active ? Index.IVF : Index.EXACT);
    }

    /**
     * No index: searches are exact.
     *
     * @param reason why the index is inactive, or empty
     * @return the status
     */
    public static AnnStatus exact(String reason) {
        return new AnnStatus(false, 0, 0, Double.NaN, 1, reason, Index.EXACT);
    }
}
