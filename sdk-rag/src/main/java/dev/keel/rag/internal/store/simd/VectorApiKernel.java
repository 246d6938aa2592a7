package dev.keel.rag.internal.store.simd;

import dev.keel.rag.internal.store.Kernel;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernel on the JDK's Vector API (incubator module {@code jdk.incubator.vector}). This class is only
 * loaded when that module is in the boot layer ({@code --add-modules jdk.incubator.vector}); otherwise
 * loading fails and {@link dev.keel.rag.internal.store.Kernels} uses the scalar kernel.
 */
public final class VectorApiKernel implements Kernel {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Bytes that widen to one float vector: 16 for 512-bit floats, 8 for 256-bit; null otherwise. */
    private static final VectorSpecies<Byte> BYTES_PER_FLOAT_VECTOR = F.length() == 16 ? ByteVector.SPECIES_128
            : F.length() == 8 ? ByteVector.SPECIES_64 : null;

    @Override
    public float dot(float[] a, int aOff, float[] b, int bOff, int dim) {
        int len = F.length();
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int i = 0;
        int upper2 = dim - 2 * len;
        for (; i <= upper2; i += 2 * len) {
            acc0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
            acc1 = FloatVector.fromArray(F, a, aOff + i + len).fma(FloatVector.fromArray(F, b, bOff + i + len), acc1);
        }
        for (; i <= dim - len; i += len) {
            acc0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < dim; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    @Override
    public void dots4(float[] q0, float[] q1, float[] q2, float[] q3, float[] data, int dim, int from, int to,
                      float[][] out) {
        int len = F.length();
        int upper = dim - len;
        for (int r = from; r < to; r++) {
            int off = r * dim;
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            FloatVector a2 = FloatVector.zero(F);
            FloatVector a3 = FloatVector.zero(F);
            int i = 0;
            for (; i <= upper; i += len) {
                FloatVector x = FloatVector.fromArray(F, data, off + i);
                a0 = FloatVector.fromArray(F, q0, i).fma(x, a0);
                a1 = FloatVector.fromArray(F, q1, i).fma(x, a1);
                a2 = FloatVector.fromArray(F, q2, i).fma(x, a2);
                a3 = FloatVector.fromArray(F, q3, i).fma(x, a3);
            }
            float s0 = a0.reduceLanes(VectorOperators.ADD);
            float s1 = a1.reduceLanes(VectorOperators.ADD);
            float s2 = a2.reduceLanes(VectorOperators.ADD);
            float s3 = a3.reduceLanes(VectorOperators.ADD);
            for (; i < dim; i++) {
                float x = data[off + i];
                s0 += q0[i] * x;
                s1 += q1[i] * x;
                s2 += q2[i] * x;
                s3 += q3[i] * x;
            }
            out[0][r - from] = s0;
            out[1][r - from] = s1;
            out[2][r - from] = s2;
            out[3][r - from] = s3;
        }
    }


    @Override
    public float dotCodes(float[] q, byte[] codes, int off, int dim) {
        // widen 16 (or 8, 4) bytes straight to floats and FMA with the fp32 query
        int len = F.length();
        VectorSpecies<Byte> bytes = BYTES_PER_FLOAT_VECTOR;
        if (bytes == null) {
            float sum = 0;
            for (int i = 0; i < dim; i++) {
                sum += q[i] * codes[off + i];
            }
            return sum;
        }
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int i = 0;
        for (; i <= dim - 2 * len; i += 2 * len) {
            FloatVector x0 = (FloatVector) ByteVector.fromArray(bytes, codes, off + i)
                    .convertShape(VectorOperators.B2F, F, 0);
            FloatVector x1 = (FloatVector) ByteVector.fromArray(bytes, codes, off + i + len)
                    .convertShape(VectorOperators.B2F, F, 0);
            acc0 = FloatVector.fromArray(F, q, i).fma(x0, acc0);
            acc1 = FloatVector.fromArray(F, q, i + len).fma(x1, acc1);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < dim; i++) {
            sum += q[i] * codes[off + i];
        }
        return sum;
    }

    @Override
    public String name() {
        return "vector-api-" + F.vectorBitSize();
    }

    @Override
    public String toString() {
        return "VectorApiKernel[" + F + "]";
    }
}
