package dev.vitesse.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LayerNormTest {
    /** |y - ref| <= TOL * (1 + |ref|): a few float ulps of the normalised value (see LayerNorm's class comment). */
    private static final double TOL = 1e-6;

    private final int savedThreads = Parallel.threads();

    @AfterEach
    void restore() {
        Parallel.setThreads(savedThreads);
    }

    private static double check(int rows, int dim, int ldx, int ldy, boolean affine, boolean inPlace, double mean,
                                double std, int threads) {
        Parallel.setThreads(threads);
        SplittableRandom rnd = new SplittableRandom(dim * 7L + rows);
        int xOff = 3, yOff = inPlace ? 3 : 5;
        if (inPlace) ldy = ldx;
        float[] x = new float[xOff + (rows - 1) * ldx + dim + 2];
        for (int i = 0; i < x.length; i++) x[i] = (float) (mean + std * rnd.nextGaussian());
        float[] gamma = null, beta = null;
        if (affine) {
            gamma = new float[dim];
            beta = new float[dim];
            for (int i = 0; i < dim; i++) {
                gamma[i] = (float) rnd.nextDouble(0.5, 1.5);
                beta[i] = (float) rnd.nextDouble(-1, 1);
            }
        }
        float[] y = inPlace ? x.clone() : new float[yOff + (rows - 1) * ldy + dim + 1];
        float[] src = inPlace ? y : x;
        float eps = 1e-6f;
        LayerNorm.apply(src, xOff, y, yOff, rows, dim, ldx, ldy, gamma, beta, eps);
        double maxErr = 0;
        for (int r = 0; r < rows; r++) {
            double m = 0;
            for (int c = 0; c < dim; c++) m += x[xOff + r * ldx + c];
            m /= dim;
            double v = 0;
            for (int c = 0; c < dim; c++) v += (x[xOff + r * ldx + c] - m) * (x[xOff + r * ldx + c] - m);
            v /= dim;
            double rs = 1 / Math.sqrt(v + eps);
            for (int c = 0; c < dim; c++) {
                double ref = (x[xOff + r * ldx + c] - m) * rs;
                if (affine) ref = ref * gamma[c] + beta[c];
                double err = Math.abs(y[yOff + r * ldy + c] - ref) / (1 + Math.abs(ref));
                maxErr = Math.max(maxErr, err);
            }
        }
        assertThat(maxErr).as("rows=%d dim=%d mean=%s", rows, dim, mean).isLessThanOrEqualTo(TOL);
        return maxErr;
    }

    @Test
    void awkwardShapes() {
        double worst = 0;
        for (int dim : new int[] {1, 2, 7, 17, 64, 197, 768, 1000}) {
            worst = Math.max(worst, check(4, dim, dim, dim, false, false, 0, 1, 1));
            worst = Math.max(worst, check(3, dim, dim + 5, dim + 2, true, false, 0.5, 3, 1));
            worst = Math.max(worst, check(3, dim, dim + 1, 0, true, true, -2, 0.1, 1));
        }
        System.out.println("LayerNorm max error (relative to 1+|y|): " + worst);
    }

    @Test
    void largeMeanSmallSpreadHasNoCancellation() {
        // E[x^2]-E[x]^2 would lose everything here; the corrected two-pass keeps full accuracy
        double e = check(8, 768, 768, 768, false, false, 1000, 1, 1);
        System.out.println("LayerNorm error with mean 1000, std 1: " + e);
    }

    @Test
    void constantRowGivesBeta() {
        float[] x = new float[16];
        java.util.Arrays.fill(x, 3.25f);
        float[] beta = new float[16];
        for (int i = 0; i < 16; i++) beta[i] = i;
        float[] gamma = new float[16];
        java.util.Arrays.fill(gamma, 2f);
        LayerNorm.apply(x, 0, x, 0, 1, 16, gamma, beta, 1e-5f);
        for (int i = 0; i < 16; i++) assertThat(x[i]).isEqualTo((float) i);
    }

    @Test
    void parallelMatchesSerial() {
        check(197, 768, 768, 768, true, false, 0, 2, 2);
        check(197, 768, 800, 790, true, false, 0, 2, 2);
        check(64, 771, 771, 771, true, true, 0, 2, 2);
    }

    @Test
    void badArguments() {
        float[] x = new float[20];
        assertThatThrownBy(() -> LayerNorm.apply(x, 0, x, 0, 3, 7, null, null, 1e-5f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x too short");
        assertThatThrownBy(() -> LayerNorm.apply(x, 0, new float[5], 0, 2, 7, null, null, 1e-5f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("y too short");
        assertThatThrownBy(() -> LayerNorm.apply(x, 0, x, 0, 2, 7, new float[6], null, 1e-5f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gamma");
        assertThatThrownBy(() -> LayerNorm.apply(x, 0, x, 0, 2, 7, null, new float[6], 1e-5f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("beta");
        assertThatThrownBy(() -> LayerNorm.apply(x, 0, x, 0, -2, 7, null, null, 1e-5f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rows");
        assertThatThrownBy(() -> LayerNorm.apply(x, 0, x, 0, 2, 7, null, null, Float.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("eps");
        assertThatThrownBy(() -> LayerNorm.apply(x, 0, x, 0, 2, 7, 3, 7, null, null, 1e-5f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row stride of x");
    }

    @Test
    void outputOverlappingTheInputOtherThanExactlyInPlaceIsRejected() {
        float[] x = new float[40];
        // shifted by one element: rows were read after the previous row had overwritten them (silent garbage)
        assertThatThrownBy(() -> LayerNorm.apply(x, 0, x, 1, 3, 5, null, null, 1e-5f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("y overlaps x");
        assertThatThrownBy(() -> LayerNorm.apply(x, 0, x, 0, 3, 5, 5, 6, null, null, 1e-5f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("y overlaps x");
        // exactly in place, disjoint ranges and interleaved disjoint rows of one array are fine
        LayerNorm.apply(x, 0, x, 0, 3, 5, null, null, 1e-5f);
        LayerNorm.apply(x, 0, x, 15, 3, 5, null, null, 1e-5f);
        LayerNorm.apply(x, 0, x, 5, 3, 5, 10, 10, null, null, 1e-5f);
        LayerNorm.apply(x, 0, x, 0, 1, 5, 5, 9, null, null, 1e-5f);
    }
}
