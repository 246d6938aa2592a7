package dev.keel.rag.internal.store;

import dev.keel.rag.store.Hit;
import dev.keel.rag.store.MetadataFilter;
import java.util.List;

/**
 * Compressed search: scans int8 codes of the rows (a quarter of the memory traffic; the query stays fp32),
 * keeps the best {@code k * oversample} candidates and re-ranks them with the exact fp32 vectors, so the
 * scores returned are exact. Keeps its codes in step with the rows (the store calls {@link #encode} on
 * every write and {@link #grow} when the rows grow). Not thread-safe; guarded by the store's lock.
 */
public final class Int8Search {
    private final RowStorage rows;
    private final ExactScan exact;
    private final int oversample;
    private Int8Codes codes;

    public Int8Search(RowStorage rows, ExactScan exact, int oversample) {
        this.rows = rows;
        this.exact = exact;
        this.oversample = oversample;
        this.codes = new Int8Codes(rows.dimension(), rows.capacity());
    }

    public int oversample() {
        return oversample;
    }

    /** Encodes the (heap) vector of {@code row}. */
    public void encode(int row) {
        codes.encode(row, rows.data(), row * rows.dimension());
    }

    /** Makes room for {@code capacity} rows. */
    public void grow(int capacity) {
        codes = codes.grow(capacity);
    }

    /** Re-encodes every row (after a load). */
    public void encodeAll() {
        codes = new Int8Codes(rows.dimension(), rows.capacity());
        for (int row = 0; row < rows.size(); row++) {
            encode(row);
        }
    }

    /** The top {@code k} for a prepared query. */
    public List<Hit> search(float[] q, int k, double minScore, MetadataFilter filter) {
        int size = rows.size();
        int candidates = (int) Math.min(size == 0 ? 1 : size, (long) k * oversample);
        TopK approximate = new TopK(Math.max(1, candidates));
        MetadataFilter rowFilter = filter != MetadataFilter.all() ? filter : null;
        float[] dots = new float[ExactScan.BLOCK];
        for (int from = 0; from < size; from += ExactScan.BLOCK) {
            int to = Math.min(size, from + ExactScan.BLOCK);
            codes.dots(exact.kernel(), q, from, to, dots);
            exact.collect(dots, from, to, approximate, Float.NEGATIVE_INFINITY, rowFilter);
        }
        float[] keys = new float[approximate.size()];
        int[] winners = approximate.sortedRows(keys);
        TopK top = new TopK(k);
        float minKey = exact.minKey(q, minScore);
        int dimension = rows.dimension();
        for (int row : winners) {
            float key = exact.key(exact.kernel().dot(q, 0, rows.data(), row * dimension, dimension), row);
            if (key >= minKey && top.accepts(key)) {
                top.offer(key, row);
            }
        }
        return exact.hits(q, top, minScore);
    }
}
