package dev.vitesse.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SoftmaxTest {
    /** Per-element bound: |p - ref| <= ABS + REL * ref (float logits rounding + exp error + float sum). */
    private static final double ABS = 1e-7, REL = 4e-6;

    private final int savedThreads = Parallel.threads();

    @AfterEach
    void restore() {
        Parallel.setThreads(savedThreads);
    }

    private static void check(int rows, int cols, int ld, int off, float scale, boolean withBias, int biasLd, int threads) {
        Parallel.setThreads(threads);
        SplittableRandom rnd = new SplittableRandom(rows * 31L + cols);
        float[] x = new float[off + Math.max(0, (rows - 1) * ld + cols) + 5];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextDouble(-8, 8);
        float[] bias = null;
        int biasOff = 3;
        if (withBias) {
            bias = new float[biasOff + Math.max(0, (rows - 1) * biasLd + cols)];
            for (int i = 0; i < bias.length; i++) {
                double u = rnd.nextDouble();
                bias[i] = u < 0.1 ? -1e9f : u < 0.15 ? Float.NEGATIVE_INFINITY : u < 0.2 ? -100f : (float) rnd.nextDouble(-3, 3);
            }
        }
        float[] y = x.clone();
        Softmax.rows(y, off, rows, cols, ld, scale, bias, biasOff, biasLd);
        for (int r = 0; r < rows; r++) {
            double[] z = new double[cols];
            for (int c = 0; c < cols; c++) {
                z[c] = (double) scale * x[off + r * ld + c] + (bias == null ? 0 : bias[biasOff + r * biasLd + c]);
            }
            double[] p = Ref.softmax(z);
            for (int c = 0; c < cols; c++) {
                float got = y[off + r * ld + c];
                assertThat(Math.abs(got - p[c])).as("row %d col %d (%dx%d)", r, c, rows, cols)
                        .isLessThanOrEqualTo(ABS + REL * p[c]);
            }
            for (int c = cols; c < ld && r < rows - 1; c++) assertThat(y[off + r * ld + c]).isEqualTo(x[off + r * ld + c]);
        }
        for (int i = 0; i < off; i++) assertThat(y[i]).isEqualTo(x[i]);
    }

    @Test
    void awkwardShapesAgainstDoubleReference() {
        int[] colsList = {1, 7, 8, 17, 49, 197, 1000};
        for (int cols : colsList) {
            check(5, cols, cols, 0, 1f, false, 0, 1);
            check(3, cols, cols + 3, 2, 0.125f, true, cols + 1, 1);
            check(4, cols, cols, 1, 1f, true, 0, 1); // one bias row broadcast to all rows
        }
    }

    @Test
    void largeMatrixOnOneAndTwoThreads() {
        check(300, 197, 200, 7, 0.3f, true, 197, 1);
        check(300, 197, 200, 7, 0.3f, true, 197, 2);
    }

    @Test
    void fullyMaskedRowIsZeroNotNaN() {
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
        float[] bias = new float[11];
        java.util.Arrays.fill(bias, Float.NEGATIVE_INFINITY);
        Softmax.rows(x, 0, 1, 11, 11, 1f, bias, 0, 11);
        for (float v : x) assertThat(v).isEqualTo(0f);
        float[] y = {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
        Softmax.rows(y, 0, 1, 3, 3);
        assertThat(y).containsExactly(0f, 0f, 0f);
        // large negative (finite) masks everywhere: uniform, as in PyTorch
        float[] z = {1, 2, 3};
        Softmax.rows(z, 0, 1, 3, 3, 1f, new float[] {-1e9f, -1e9f, -1e9f}, 0, 3);
        for (float v : z) assertThat((double) v).isCloseTo(1.0 / 3, org.assertj.core.data.Offset.offset(1e-6));
        float[] n = {1, Float.NaN, 3};
        Softmax.rows(n, 0, 1, 3, 3);
        assertThat(n[0]).isNaN();
    }

    @Test
    void extremeLogitsDoNotOverflow() {
        float[] x = {1e30f, 1e30f - 1e24f, -1e30f, 80f, 200f, 3e38f};
        Softmax.rows(x, 0, 1, 6, 6);
        assertThat(x[5]).isEqualTo(1f);
        assertThat(x[0]).isEqualTo(0f);
    }

    @Test
    void badArguments() {
        float[] x = new float[20];
        assertThatThrownBy(() -> Softmax.rows(x, 0, 3, 7, 7)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x too short");
        assertThatThrownBy(() -> Softmax.rows(x, 0, 2, 7, 5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row stride");
        assertThatThrownBy(() -> Softmax.rows(x, 0, -1, 7, 7)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rows");
        assertThatThrownBy(() -> Softmax.rows(null, 0, 1, 7, 7)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x is null");
        assertThatThrownBy(() -> Softmax.rows(x, 0, 2, 7, 7, 1f, new float[10], 0, 7))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bias too short");
        assertThatThrownBy(() -> Softmax.rows(x, 0, 2, 7, 7, 1f, new float[10], 0, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("biasLd");
    }
}
