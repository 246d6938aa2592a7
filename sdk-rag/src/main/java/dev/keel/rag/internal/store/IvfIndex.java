package dev.keel.rag.internal.store;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Inverted-file (IVF) index: k-means centroids over the stored vectors and, per centroid, the list of
 * rows closest to it. A search scores the centroids, then only the rows of the best {@code probes}
 * lists. Kept in step with the store's rows on upsert and delete. Not thread-safe; guarded by the
 * store's lock. Ranks by dot product, so the store must hold unit vectors or use dot product.
 */
public final class IvfIndex {
    private final int dimension;
    private final int lists;
    private final float[] centroids;
    private int[][] members;
    private int[] memberCounts;
    private int[] listOf;
    private int[] positionOf;
    private int probes;

    private IvfIndex(int dimension, float[] centroids, int lists, int capacity) {
        this.dimension = dimension;
        this.lists = lists;
        this.centroids = centroids;
        this.members = new int[lists][];
        this.memberCounts = new int[lists];
        for (int c = 0; c < lists; c++) {
            members[c] = new int[8];
        }
        this.listOf = new int[Math.max(16, capacity)];
        this.positionOf = new int[Math.max(16, capacity)];
        this.probes = 1;
    }

    /**
     * Trains {@code lists} centroids with a few rounds of k-means on a sample and assigns every row.
     */
    public static IvfIndex train(float[] data, int size, int dimension, int lists, long seed, Kernel kernel) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int sampleSize = Math.min(size, Math.max(lists * 40, 10_000));
        int[] sample = sampleRows(size, sampleSize, rnd);
        float[] centroids = new float[lists * dimension];
        for (int c = 0; c < lists; c++) {
            System.arraycopy(data, sample[c * sampleSize / lists] * dimension, centroids, c * dimension, dimension);
        }
        int[] assignment = new int[sampleSize];
        float[] scores = new float[lists];
        for (int iteration = 0; iteration < 6; iteration++) {
            for (int i = 0; i < sampleSize; i++) {
                assignment[i] = nearest(kernel, centroids, lists, dimension, data, sample[i] * dimension, scores);
            }
            float[] sums = new float[lists * dimension];
            int[] counts = new int[lists];
            for (int i = 0; i < sampleSize; i++) {
                int c = assignment[i];
                counts[c]++;
                int off = sample[i] * dimension;
                for (int d = 0; d < dimension; d++) {
                    sums[c * dimension + d] += data[off + d];
                }
            }
            for (int c = 0; c < lists; c++) {
                if (counts[c] == 0) {
                    // an empty cluster restarts at a random sample point
                    System.arraycopy(data, sample[rnd.nextInt(sampleSize)] * dimension, centroids, c * dimension,
                            dimension);
                    continue;
                }
                double norm = 0;
                for (int d = 0; d < dimension; d++) {
                    norm += (double) sums[c * dimension + d] * sums[c * dimension + d];
                }
                double scale = norm == 0 ? 0 : 1 / Math.sqrt(norm); // spherical k-means: unit centroids
                for (int d = 0; d < dimension; d++) {
                    centroids[c * dimension + d] = (float) (sums[c * dimension + d] * scale);
                }
            }
        }
        IvfIndex index = new IvfIndex(dimension, centroids, lists, size);
        for (int row = 0; row < size; row++) {
            index.add(row, data, row * dimension, kernel, scores);
        }
        return index;
    }

    private static int[] sampleRows(int size, int sampleSize, SplittableRandom rnd) {
        int[] rows = new int[size];
        for (int i = 0; i < size; i++) {
            rows[i] = i;
        }
        for (int i = 0; i < sampleSize; i++) { // partial Fisher-Yates
            int j = i + rnd.nextInt(size - i);
            int t = rows[i];
            rows[i] = rows[j];
            rows[j] = t;
        }
        return Arrays.copyOf(rows, sampleSize);
    }

    private static int nearest(Kernel kernel, float[] centroids, int lists, int dimension, float[] v, int off,
                               float[] scores) {
        int best = 0;
        float bestScore = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < lists; c++) {
            float s = kernel.dot(v, off, centroids, c * dimension, dimension);
            if (s > bestScore) {
                bestScore = s;
                best = c;
            }
        }
        return best;
    }

    public int lists() {
        return lists;
    }

    public int probes() {
        return probes;
    }

    public void probes(int probes) {
        this.probes = Math.max(1, Math.min(lists, probes));
    }

    /** Adds row {@code row} whose vector is {@code v[off, off+dimension)}. */
    public void add(int row, float[] v, int off, Kernel kernel, float[] scratch) {
        ensureRows(row + 1);
        int c = nearest(kernel, centroids, lists, dimension, v, off, scratch);
        if (memberCounts[c] == members[c].length) {
            members[c] = Arrays.copyOf(members[c], members[c].length * 2);
        }
        positionOf[row] = memberCounts[c];
        members[c][memberCounts[c]++] = row;
        listOf[row] = c;
    }

    /** Removes row {@code row} from its list. */
    public void remove(int row) {
        int c = listOf[row];
        int p = positionOf[row];
        int last = members[c][--memberCounts[c]];
        members[c][p] = last;
        positionOf[last] = p;
    }

    /** The store moved row {@code from} to {@code to} (after {@code to} was removed). */
    public void moved(int from, int to) {
        int c = listOf[from];
        int p = positionOf[from];
        members[c][p] = to;
        listOf[to] = c;
        positionOf[to] = p;
    }

    private void ensureRows(int rows) {
        if (rows > listOf.length) {
            int capacity = Math.max(rows, listOf.length * 2);
            listOf = Arrays.copyOf(listOf, capacity);
            positionOf = Arrays.copyOf(positionOf, capacity);
        }
    }

    /** Receives candidate rows. */
    @FunctionalInterface
    public interface RowSink {
        void accept(int row, float dot);
    }

    /** Scores the rows of the best {@code probes} lists for {@code q}. Returns the number of rows scored. */
    public int search(float[] q, float[] data, Kernel kernel, int probes, RowSink sink) {
        TopK best = new TopK(Math.min(probes, lists));
        for (int c = 0; c < lists; c++) {
            best.offer(kernel.dot(q, 0, centroids, c * dimension, dimension), c);
        }
        float[] keys = new float[best.size()];
        int scored = 0;
        for (int c : best.sortedRows(keys)) {
            int[] rows = members[c];
            int n = memberCounts[c];
            for (int i = 0; i < n; i++) {
                int row = rows[i];
                sink.accept(row, kernel.dot(q, 0, data, row * dimension, dimension));
            }
            scored += n;
        }
        return scored;
    }
}
