package dev.vitesse.kernels;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class BatchNormTest {
    @Test
    void foldedConvEqualsConvThenBatchNorm() {
        Random rnd = new Random(5);
        int cin = 6, cout = 11, h = 9, w = 7, k = 3;
        float[] x = ConvReference.random(rnd, cin * h * w), wt = ConvReference.random(rnd, cout * cin * k * k);
        float[] bias = ConvReference.random(rnd, cout);
        float[] gamma = ConvReference.random(rnd, cout), beta = ConvReference.random(rnd, cout);
        float[] mean = ConvReference.random(rnd, cout), var = new float[cout];
        for (int i = 0; i < cout; i++) var[i] = 0.1f + rnd.nextFloat() * 3;
        float eps = 1e-5f;
        BatchNorm bn = BatchNorm.of(gamma, beta, mean, var, eps);
        float[][] folded = bn.foldIntoConv(wt, bias);
        Conv2d conv = Conv2d.of(folded[0], folded[1], cin, cout, k, 2, 1, Conv2d.InputLayout.NCHW);
        float[] y = new float[conv.outH(h) * conv.outW(w) * cout];
        conv.apply(x, 0, h, w, y, 0);
        double[][] ref = ConvReference.conv2d(x, cin, h, w, wt, bias, cout, k, k, 2, 2, 1, 1);
        for (int i = 0; i < y.length; i++) {
            int co = i % cout;
            double inv = 1 / Math.sqrt(var[co] + (double) eps);
            double want = (ref[0][i] - mean[co]) * inv * gamma[co] + beta[co];
            double tol = 1e-6 * (ref[1][i] * Math.abs(gamma[co]) * inv + Math.abs(mean[co] * gamma[co] * inv) + Math.abs(beta[co]) + 1);
            assertThat((double) y[i]).as("index %d", i).isCloseTo(want, within(tol));
        }
    }

    @Test
    void applyNhwcWithRelu() {
        Random rnd = new Random(6);
        int c = 13, rows = 5, ld = 17;
        float[] gamma = ConvReference.random(rnd, c), beta = ConvReference.random(rnd, c), mean = ConvReference.random(rnd, c);
        float[] var = new float[c];
        for (int i = 0; i < c; i++) var[i] = 0.5f + rnd.nextFloat();
        BatchNorm bn = BatchNorm.of(gamma, beta, mean, var, 1e-5f);
        float[] x = ConvReference.random(rnd, rows * ld);
        float[] orig = x.clone();
        bn.applyNhwc(x, 0, rows, ld, true);
        for (int r = 0; r < rows; r++) for (int j = 0; j < ld; j++) {
            int i = r * ld + j;
            if (j >= c) {
                assertThat(x[i]).isEqualTo(orig[i]); // padding columns untouched
                continue;
            }
            double v = (orig[i] - mean[j]) / Math.sqrt(var[j] + 1e-5) * gamma[j] + beta[j];
            assertThat((double) x[i]).isCloseTo(Math.max(v, 0), within(1e-5 * (1 + Math.abs(v))));
        }
    }

    @Test
    void rejectsBadParameters() {
        assertThatThrownBy(() -> BatchNorm.of(null, null, new float[3], new float[2], 1e-5f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lengths differ");
        assertThatThrownBy(() -> BatchNorm.of(null, null, new float[1], new float[] {-1f}, 1e-5f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("running_var[0]");
        BatchNorm bn = BatchNorm.of(null, null, new float[3], new float[] {1, 1, 1}, 0f);
        assertThatThrownBy(() -> bn.foldIntoConv(new float[7], null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a multiple");
    }

    @Test
    void nullNegativeRowsAndZeroChannelsAreHandled() {
        assertThatThrownBy(() -> BatchNorm.of(null, null, null, new float[1], 1e-5f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("running_mean");
        BatchNorm bn = BatchNorm.of(null, null, new float[3], new float[] {1, 1, 1}, 0f);
        assertThatThrownBy(() -> bn.foldIntoConv(null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weight");
        // negative rows were silently accepted (and a null array with them)
        assertThatThrownBy(() -> bn.applyNhwc(new float[9], 0, -1, 3, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rows");
        assertThatThrownBy(() -> bn.applyNhwc(null, 0, 0, 3, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null");
        bn.applyNhwc(new float[9], 0, 3, 3, false);
        assertThatThrownBy(() -> bn.applyNhwc(new float[8], 0, 3, 3, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too short");
        // zero channels: folding divided by zero (ArithmeticException)
        BatchNorm none = BatchNorm.of(null, null, new float[0], new float[0], 1e-5f);
        assertThat(none.foldIntoConv(new float[0], null)[0]).isEmpty();
        assertThatThrownBy(() -> none.foldIntoConv(new float[3], null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a multiple");
    }
}
