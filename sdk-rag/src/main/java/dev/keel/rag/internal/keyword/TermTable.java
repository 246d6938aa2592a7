package dev.keel.rag.internal.keyword;

import java.util.Arrays;

/**
 * Terms to dense ids, without a {@code String} per lookup: term characters live in one pool and an
 * open-addressing table maps a slice of characters to its id. Not thread-safe while terms are added;
 * lookups on a finished table are safe from many threads.
 */
final class TermTable {
    private char[] pool = new char[1 << 16];
    private int poolSize;
    private int[] offsets = new int[1024];
    private int[] lengths = new int[1024];
    private int[] hashes = new int[1024];
    private int[] slots = new int[2048];
    private int size;

    TermTable() {
        Arrays.fill(slots, -1);
    }

    int size() {
        return size;
    }

    /** The id of the term, or -1 when it is not in the table. */
    int find(char[] chars, int offset, int length) {
        int hash = hash(chars, offset, length);
        int mask = slots.length - 1;
        for (int slot = hash & mask; ; slot = (slot + 1) & mask) {
            int id = slots[slot];
            if (id < 0) {
                return -1;
            }
            if (hashes[id] == hash && equal(id, chars, offset, length)) {
                return id;
            }
        }
    }

    /** The id of the term, added when new. */
    int add(char[] chars, int offset, int length) {
        int hash = hash(chars, offset, length);
        int mask = slots.length - 1;
        int slot = hash & mask;
        for (; ; slot = (slot + 1) & mask) {
            int id = slots[slot];
            if (id < 0) {
                break;
            }
            if (hashes[id] == hash && equal(id, chars, offset, length)) {
                return id;
            }
        }
        int id = size++;
        if (id == offsets.length) {
            offsets = Arrays.copyOf(offsets, id * 2);
            lengths = Arrays.copyOf(lengths, id * 2);
            hashes = Arrays.copyOf(hashes, id * 2);
        }
        if (poolSize + length > pool.length) {
            pool = Arrays.copyOf(pool, Math.max(pool.length * 2, poolSize + length));
        }
        System.arraycopy(chars, offset, pool, poolSize, length);
        offsets[id] = poolSize;
        lengths[id] = length;
        hashes[id] = hash;
        poolSize += length;
        slots[slot] = id;
        if (size * 2 > slots.length) {
            rehash();
        }
        return id;
    }

    private void rehash() {
        int[] bigger = new int[slots.length * 2];
        Arrays.fill(bigger, -1);
        int mask = bigger.length - 1;
        for (int id = 0; id < size; id++) {
            int slot = hashes[id] & mask;
            while (bigger[slot] >= 0) {
                slot = (slot + 1) & mask;
            }
            bigger[slot] = id;
        }
        slots = bigger;
    }

    private boolean equal(int id, char[] chars, int offset, int length) {
        if (lengths[id] != length) {
            return false;
        }
        int base = offsets[id];
        for (int i = 0; i < length; i++) {
            if (pool[base + i] != chars[offset + i]) {
                return false;
            }
        }
        return true;
    }

    private static int hash(char[] chars, int offset, int length) {
        int h = 0;
        for (int i = 0; i < length; i++) {
            h = 31 * h + chars[offset + i];
        }
        return h ^ (h >>> 16);
    }
}
