package dev.keel.rag.internal.store;

/**
 * Dot products over contiguous row-major storage. Implementations are stateless and thread-safe.
 */
public interface Kernel {

    /** Dot product of {@code a[aOff, aOff+dim)} and {@code b[bOff, bOff+dim)}. */
    float dot(float[] a, int aOff, float[] b, int bOff, int dim);

    /** {@code out[r - from] = q · row(r)} for rows {@code [from, to)}. */
    default void dots(float[] q, float[] data, int dim, int from, int to, float[] out) {
        for (int r = from; r < to; r++) {
            out[r - from] = dot(q, 0, data, r * dim, dim);
        }
    }

    /**
     * Four queries against rows {@code [from, to)} in one pass over the data:
     * {@code out[j][r - from] = qj · row(r)}.
     */
    void dots4(float[] q0, float[] q1, float[] q2, float[] q3, float[] data, int dim, int from, int to,
               float[][] out);

    /** Dot product of a float query with int8 codes {@code codes[off, off+dim)} (unscaled). */
    float dotCodes(float[] q, byte[] codes, int off, int dim);

    /** Name for logs and benchmarks. */
    String name();
}
