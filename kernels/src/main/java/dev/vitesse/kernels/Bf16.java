package dev.vitesse.kernels;

/**
 * bfloat16 scalar conversions. A bf16 value is the upper 16 bits of an IEEE f32 (1 sign, 8 exponent, 7 stored
 * mantissa bits, 8 significant), so it has the f32 range; neighbouring values are 2^-7 apart relative to the
 * binade, and round-to-nearest changes a normal value by at most its unit roundoff: |bf16(x) - x| <= 2^-8 |x|.
 */
public final class Bf16 {
    private Bf16() {}

    /**
     * The bf16 bits nearest to {@code f}, ties to even (IEEE round-to-nearest). NaN stays NaN (quiet, same sign);
     * infinities and zeros keep their sign; values above the largest finite bf16 (~3.39e38) round to infinity as
     * IEEE rounding prescribes; subnormals round like any other value (no flush to zero).
     */
    public static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7fff_ffff) > 0x7f80_0000) // NaN: truncation could clear every payload bit and give Inf
            return (short) ((bits >>> 16) | 0x0040);
        // Add just under half an ulp of bf16, plus the kept part's lowest bit, so exact halves go to the even value.
        int lsb = (bits >>> 16) & 1;
        return (short) ((bits + 0x7fff + lsb) >>> 16);
    }

    /** The f32 value of bf16 bits (exact: f32 is a superset). */
    public static float toFloat(short bits) {
        return Float.intBitsToFloat(bits << 16);
    }

    /** {@code toFloat(fromFloat(f))}: f rounded to the nearest bf16, as f32. */
    public static float round(float f) {
        return toFloat(fromFloat(f));
    }
}
