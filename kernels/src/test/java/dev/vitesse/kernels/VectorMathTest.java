package dev.vitesse.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class VectorMathTest {
    @Test
    void sumLanesFoldsInOneFixedPairwiseOrder() {
        // the fixed order (lane i + lane i ^ d, d = L/2 .. 1) written out in scalar code must match bit for bit, so the
        // sum cannot depend on the JIT tier the way reduceLanes(ADD) does
        int len = VectorMath.F.length();
        SplittableRandom r = new SplittableRandom(3);
        for (int t = 0; t < 200; t++) {
            float[] x = new float[len];
            for (int i = 0; i < len; i++) x[i] = (float) (r.nextDouble(-1, 1) * Math.pow(10, r.nextInt(-3, 4)));
            float[] f = x.clone();
            for (int d = len / 2; d >= 1; d /= 2) {
                float[] g = new float[len];
                for (int i = 0; i < len; i++) g[i] = f[i] + f[i ^ d];
                f = g;
            }
            float got = VectorMath.sumLanes(jdk.incubator.vector.FloatVector.fromArray(VectorMath.F, x, 0));
            assertThat(Float.floatToIntBits(got)).as("trial " + t).isEqualTo(Float.floatToIntBits(f[0]));
        }
    }


    @Test
    void expMaxRelativeErrorOverNormalRange() {
        // every input on a dense grid + random ones, through the vector path (array API) and the scalar path
        int n = 1_000_003;
        float[] x = new float[n];
        SplittableRandom rnd = new SplittableRandom(1);
        for (int i = 0; i < n; i++) {
            x[i] = i % 2 == 0 ? (float) (-87.0 + 175.7 * i / n) : (float) rnd.nextDouble(-87.3, 88.7);
        }
        float[] y = new float[n];
        VectorMath.exp(x, 0, y, 0, n);
        double maxRel = 0;
        for (int i = 0; i < n; i++) {
            double ref = Math.exp(x[i]);
            maxRel = Math.max(maxRel, Math.abs(y[i] - ref) / ref);
            maxRel = Math.max(maxRel, Math.abs(VectorMath.exp(x[i]) - ref) / ref);
        }
        System.out.println("exp max relative error: " + maxRel);
        assertThat(maxRel).isLessThanOrEqualTo(VectorMath.EXP_MAX_REL_ERROR);
        assertThat(maxRel).isGreaterThan(0); // the measurement measured something
    }

    @Test
    void expSpecialValues() {
        float[] x = {Float.NEGATIVE_INFINITY, -1000f, -104f, -110f, 0f, -0f, 1f, 88.72f, 88.73f, 100f,
                Float.POSITIVE_INFINITY, Float.NaN, -87.5f, -95f, 1e-8f, -1e-8f};
        float[] y = new float[x.length];
        VectorMath.exp(x, 0, y, 0, x.length);
        for (int i = 0; i < x.length; i++) {
            float s = VectorMath.exp(x[i]);
            float v = y[i];
            double ref = Math.exp(x[i]);
            if (Double.isNaN(ref)) {
                assertThat(v).isNaN();
                assertThat(s).isNaN();
            } else if (ref > Float.MAX_VALUE) {
                assertThat(v).isEqualTo(Float.POSITIVE_INFINITY);
                assertThat(s).isEqualTo(Float.POSITIVE_INFINITY);
            } else if (ref < Float.MIN_NORMAL) {
                // subnormal range: absolute error within a couple of subnormal ulps
                assertThat(Math.abs(v - ref)).as("exp(%s)", x[i]).isLessThan(4 * Float.MIN_VALUE);
                assertThat(Math.abs(s - ref)).as("exp(%s)", x[i]).isLessThan(4 * Float.MIN_VALUE);
            } else {
                assertThat(Math.abs(v - ref) / ref).as("exp(%s)", x[i]).isLessThan(VectorMath.EXP_MAX_REL_ERROR);
                assertThat(s).isEqualTo(v);
            }
        }
        assertThat(VectorMath.exp(Float.NEGATIVE_INFINITY)).isEqualTo(0f);
        assertThat(VectorMath.exp(0f)).isEqualTo(1f);
    }

    @Test
    void expSoftmaxMatchesExpOnItsDomain() {
        int n = 400_003;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (-87.3 * i / (n - 1));
        double maxRel = 0;
        int bound = VectorMath.F.loopBound(n);
        float[] y = new float[n];
        for (int i = 0; i < bound; i += VectorMath.F.length()) {
            VectorMath.expSoftmax(jdk.incubator.vector.FloatVector.fromArray(VectorMath.F, x, i)).intoArray(y, i);
        }
        for (int i = bound; i < n; i++) y[i] = VectorMath.expSoftmax(x[i]);
        for (int i = 0; i < n; i++) {
            double ref = Math.exp(x[i]);
            maxRel = Math.max(maxRel, Math.abs(y[i] - ref) / ref);
            assertThat(VectorMath.expSoftmax(x[i])).isEqualTo(y[i]); // scalar == vector, bit for bit
        }
        System.out.println("expSoftmax max relative error on [-87.3, 0]: " + maxRel);
        assertThat(maxRel).isLessThanOrEqualTo(VectorMath.EXP_MAX_REL_ERROR);
        float[] special = {Float.NEGATIVE_INFINITY, -1e9f, -87.4f, -200f, Float.NaN, 0f, -0f, 10f};
        float[] out = new float[special.length];
        for (int i = 0; i < special.length; i++) out[i] = VectorMath.expSoftmax(special[i]);
        assertThat(out[0]).isEqualTo(0f);
        assertThat(out[1]).isEqualTo(0f);
        assertThat(out[2]).isEqualTo(0f);
        assertThat(out[3]).isEqualTo(0f);
        assertThat(out[4]).isNaN();
        assertThat(out[5]).isEqualTo(1f);
        assertThat(out[6]).isEqualTo(1f);
        assertThat((double) out[7]).isCloseTo(Math.exp(10), org.assertj.core.data.Offset.offset(Math.exp(10) * 2e-7));
    }

    @Test
    void erfMaxAbsoluteError() {
        int n = 1_000_001;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (-7.0 + 14.0 * i / (n - 1));
        float[] y = new float[n];
        VectorMath.erf(x, 0, y, 0, n);
        double maxAbs = 0;
        for (int i = 0; i < n; i++) {
            double ref = Ref.erf(x[i]);
            maxAbs = Math.max(maxAbs, Math.abs(y[i] - ref));
            maxAbs = Math.max(maxAbs, Math.abs(VectorMath.erf(x[i]) - ref));
        }
        System.out.println("erf max absolute error: " + maxAbs);
        assertThat(maxAbs).isLessThanOrEqualTo(VectorMath.ERF_MAX_ABS_ERROR).isGreaterThan(0);
        assertThat(VectorMath.erf(Float.NaN)).isNaN();
        assertThat(VectorMath.erf(Float.POSITIVE_INFINITY)).isEqualTo(1f);
        assertThat(VectorMath.erf(Float.NEGATIVE_INFINITY)).isEqualTo(-1f);
    }

    @Test
    void referenceErfIsAccurate() {
        // spot values of erf (Abramowitz & Stegun table / mpmath)
        assertThat(Ref.erf(0.5)).isCloseTo(0.5204998778130465, org.assertj.core.data.Offset.offset(1e-14));
        assertThat(Ref.erf(1.0)).isCloseTo(0.8427007929497149, org.assertj.core.data.Offset.offset(1e-14));
        assertThat(Ref.erf(2.5)).isCloseTo(0.9995930479825550, org.assertj.core.data.Offset.offset(1e-14));
        assertThat(Ref.erf(3.5)).isCloseTo(0.9999992569016276, org.assertj.core.data.Offset.offset(1e-14));
    }

    @Test
    void arrayApiChecksArguments() {
        float[] a = new float[10];
        assertThatThrownBy(() -> VectorMath.exp(a, 5, a, 0, 6)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("src");
        assertThatThrownBy(() -> VectorMath.exp(a, 0, a, 5, 6)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dst");
        assertThatThrownBy(() -> VectorMath.erf(null, 0, a, 0, 1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("src");
        assertThatThrownBy(() -> VectorMath.erf(a, 0, a, 0, -1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("length");
    }
}
