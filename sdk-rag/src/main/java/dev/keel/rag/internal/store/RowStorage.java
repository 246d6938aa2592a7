package dev.keel.rag.internal.store;

import dev.keel.rag.store.CorruptStoreFileException;
import dev.keel.rag.store.Entry;
import dev.keel.rag.store.VectorStoreException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rows of an in-memory store: vectors in one row-major {@code float[]} (or, after a load, in a read-only
 * file mapping), ids, texts, metadata, the id → row map and, for euclidean stores, squared norms. Rows are
 * contiguous: a delete moves the last row into the hole. Not thread-safe; guarded by the store's lock.
 */
public final class RowStorage {
    private final int dimension;
    private final boolean keepSquaredNorms;

    private float[] data;          // row-major vectors on the heap, or null while mapped
    private FloatBuffer mapped;    // row-major vectors in a read-only file mapping (after load)
    private float[] squaredNorms;  // euclidean stores only
    private String[] ids;
    private String[] texts;
    private List<Map<String, String>> metadata;
    private Map<String, Integer> rowById = new HashMap<>();
    private int size;

    public RowStorage(int dimension, boolean keepSquaredNorms, int initialCapacity) {
        this.dimension = dimension;
        this.keepSquaredNorms = keepSquaredNorms;
        int capacity = Math.max(16, initialCapacity);
        this.data = new float[Math.multiplyExact(capacity, dimension)];
        this.squaredNorms = keepSquaredNorms ? new float[capacity] : null;
        this.ids = new String[capacity];
        this.texts = new String[capacity];
        this.metadata = new ArrayList<>(capacity);
    }

    public int dimension() {
        return dimension;
    }

    public int size() {
        return size;
    }

    public int capacity() {
        return ids.length;
    }

    /** The heap vectors (valid only while {@link #isMapped()} is false). */
    public float[] data() {
        return data;
    }

    /** The mapped vectors, or null when they are on the heap. */
    public FloatBuffer mapped() {
        return mapped;
    }

    public boolean isMapped() {
        return mapped != null;
    }

    public String id(int row) {
        return ids[row];
    }

    public String text(int row) {
        return texts[row];
    }

    public Map<String, String> metadata(int row) {
        return metadata.get(row);
    }

    public float squaredNorm(int row) {
        return squaredNorms[row];
    }

    /** The row of {@code id}, or null. */
    public Integer rowOf(String id) {
        return rowById.get(id);
    }

    /** Appends an empty row for {@code id} (caller writes it next) and returns its index. */
    public int append(String id) {
        ensureCapacity(size + 1);
        int row = size++;
        rowById.put(id, row);
        metadata.add(null);
        return row;
    }

    /** Writes a row's vector and data (the vector is already prepared: unit length for cosine stores). */
    public void write(int row, String id, float[] v, String text, Map<String, String> meta) {
        System.arraycopy(v, 0, data, row * dimension, dimension);
        if (squaredNorms != null) {
            squaredNorms[row] = VectorChecks.squaredNorm(v, 0, dimension);
        }
        ids[row] = id;
        texts[row] = text;
        metadata.set(row, meta);
    }

    /**
     * Removes the row of {@code id}: the last row moves into its place. Returns the removed row and, in
     * {@code movedFrom[0]}, the row that moved into it (or -1 when the removed row was the last).
     */
    public int remove(String id, int[] movedFrom) {
        int row = rowById.remove(id);
        int last = size - 1;
        movedFrom[0] = -1;
        if (row != last) {
            float[] v = row(last);
            write(row, ids[last], v, texts[last], metadata.get(last));
            rowById.put(ids[row], row);
            movedFrom[0] = last;
        }
        ids[last] = null;
        texts[last] = null;
        metadata.remove(last);
        size--;
        return row;
    }

    /** Grows storage to hold {@code rows}; returns the new capacity (unchanged when it already fits). */
    public int ensureCapacity(int rows) {
        int capacity = ids.length;
        if (rows <= capacity) {
            return capacity;
        }
        int newCapacity = (int) Math.min(Integer.MAX_VALUE / dimension, Math.max(rows, capacity * 2L));
        if (newCapacity < rows) {
            throw new VectorStoreException("store is full: at most " + Integer.MAX_VALUE / dimension + " vectors of "
                    + dimension + " dimensions fit in one in-memory store");
        }
        data = Arrays.copyOf(data, newCapacity * dimension);
        ids = Arrays.copyOf(ids, newCapacity);
        texts = Arrays.copyOf(texts, newCapacity);
        if (squaredNorms != null) {
            squaredNorms = Arrays.copyOf(squaredNorms, newCapacity);
        }
        return newCapacity;
    }

    /** The entry at {@code row}. */
    public Entry entryAt(int row) {
        return new Entry(ids[row], row(row), texts[row], metadata.get(row));
    }

    /** A copy of row {@code row}'s vector, from the heap or the mapping. */
    public float[] row(int row) {
        float[] v = new float[dimension];
        if (mapped == null) {
            System.arraycopy(data, row * dimension, v, 0, dimension);
        } else {
            mapped.get(row * dimension, v, 0, dimension); // absolute get: no shared position is touched
        }
        return v;
    }

    /**
     * Moves vectors out of a file mapping into the heap before the first change (caller holds the write
     * lock). Searches on a loaded store run in place on the mapping until then.
     */
    public void materialize() {
        if (mapped == null) {
            return;
        }
        float[] heap = new float[Math.multiplyExact(Math.max(16, size), dimension)];
        mapped.get(0, heap, 0, size * dimension);
        data = heap;
        mapped = null;
    }

    /** Every id, in storage order. */
    public List<String> ids() {
        return List.of(Arrays.copyOf(ids, size));
    }

    /** What {@link StoreFile#write} needs to save these rows. */
    public StoreFile.Contents contents(dev.keel.rag.store.Metric metric) {
        FloatBuffer vectors = mapped != null ? mapped.duplicate() : FloatBuffer.wrap(data);
        return new StoreFile.Contents(metric, dimension, size, vectors, Arrays.asList(ids).subList(0, size),
                Arrays.asList(texts).subList(0, size), metadata.subList(0, size));
    }

    /** Takes over the rows of a loaded file; the vectors stay in its mapping. */
    public void adopt(StoreFile.Contents contents, Path file) {
        int n = contents.count();
        int capacity = Math.max(16, n);
        data = null;
        mapped = contents.vectors();
        size = n;
        ids = Arrays.copyOf(contents.ids().toArray(new String[0]), capacity);
        texts = Arrays.copyOf(contents.texts().toArray(new String[0]), capacity);
        metadata = new ArrayList<>(contents.metadata());
        rowById = new HashMap<>(n + n / 3 + 16);
        for (int row = 0; row < n; row++) {
            if (rowById.put(ids[row], row) != null) {
                throw new CorruptStoreFileException(file, "duplicate id '" + ids[row] + "'");
            }
        }
        if (keepSquaredNorms) {
            squaredNorms = new float[capacity];
            for (int row = 0; row < n; row++) {
                squaredNorms[row] = VectorChecks.squaredNorm(row(row), 0, dimension);
            }
        }
    }
}
