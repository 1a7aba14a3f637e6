package dev.vitesse.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Exact (erf) GELU, PyTorch's default {@code nn.GELU()}: {@code gelu(x) = 0.5 x (1 + erf(x / sqrt 2))}; and its tanh
 * approximation ({@link #geluTanh}: {@code nn.GELU(approximate='tanh')}, timm's {@code gelu_tanh}); and OpenAI CLIP's
 * QuickGELU ({@link #quickGelu}: {@code x * sigmoid(1.702 x)}, timm's {@code quick_gelu}).
 *
 * <p>Accuracy: within {@value #MAX_ABS_ERROR} absolute of a double-precision reference over [-10, 10]
 * (measured by {@code GeluTest}; the erf approximation contributes at most
 * {@link VectorMath#ERF_MAX_ABS_ERROR} * |x| / 2, the rest is float rounding). The tanh form: within
 * {@value #MAX_ABS_ERROR_TANH} of its double-precision formula over [-10, 10], QuickGELU within
 * {@value #MAX_ABS_ERROR_QUICK} of its own.
 */
public final class Gelu {
    private Gelu() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final float INV_SQRT2 = 0.70710678118654752f;
    /** Elements above which the work is split over {@link Parallel}. */
    private static final int PARALLEL_MIN = 1 << 16;
    private static final int CHUNK = 1 << 14;

    /** Documented (and tested) bound on |gelu(x) - exact| for x in [-10, 10]. */
    public static final double MAX_ABS_ERROR = 2e-6;
    /**
     * Documented (and tested) bound on |geluTanh(x) - its formula in double| for x in [-10, 10] (measured 5.2e-7 by
     * {@code GeluTest}): the result is x / (1 + e^(-2u)), whose relative error is that of the exp and the division, a
     * few ulps, i.e. about one float ulp of |x| <= 10 (9.5e-7).
     */
    public static final double MAX_ABS_ERROR_TANH = 2e-6;
    /**
     * Documented (and tested) bound on |quickGelu(x) - x sigmoid(1.702 x) in double| for x in [-10, 10]: the same
     * one-exp-one-division form as the tanh GELU, so the same argument (a few ulps of |x|).
     */
    public static final double MAX_ABS_ERROR_QUICK = 2e-6;
    /** QuickGELU's slope: sigmoid(1.702 x) approximates Phi(x). */
    private static final float QUICK_SLOPE = 1.702f;

    private static final float SQRT_2_OVER_PI = 0.7978845608028654f;
    private static final float TANH_CUBIC = 0.044715f;

    /** In place: {@code x[off + i] = gelu(x[off + i])} for i in [0, len). */
    public static void apply(float[] x, int off, int len) {
        Checks.range("x", x, off, len);
        if (len >= PARALLEL_MIN && Parallel.threads() > 1) {
            int chunks = (len + CHUNK - 1) / CHUNK;
            Parallel.forEach(chunks, c -> {
                int s = c * CHUNK;
                applyRange(x, off + s, Math.min(CHUNK, len - s));
            });
        } else {
            applyRange(x, off, len);
        }
    }

    private static void applyRange(float[] x, int off, int len) {
        int i = 0;
        for (int bound = F.loopBound(len); i < bound; i += F.length()) {
            gelu(FloatVector.fromArray(F, x, off + i)).intoArray(x, off + i);
        }
        for (; i < len; i++) x[off + i] = gelu(x[off + i]);
    }

    /** Lane-wise GELU (inlines into callers' loops, e.g. GEMM epilogues). */
    public static FloatVector gelu(FloatVector x) {
        FloatVector h = x.mul(0.5f);
        return VectorMath.erf(x.mul(INV_SQRT2)).fma(h, h);
    }

    /**
     * Lane-wise tanh-approximation GELU, {@code 0.5 x (1 + tanh(u))} with {@code u = sqrt(2/pi) (x + 0.044715 x^3)},
     * computed as {@code x / (1 + e^(-2u))} (0.5 (1 + tanh u) is the logistic function of 2u): one exp and a
     * division, saturating to x and to -0 without a tanh.
     */
    public static FloatVector geluTanh(FloatVector x) {
        FloatVector minus2u = x.mul(x).fma(TANH_CUBIC, 1f).mul(x).mul(-2f * SQRT_2_OVER_PI);
        return x.div(VectorMath.exp(minus2u).add(1f));
    }

    /** Scalar tanh-approximation GELU, same formula as the vector version. */
    public static float geluTanh(float x) {
        float minus2u = Math.fma(x * x, TANH_CUBIC, 1f) * x * (-2f * SQRT_2_OVER_PI);
        return x / (VectorMath.exp(minus2u) + 1f);
    }

    /** Lane-wise QuickGELU, {@code x * sigmoid(1.702 x)} computed as {@code x / (1 + e^(-1.702 x))}. */
    public static FloatVector quickGelu(FloatVector x) {
        return x.div(VectorMath.exp(x.mul(-QUICK_SLOPE)).add(1f));
    }

    /** Scalar QuickGELU, same formula as the vector version. */
    public static float quickGelu(float x) {
        return x / (VectorMath.exp(x * -QUICK_SLOPE) + 1f);
    }

    /** Scalar GELU, same formula as the vector version. */
    public static float gelu(float x) {
        float h = 0.5f * x;
        return Math.fma(VectorMath.erf(x * INV_SQRT2), h, h);
    }
}
