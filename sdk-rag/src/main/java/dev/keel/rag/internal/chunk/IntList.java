package dev.keel.rag.internal.chunk;

import java.util.Arrays;

/** A growable list of ints without boxing. Not thread-safe. */
public final class IntList {
    private int[] values = new int[16];
    private int size;

    public void add(int value) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = value;
    }

    public int get(int index) {
        return values[index];
    }

    public int size() {
        return size;
    }

    public void clear() {
        size = 0;
    }
}
