package dev.vitesse.kernels.gemm;

import dev.vitesse.kernels.Activation;
import dev.vitesse.kernels.Gelu;
import dev.vitesse.kernels.Ref;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EpilogueMathTest {
    /** Double erf by the all-positive series (exact to ~1e-15 on [-6, 6]). */
    static double erfRef(double x) {
        double ax = Math.abs(x);
        if (ax > 6) return Math.signum(x);
        double term = ax, sum = ax;
        for (int n = 1; n < 500; n++) {
            term *= 2 * ax * ax / (2 * n + 1);
            sum += term;
            if (term < 1e-17 * sum) break;
        }
        return Math.copySign(Math.min(1.0, 2 / Math.sqrt(Math.PI) * Math.exp(-ax * ax) * sum), x);
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void activationTileMatchesDoubleReference(Activation act) {
        int rows = 3, cols = 20_001, ld = cols + 5;
        float[] c = new float[rows * ld + 2];
        float[] post = new float[cols + 40];
        for (int j = 0; j < post.length; j++) post[j] = 0.5f + (j % 7) * 0.25f;
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) c[1 + i * ld + j] = -10f + 20f * j / (cols - 1) + i * 1e-3f;
        float[] in = c.clone();
        EpilogueMath.activationTile(c, 1, ld, rows, cols, post, 3, act);
        double maxAbs = 0;
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) {
                double x = in[1 + i * ld + j];
                double ref = (act == Activation.GELU ? 0.5 * x * (1 + erfRef(x / Math.sqrt(2))) : Ref.activation(act, x))
                        * post[3 + j];
                maxAbs = Math.max(maxAbs, Math.abs(c[1 + i * ld + j] - ref) / post[3 + j]);
            }
        System.out.printf("EpilogueMath.activationTile (%s) on [-10, 10]: max abs err %.3g%n", act, maxAbs);
        // GELU(10) = 10 where one float ulp is 9.5e-7; the issue asks for 2e-6 absolute over [-10, 10].
        assertThat(maxAbs).isLessThan(switch (act) {
            case GELU -> Gelu.MAX_ABS_ERROR;
            case GELU_TANH -> Gelu.MAX_ABS_ERROR_TANH;
            case QUICK_GELU -> Gelu.MAX_ABS_ERROR_QUICK;
        });
        for (int j = 0; j < c.length; j++) {
            int rel = j - 1;
            if (rel < 0 || rel / ld >= rows || rel % ld >= cols) assertThat(c[j]).isEqualTo(in[j]);
        }
    }

    @Test
    void scalarGeluEdgeValues() {
        assertThat(dev.vitesse.kernels.Gelu.gelu(0f)).isEqualTo(0f);
        assertThat(dev.vitesse.kernels.Gelu.gelu(20f)).isEqualTo(20f);
        assertThat(dev.vitesse.kernels.Gelu.gelu(-20f)).isEqualTo(-0f);
        assertThat(dev.vitesse.kernels.Gelu.gelu(Float.NaN)).isNaN();
    }
}
