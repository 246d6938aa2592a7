package dev.keel.rag.internal.store;

/** Validation of vectors coming into a store. */
public final class VectorChecks {
    private VectorChecks() {
    }

    /**
     * Rejects a vector of the wrong length or with a NaN or infinite component.
     *
     * @param what names the vector in the message, e.g. {@code entry 'doc-1'} or {@code query}
     */
    public static void check(float[] vector, int dimension, String what) {
        if (vector == null) {
            throw new NullPointerException(what + " vector is null");
        }
        if (vector.length != dimension) {
            throw new IllegalArgumentException(what + " has " + vector.length + " dimensions; this store holds "
                    + dimension + "-dimensional vectors");
        }
        for (int i = 0; i < vector.length; i++) {
            if (!Float.isFinite(vector[i])) {
                throw new IllegalArgumentException(what + " has " + vector[i] + " at index " + i
                        + "; only finite components are allowed");
            }
        }
    }

    /** Squared Euclidean norm. */
    public static float squaredNorm(float[] v, int off, int dim) {
        double s = 0;
        for (int i = 0; i < dim; i++) {
            s += (double) v[off + i] * v[off + i];
        }
        return (float) s;
    }

    /** A unit-length copy of {@code v}; rejects the zero vector (it has no direction). */
    public static float[] normalized(float[] v, String what) {
        double norm = Math.sqrt(squaredNorm(v, 0, v.length));
        if (norm == 0 || !Double.isFinite(norm)) {
            throw new IllegalArgumentException(what + " is the zero vector (or overflows); cosine similarity "
                    + "needs a non-zero vector");
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] / norm);
        }
        return out;
    }
}
