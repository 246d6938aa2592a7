package dev.keel.rag.internal.store;

/**
 * Plain Java kernel: unrolled by four with independent accumulators so the CPU can overlap the
 * floating-point adds (a single accumulator serialises on add latency).
 */
public final class ScalarKernel implements Kernel {

    @Override
    public float dot(float[] a, int aOff, float[] b, int bOff, int dim) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int i = 0;
        int upper = dim & ~3;
        for (; i < upper; i += 4) {
            s0 += a[aOff + i] * b[bOff + i];
            s1 += a[aOff + i + 1] * b[bOff + i + 1];
            s2 += a[aOff + i + 2] * b[bOff + i + 2];
            s3 += a[aOff + i + 3] * b[bOff + i + 3];
        }
        for (; i < dim; i++) {
            s0 += a[aOff + i] * b[bOff + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /**
     * Four rows per pass: each query component is loaded once for four rows, and the four running sums
     * are independent, so the loop is bound by loads rather than by add latency.
     */
    @Override
    public void dots(float[] q, float[] data, int dim, int from, int to, float[] out) {
        int r = from;
        for (; r + 3 < to; r += 4) {
            int o0 = r * dim;
            int o1 = o0 + dim;
            int o2 = o1 + dim;
            int o3 = o2 + dim;
            float s0 = 0;
            float s1 = 0;
            float s2 = 0;
            float s3 = 0;
            for (int i = 0; i < dim; i++) {
                float x = q[i];
                s0 += x * data[o0 + i];
                s1 += x * data[o1 + i];
                s2 += x * data[o2 + i];
                s3 += x * data[o3 + i];
            }
            out[r - from] = s0;
            out[r + 1 - from] = s1;
            out[r + 2 - from] = s2;
            out[r + 3 - from] = s3;
        }
        for (; r < to; r++) {
            out[r - from] = dot(q, 0, data, r * dim, dim);
        }
    }

    @Override
    public void dots4(float[] q0, float[] q1, float[] q2, float[] q3, float[] data, int dim, int from, int to,
                      float[][] out) {
        float[] o0 = out[0];
        float[] o1 = out[1];
        float[] o2 = out[2];
        float[] o3 = out[3];
        for (int r = from; r < to; r++) {
            int off = r * dim;
            float s0 = 0;
            float s1 = 0;
            float s2 = 0;
            float s3 = 0;
            float t0 = 0;
            float t1 = 0;
            float t2 = 0;
            float t3 = 0;
            int i = 0;
            int upper = dim & ~1;
            for (; i < upper; i += 2) {
                float x = data[off + i];
                float y = data[off + i + 1];
                s0 += q0[i] * x;
                s1 += q1[i] * x;
                s2 += q2[i] * x;
                s3 += q3[i] * x;
                t0 += q0[i + 1] * y;
                t1 += q1[i + 1] * y;
                t2 += q2[i + 1] * y;
                t3 += q3[i + 1] * y;
            }
            for (; i < dim; i++) {
                float x = data[off + i];
                s0 += q0[i] * x;
                s1 += q1[i] * x;
                s2 += q2[i] * x;
                s3 += q3[i] * x;
            }
            o0[r - from] = s0 + t0;
            o1[r - from] = s1 + t1;
            o2[r - from] = s2 + t2;
            o3[r - from] = s3 + t3;
        }
    }


    @Override
    public float dotCodes(float[] q, byte[] codes, int off, int dim) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int i = 0;
        int upper = dim & ~3;
        for (; i < upper; i += 4) {
            s0 += q[i] * codes[off + i];
            s1 += q[i + 1] * codes[off + i + 1];
            s2 += q[i + 2] * codes[off + i + 2];
            s3 += q[i + 3] * codes[off + i + 3];
        }
        for (; i < dim; i++) {
            s0 += q[i] * codes[off + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public String toString() {
        return "ScalarKernel";
    }
}
