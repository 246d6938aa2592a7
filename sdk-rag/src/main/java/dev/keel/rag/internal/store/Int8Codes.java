package dev.keel.rag.internal.store;

import java.util.Arrays;

/**
 * Int8 codes of stored vectors: each row is scaled by its own factor {@code max|x| / 127} and rounded,
 * so {@code x ≈ scale * code}. Dot products of codes approximate fp32 dot products well enough to pick
 * candidates, which are then re-ranked exactly. Not thread-safe; guarded by the store's lock.
 */
public final class Int8Codes {
    private final int dimension;
    private final byte[] codes;
    private final float[] scales;

    public Int8Codes(int dimension, int capacity) {
        this(dimension, new byte[Math.multiplyExact(dimension, capacity)], new float[capacity]);
    }

    private Int8Codes(int dimension, byte[] codes, float[] scales) {
        this.dimension = dimension;
        this.codes = codes;
        this.scales = scales;
    }

    /** A copy with room for {@code capacity} rows. */
    public Int8Codes grow(int capacity) {
        return new Int8Codes(dimension, Arrays.copyOf(codes, capacity * dimension), Arrays.copyOf(scales, capacity));
    }

    /** Encodes {@code v[off, off+dimension)} as row {@code row}. */
    public void encode(int row, float[] v, int off) {
        float max = 0;
        for (int i = 0; i < dimension; i++) {
            max = Math.max(max, Math.abs(v[off + i]));
        }
        float scale = max == 0 ? 1 : max / 127f;
        int base = row * dimension;
        for (int i = 0; i < dimension; i++) {
            codes[base + i] = (byte) Math.round(v[off + i] / scale);
        }
        scales[row] = scale;
    }


    /**
     * Approximate dot products of the fp32 query with rows {@code [from, to)} into {@code out[r - from]}:
     * the codes are widened to floats on the fly, so only the stored side is quantized.
     */
    public void dots(Kernel kernel, float[] q, int from, int to, float[] out) {
        for (int row = from; row < to; row++) {
            out[row - from] = kernel.dotCodes(q, codes, row * dimension, dimension) * scales[row];
        }
    }
}
