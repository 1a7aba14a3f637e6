package dev.vitesse.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectorised {@code exp} and {@code erf} for float, plus scalar versions that evaluate the very same
 * formulas (used for loop tails so that every element of an array gets the same rounding).
 *
 * <h2>exp</h2>
 * Cody-Waite range reduction {@code x = n ln2 + r}, |r| <= ln2/2, a degree-6 minimax polynomial for
 * {@code e^r} (the Cephes {@code expf} coefficients) and a two-step scale by {@code 2^n} (split as
 * {@code 2^(n>>1) * 2^(n - (n>>1))} so that both factors are normal floats: results that are subnormal
 * come out right instead of flushing, and overflow yields +Infinity).
 * Special values: {@code exp(-Inf) = 0}, {@code x < -103.98} gives 0 (or the correctly tiny subnormal),
 * {@code x > 88.7228} gives +Infinity, NaN gives NaN.
 * Maximum relative error over the normal range, measured by {@code VectorMathTest} against
 * {@link Math#exp}: {@value #EXP_MAX_REL_ERROR} (measured 8.2e-8, i.e. about 0.7 ulp).
 *
 * <h2>erf</h2>
 * Odd rational approximation {@code x P(x^2) / Q(x^2)} (degree 13 / 8; the coefficients used by Eigen and
 * XNNPACK) on [-4, 4], clamped outside (erf(4) rounds to 1 in float). Maximum absolute error measured
 * by {@code VectorMathTest} against a double reference: {@value #ERF_MAX_ABS_ERROR} (measured 3.3e-7, a few ulp of 1, dominated by float rounding
 * of the rational function near |erf| = 1).
 *
 * <p>The {@code FloatVector} overloads are meant to be called from other kernels' hot loops: they are
 * small static methods that C2 inlines (a non-inlined call would box the vectors).
 */
public final class VectorMath {
    private VectorMath() {}

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    /** Lane permutations i -> i ^ d for d = L/2, L/4, ..., 1 (the folding steps of {@link #sumLanes}). */
    private static final VectorShuffle<Float>[] FOLD = foldShuffles();

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] foldShuffles() {
        int steps = Integer.numberOfTrailingZeros(F.length());
        VectorShuffle<Float>[] f = new VectorShuffle[steps];
        for (int k = 0; k < steps; k++) {
            int d = F.length() >> (k + 1);
            f[k] = VectorShuffle.fromOp(F, i -> i ^ d);
        }
        return f;
    }

    /**
     * Sum of the lanes of {@code v} (species {@link #F}) in one fixed pairwise order. {@code reduceLanes(ADD)} leaves
     * the order open, and the interpreter / C1 (lane by lane) and C2 round differently: a model's logits then changed
     * in the last bits once C2 had compiled the caller. Lane-wise adds of v and a permutation of v round the same way
     * in every tier.
     */
    static float sumLanes(FloatVector v) {
        for (VectorShuffle<Float> s : FOLD) v = v.add(v.rearrange(s));
        return v.lane(0);
    }

    /** Documented bound for {@link #exp}: maximum relative error vs the exact value (tested). */
    public static final double EXP_MAX_REL_ERROR = 1.5e-7;
    /** Documented bound for {@link #erf}: maximum absolute error vs the exact value (tested). */
    public static final double ERF_MAX_ABS_ERROR = 4.0e-7;

    // ---- exp constants
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;          // few mantissa bits: n*LN2_HI is exact
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5 * 2^23: adding it rounds to an integer that ends up in the low mantissa bits. */
    private static final float ROUND_MAGIC = 12582912f;
    private static final int ROUND_MAGIC_BITS = 0x4B400000;
    /** Inputs are clamped into [EXP_LO, EXP_HI]: below, the result rounds to 0; above, it overflows to Inf. */
    private static final float EXP_LO = -110f;
    private static final float EXP_HI = 89f;
    private static final float P0 = 1.9875691500E-4f;
    private static final float P1 = 1.3981999507E-3f;
    private static final float P2 = 8.3334519073E-3f;
    private static final float P3 = 4.1665795894E-2f;
    private static final float P4 = 1.6666665459E-1f;
    private static final float P5 = 5.0000001201E-1f;

    // ---- erf constants: erf(x) = x * A(x^2) / B(x^2) on [-4, 4]
    private static final float ERF_CLAMP = 4f;
    private static final float A13 = -2.72614225801306e-10f;
    private static final float A11 = 2.77068142495902e-08f;
    private static final float A9 = -2.10102402082508e-06f;
    private static final float A7 = -5.69250639462346e-05f;
    private static final float A5 = -7.34990630326855e-04f;
    private static final float A3 = -2.95459980854025e-03f;
    private static final float A1 = -1.60960333262415e-02f;
    private static final float B8 = -1.45660718464996e-05f;
    private static final float B6 = -2.13374055278905e-04f;
    private static final float B4 = -1.68282697438203e-03f;
    private static final float B2 = -7.37332916720468e-03f;
    private static final float B0 = -1.42647390514189e-02f;

    /** Lane-wise e^x. See the class comment for accuracy and special values. */
    public static FloatVector exp(FloatVector x) {
        // clamp with compare+blend (not min/max): NaN compares false and so passes through
        x = x.blend(EXP_LO, x.lt(EXP_LO)).blend(EXP_HI, x.compare(VectorOperators.GT, EXP_HI));
        FloatVector t = x.fma(LOG2E, ROUND_MAGIC);
        FloatVector n = t.sub(ROUND_MAGIC);
        IntVector ni = t.reinterpretAsInts().sub(ROUND_MAGIC_BITS);
        FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_HI), x);
        r = n.fma(FloatVector.broadcast(F, -LN2_LO), r);
        FloatVector p = r.fma(P0, P1).fma(r, FloatVector.broadcast(F, P2)).fma(r, FloatVector.broadcast(F, P3))
                .fma(r, FloatVector.broadcast(F, P4)).fma(r, FloatVector.broadcast(F, P5));
        FloatVector r2 = r.mul(r);
        p = p.fma(r2, r).add(1f);
        IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
        IntVector n2 = ni.sub(n1);
        FloatVector s1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(s1).mul(s2);
    }

    /** Below this, {@link #expSoftmax} returns 0 (e^-87.33 = 2^-126, the smallest normal float). */
    private static final float EXP_NORMAL_LO = -87.33654f;
    private static final int ONE_BITS = 0x3F800000;

    /**
     * Lane-wise e^x for the softmax domain {@code x <= 88} (in practice {@code x = s - max <= 0}): the same
     * reduction and polynomial as {@link #exp(FloatVector)}, hence the same {@value #EXP_MAX_REL_ERROR}
     * relative error for normal results, but a single-step scale by 2^n and no overflow handling, about
     * a third fewer instructions. Results below 2^-126 (x < -87.34, including -Infinity) are 0; NaN stays NaN.
     */
    public static FloatVector expSoftmax(FloatVector x) {
        var tiny = x.lt(EXP_NORMAL_LO);
        x = x.blend(EXP_NORMAL_LO, tiny);
        FloatVector t = x.fma(LOG2E, ROUND_MAGIC);
        FloatVector n = t.sub(ROUND_MAGIC);
        FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_HI), x);
        r = n.fma(FloatVector.broadcast(F, -LN2_LO), r);
        FloatVector p = r.fma(P0, P1).fma(r, FloatVector.broadcast(F, P2)).fma(r, FloatVector.broadcast(F, P3))
                .fma(r, FloatVector.broadcast(F, P4)).fma(r, FloatVector.broadcast(F, P5));
        p = p.fma(r.mul(r), r).add(1f);
        // bits(t) = 0x4B400000 + n, and 0x4B400000 << 23 == 0 (mod 2^32): bits(t) << 23 == n << 23
        FloatVector scale = t.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(ONE_BITS).reinterpretAsFloats();
        return p.mul(scale).blend(0f, tiny);
    }

    /** Scalar version of {@link #expSoftmax(FloatVector)} (same formula, same results). */
    public static float expSoftmax(float x) {
        boolean tiny = x < EXP_NORMAL_LO;
        if (tiny) x = EXP_NORMAL_LO;
        float t = Math.fma(x, LOG2E, ROUND_MAGIC);
        float v = expReduced(x, t) * Float.intBitsToFloat((Float.floatToRawIntBits(t) << 23) + ONE_BITS);
        return tiny ? 0f : v;
    }

    /**
     * The scalar exps' shared core: e^r for the reduced argument r = x - n ln2 (n from t = fma(x, log2 e, magic)),
     * by the same Cody-Waite split and polynomial as the vector forms.
     */
    private static float expReduced(float x, float t) {
        float n = t - ROUND_MAGIC;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(r, P0, P1);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P4);
        p = Math.fma(p, r, P5);
        return Math.fma(p, r * r, r) + 1f;
    }

    /** Scalar e^x evaluating exactly the same formula as {@link #exp(FloatVector)}. */
    public static float exp(float x) {
        if (x < EXP_LO) x = EXP_LO;
        if (x > EXP_HI) x = EXP_HI;
        float t = Math.fma(x, LOG2E, ROUND_MAGIC);
        int ni = Float.floatToRawIntBits(t) - ROUND_MAGIC_BITS;
        float p = expReduced(x, t);
        int n1 = ni >> 1;
        int n2 = ni - n1;
        return p * Float.intBitsToFloat((n1 + 127) << 23) * Float.intBitsToFloat((n2 + 127) << 23);
    }

    /** Lane-wise erf(x). See the class comment for accuracy. */
    public static FloatVector erf(FloatVector x) {
        FloatVector xc = x.max(-ERF_CLAMP).min(ERF_CLAMP);
        FloatVector x2 = xc.mul(xc);
        FloatVector a = x2.fma(A13, A11).fma(x2, FloatVector.broadcast(F, A9)).fma(x2, FloatVector.broadcast(F, A7)).fma(x2, FloatVector.broadcast(F, A5)).fma(x2, FloatVector.broadcast(F, A3)).fma(x2, FloatVector.broadcast(F, A1));
        FloatVector b = x2.fma(B8, B6).fma(x2, FloatVector.broadcast(F, B4)).fma(x2, FloatVector.broadcast(F, B2)).fma(x2, FloatVector.broadcast(F, B0));
        return xc.mul(a).div(b);
    }

    /** Scalar erf evaluating exactly the same formula as {@link #erf(FloatVector)}. */
    public static float erf(float x) {
        float xc = Math.max(-ERF_CLAMP, Math.min(ERF_CLAMP, x));
        float x2 = xc * xc;
        float a = Math.fma(x2, A13, A11);
        a = Math.fma(a, x2, A9);
        a = Math.fma(a, x2, A7);
        a = Math.fma(a, x2, A5);
        a = Math.fma(a, x2, A3);
        a = Math.fma(a, x2, A1);
        float b = Math.fma(x2, B8, B6);
        b = Math.fma(b, x2, B4);
        b = Math.fma(b, x2, B2);
        b = Math.fma(b, x2, B0);
        return xc * a / b;
    }

    /** {@code dst[dOff + i] = exp(src[sOff + i])} for i in [0, len). dst may equal src (same offsets). */
    public static void exp(float[] src, int sOff, float[] dst, int dOff, int len) {
        Checks.range("src", src, sOff, len);
        Checks.range("dst", dst, dOff, len);
        int i = 0;
        for (int bound = F.loopBound(len); i < bound; i += F.length()) {
            exp(FloatVector.fromArray(F, src, sOff + i)).intoArray(dst, dOff + i);
        }
        for (; i < len; i++) dst[dOff + i] = exp(src[sOff + i]);
    }

    /** {@code dst[dOff + i] = erf(src[sOff + i])} for i in [0, len). dst may equal src (same offsets). */
    public static void erf(float[] src, int sOff, float[] dst, int dOff, int len) {
        Checks.range("src", src, sOff, len);
        Checks.range("dst", dst, dOff, len);
        int i = 0;
        for (int bound = F.loopBound(len); i < bound; i += F.length()) {
            erf(FloatVector.fromArray(F, src, sOff + i)).intoArray(dst, dOff + i);
        }
        for (; i < len; i++) dst[dOff + i] = erf(src[sOff + i]);
    }
}
