package dev.vitesse.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GeluTest {

    @Test
    void maxAbsoluteErrorOverMinus10To10() {
        int n = 2_000_001;
        float[] x = new float[n + 3];
        for (int i = 0; i < n; i++) x[i + 3] = (float) (-10.0 + 20.0 * i / (n - 1));
        float[] y = x.clone();
        Gelu.apply(y, 3, n); // odd offset/length: vector body + scalar tail; large: parallel path
        double maxAbs = 0;
        for (int i = 3; i < n + 3; i++) {
            double ref = Ref.gelu(x[i]);
            maxAbs = Math.max(maxAbs, Math.abs(y[i] - ref));
            maxAbs = Math.max(maxAbs, Math.abs(Gelu.gelu(x[i]) - ref));
        }
        System.out.println("GELU max absolute error on [-10, 10]: " + maxAbs);
        assertThat(maxAbs).isLessThanOrEqualTo(Gelu.MAX_ABS_ERROR).isGreaterThan(0);
        assertThat(y[0]).isEqualTo(0f); // untouched before the offset
    }

    /**
     * Max |act(x) - ref(x)| over 2M points of [-10, 10] through the vector path, checking that every lane equals the
     * scalar path bit for bit.
     */
    private static double vectorMaxAbsError(Activation act, java.util.function.DoubleUnaryOperator ref) {
        int n = 2_000_001, lanes = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        float[] x = new float[n + lanes], v = new float[lanes];
        for (int i = 0; i < n; i++) x[i] = (float) (-10.0 + 20.0 * i / (n - 1));
        double maxAbs = 0;
        for (int i = 0; i < n; i += lanes) {
            act.apply(jdk.incubator.vector.FloatVector.fromArray(jdk.incubator.vector.FloatVector.SPECIES_PREFERRED, x, i))
                    .intoArray(v, 0);
            for (int l = 0; l < lanes && i + l < n; l++) {
                maxAbs = Math.max(maxAbs, Math.abs(v[l] - ref.applyAsDouble(x[i + l])));
                if (Float.floatToIntBits(v[l]) != Float.floatToIntBits(act.apply(x[i + l])))
                    throw new AssertionError("vector and scalar " + act + " differ at x = " + x[i + l]);
            }
        }
        System.out.println(act + " max absolute error on [-10, 10]: " + maxAbs);
        return maxAbs;
    }

    @Test
    void tanhApproximationMaxAbsoluteErrorOverMinus10To10() {
        // against PyTorch's formula 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) in double
        assertThat(vectorMaxAbsError(Activation.GELU_TANH, Ref::geluTanh))
                .isLessThanOrEqualTo(Gelu.MAX_ABS_ERROR_TANH).isGreaterThan(0);
        // saturation and special values
        assertThat(Gelu.geluTanh(100f)).isEqualTo(100f);
        assertThat(Math.abs(Gelu.geluTanh(-100f))).isLessThan(1e-30f);
        assertThat(Gelu.geluTanh(0f)).isEqualTo(0f);
        assertThat(Gelu.geluTanh(Float.NaN)).isNaN();
        assertThat(Gelu.geluTanh(Float.POSITIVE_INFINITY)).isEqualTo(Float.POSITIVE_INFINITY);
        // the two forms differ by up to ~5e-4 (|x| < 3): the approximation is not the exact GELU
        assertThat(Math.abs(Gelu.geluTanh(1f) - Gelu.gelu(1f))).isGreaterThan(1e-5f);
    }

    @Test
    void quickGeluMaxAbsoluteErrorOverMinus10To10() {
        // against x sigmoid(1.702 x) in double
        assertThat(vectorMaxAbsError(Activation.QUICK_GELU, Ref::quickGelu))
                .isLessThanOrEqualTo(Gelu.MAX_ABS_ERROR_QUICK).isGreaterThan(0);
        assertThat(Gelu.quickGelu(100f)).isEqualTo(100f);
        assertThat(Math.abs(Gelu.quickGelu(-100f))).isLessThan(1e-30f);
        assertThat(Gelu.quickGelu(0f)).isEqualTo(0f);
        assertThat(Gelu.quickGelu(Float.NaN)).isNaN();
        assertThat(Gelu.quickGelu(Float.POSITIVE_INFINITY)).isEqualTo(Float.POSITIVE_INFINITY);
        // QuickGELU is a different function from GELU: at x = 1, 0.8458 vs 0.8413
        assertThat(Math.abs(Gelu.quickGelu(1f) - Gelu.gelu(1f))).isGreaterThan(1e-3f);
    }

    @Test
    void smallLengthsAndSpecialValues() {
        for (int len = 0; len < 20; len++) {
            float[] x = new float[len + 2];
            for (int i = 0; i < x.length; i++) x[i] = i - 5.5f;
            float[] y = x.clone();
            Gelu.apply(y, 1, len);
            assertThat(y[0]).isEqualTo(x[0]);
            assertThat(y[len + 1]).isEqualTo(x[len + 1]);
            for (int i = 1; i <= len; i++) assertThat((double) y[i]).isCloseTo(Ref.gelu(x[i]), org.assertj.core.data.Offset.offset(2e-6));
        }
        assertThat(Gelu.gelu(Float.NaN)).isNaN();
        assertThat(Gelu.gelu(Float.POSITIVE_INFINITY)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Gelu.gelu(0f)).isEqualTo(0f);
        assertThat(Gelu.gelu(100f)).isEqualTo(100f);
        assertThat(Math.abs(Gelu.gelu(-100f))).isLessThan(1e-6f);
    }

    @Test
    void badArguments() {
        float[] x = new float[8];
        assertThatThrownBy(() -> Gelu.apply(null, 0, 1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x");
        assertThatThrownBy(() -> Gelu.apply(x, 4, 5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too short");
        assertThatThrownBy(() -> Gelu.apply(x, -1, 2)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offset");
    }
}
