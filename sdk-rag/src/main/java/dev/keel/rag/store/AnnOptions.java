package dev.keel.rag.store;

/**
 * How {@link InMemoryVectorStore#buildAnnIndex(AnnOptions)} builds its approximate index.
 *
 * @param targetRecall    recall@k the index must reach on calibration queries, else search stays exact
 * @param lists           number of k-means lists; 0 chooses {@code sqrt(size)}
 * @param maxScanFraction the index is used only if reaching the recall scans at most this fraction of
 *                        the vectors (beyond that, exact search is about as fast and exact)
 * @param minSize         smaller collections stay exact (a scan is already fast)
 * @param seed            seed for k-means sampling and calibration queries (builds are reproducible)
 * @param graphFallback   where the IVF cannot reach the target within the scan budget, build an HNSW graph
 *                        (Lucene's; needs {@code org.apache.lucene:lucene-core} on the path) and use it if it
 *                        reaches the target on the same calibration queries, instead of exact search
 */
public record AnnOptions(double targetRecall, int lists, double maxScanFraction, int minSize, long seed,
                         boolean graphFallback) {
    /**
     * Creates the value, checking its components.
     *
     * @param targetRecall recall@k the index must reach on calibration queries, else search stays exact
     * @param lists number of k-means lists; 0 chooses {@code sqrt(size)}
     * @param maxScanFraction the index is used only if reaching the recall scans at most this fraction of the
     *     vectors (beyond that, exact search is about as fast and exact)
     * @param minSize smaller collections stay exact (a scan is already fast)
     * @param seed seed for k-means sampling and calibration queries (builds are reproducible)
     * @param graphFallback where the IVF cannot reach the target within the scan budget, build an HNSW graph
     *     (Lucene's; needs {@code org.apache.lucene:lucene-core} on the path) and use it if it reaches the target on
     *     the same calibration queries, instead of exact search
     */
    public AnnOptions {
        if (!(targetRecall > 0 && targetRecall <= 1)) {
            throw new IllegalArgumentException("targetRecall must be in (0, 1], got " + targetRecall);
        }
        if (lists < 0) {
            throw new IllegalArgumentException("lists must not be negative, got " + lists);
        }
        if (!(maxScanFraction > 0 && maxScanFraction <= 1)) {
            throw new IllegalArgumentException("maxScanFraction must be in (0, 1], got " + maxScanFraction);
        }
        if (minSize < 1) {
            throw new IllegalArgumentException("minSize must be at least 1, got " + minSize);
        }
    }

    /**
     * IVF options without graph fallback (as before the fallback existed).
     *
     * @param targetRecall the recall target, between 0 and 1
     * @param lists IVF lists, 0 for automatic
     * @param maxScanFraction the largest fraction of the collection a search may scan
     * @param minSize the smallest collection that gets an index
     * @param seed the k-means seed
     */
    public AnnOptions(double targetRecall, int lists, double maxScanFraction, int minSize, long seed) {
        this(targetRecall, lists, maxScanFraction, minSize, seed, false);
    }

    /**
     * Recall 0.95, automatic list count, at most 20% scanned, collections of 10,000 or more, graph fallback
     * on (it takes effect only when Lucene is on the class or module path).
     *
     * @return the defaults
     */
    public static AnnOptions defaults() {
        return new AnnOptions(0.95, 0, 0.2, 10_000, 42, true);
    }

    /**
     * A copy with another recall target.
     *
     * @param recall the recall target, between 0 and 1
     * @return a copy with another recall target
     */
    public AnnOptions withTargetRecall(double recall) {
        return new AnnOptions(recall, lists, maxScanFraction, minSize, seed, graphFallback);
    }

    /**
     * A copy with another minimum collection size.
     *
     * @param size the smallest collection that gets an index
     * @return a copy with another minimum collection size
     */
    public AnnOptions withMinSize(int size) {
        return new AnnOptions(targetRecall, lists, maxScanFraction, size, seed, graphFallback);
    }

    /**
     * A copy with another scan budget for the IVF.
     *
     * @param fraction the largest fraction of the collection a search may scan
     * @return a copy with another scan budget for the IVF
     */
    public AnnOptions withMaxScanFraction(double fraction) {
        return new AnnOptions(targetRecall, lists, fraction, minSize, seed, graphFallback);
    }

    /**
     * A copy with the graph fallback on or off.
     *
     * @param fallback whether to build a graph where the IVF is inactive
     * @return a copy with the graph fallback on or off
     */
    public AnnOptions withGraphFallback(boolean fallback) {
        return new AnnOptions(targetRecall, lists, maxScanFraction, minSize, seed, fallback);
    }
}
