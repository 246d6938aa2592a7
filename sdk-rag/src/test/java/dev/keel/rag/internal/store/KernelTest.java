package dev.keel.rag.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class KernelTest {
    private final Kernel scalar = Kernels.scalar();
    private final Kernel best = Kernels.best();

    @Test
    void vectorApiKernelIsUsedWhenTheModuleIsPresent() {
        // the test JVM runs with --add-modules jdk.incubator.vector (see the pom)
        assertThat(best.name()).startsWith("vector-api-");
    }

    @Property(tries = 200)
    void kernelsAgreeWithDoublePrecision(@ForAll long seed, @ForAll @IntRange(min = 1, max = 200) int dim,
                                         @ForAll @IntRange(min = 1, max = 9) int rows) {
        Random rnd = new Random(seed);
        float[] data = new float[rows * dim];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) rnd.nextGaussian();
        }
        float[][] q = new float[4][dim];
        for (float[] qi : q) {
            for (int i = 0; i < dim; i++) {
                qi[i] = (float) rnd.nextGaussian();
            }
        }
        float[][] outScalar = new float[4][rows];
        float[][] outBest = new float[4][rows];
        scalar.dots4(q[0], q[1], q[2], q[3], data, dim, 0, rows, outScalar);
        best.dots4(q[0], q[1], q[2], q[3], data, dim, 0, rows, outBest);
        float[] single = new float[rows];
        best.dots(q[2], data, dim, 0, rows, single);
        float[] singleScalar = new float[rows + 1];
        scalar.dots(q[2], data, dim, 0, rows, singleScalar);
        for (int j = 0; j < 4; j++) {
            for (int r = 0; r < rows; r++) {
                double exact = 0;
                for (int i = 0; i < dim; i++) {
                    exact += (double) q[j][i] * data[r * dim + i];
                }
                double tol = 1e-4 * Math.sqrt(dim) * 4;
                assertThat((double) outScalar[j][r]).isCloseTo(exact, within(tol));
                assertThat((double) outBest[j][r]).isCloseTo(exact, within(tol));
                assertThat((double) scalar.dot(q[j], 0, data, r * dim, dim)).isCloseTo(exact, within(tol));
                assertThat((double) best.dot(q[j], 0, data, r * dim, dim)).isCloseTo(exact, within(tol));
            }
        }
        for (int r = 0; r < rows; r++) {
            assertThat(single[r]).isEqualTo(outBest[2][r], within(1e-3f));
            assertThat(singleScalar[r]).isEqualTo(outScalar[2][r], within(1e-3f));
        }
        byte[] codes = new byte[dim + 3];
        rnd.nextBytes(codes);
        double exactCodes = 0;
        for (int i = 0; i < dim; i++) {
            exactCodes += (double) q[1][i] * codes[3 + i];
        }
        double tolCodes = 1e-4 * Math.sqrt(dim) * 128 * 4;
        assertThat((double) scalar.dotCodes(q[1], codes, 3, dim)).isCloseTo(exactCodes, within(tolCodes));
        assertThat((double) best.dotCodes(q[1], codes, 3, dim)).isCloseTo(exactCodes, within(tolCodes));
    }
}
