package dev.keel.rag.internal.store;

/**
 * Keeps the {@code k} largest (key, row) pairs seen, as a binary min-heap on primitive arrays so the
 * scan allocates nothing per row. Ties keep the earlier row. Not thread-safe.
 */
public final class TopK {
    private final float[] keys;
    private final int[] rows;
    private int size;

    public TopK(int k) {
        keys = new float[k];
        rows = new int[k];
    }

    public int size() {
        return size;
    }

    public boolean isFull() {
        return size == keys.length;
    }

    /** The smallest key kept, or negative infinity while not full. */
    public float threshold() {
        return size == keys.length ? keys[0] : Float.NEGATIVE_INFINITY;
    }

    /** Would {@code key} be kept? */
    public boolean accepts(float key) {
        return size < keys.length || key > keys[0];
    }

    public void offer(float key, int row) {
        if (size < keys.length) {
            int i = size++;
            keys[i] = key;
            rows[i] = row;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (less(parent, i)) {
                    break;
                }
                swap(i, parent);
                i = parent;
            }
        } else if (key > keys[0]) {
            keys[0] = key;
            rows[0] = row;
            int i = 0;
            while (true) {
                int left = 2 * i + 1;
                if (left >= size) {
                    break;
                }
                int smallest = left + 1 < size && less(left + 1, left) ? left + 1 : left;
                if (less(i, smallest)) {
                    break;
                }
                swap(i, smallest);
                i = smallest;
            }
        }
    }

    private boolean less(int a, int b) {
        return keys[a] < keys[b] || (keys[a] == keys[b] && rows[a] > rows[b]);
    }

    private void swap(int a, int b) {
        float k = keys[a];
        keys[a] = keys[b];
        keys[b] = k;
        int r = rows[a];
        rows[a] = rows[b];
        rows[b] = r;
    }

    /** Rows sorted best first; keys written to {@code keysOut} in the same order. */
    public int[] sortedRows(float[] keysOut) {
        int n = size;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> keys[a] != keys[b] ? Float.compare(keys[b], keys[a])
                : Integer.compare(rows[a], rows[b]));
        int[] result = new int[n];
        for (int i = 0; i < n; i++) {
            result[i] = rows[order[i]];
            keysOut[i] = keys[order[i]];
        }
        return result;
    }
}
