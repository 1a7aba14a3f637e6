package dev.vitesse.kernels;

import dev.vitesse.kernels.gemm.GemmConfig;
import dev.vitesse.kernels.gemm.Packing;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** f32 -> bf16 rounding (ties to even, NaN, Inf, subnormals) and the vectorised bf16 -> f32 widening. */
class Bf16Test {

    private static short bf(int bits) {
        return Bf16.fromFloat(Float.intBitsToFloat(bits));
    }

    @Test
    void exactValuesAreKept() {
        for (float f : new float[] {0f, 1f, -1f, 0.5f, 3f, 1.5f, -2.015625f, 65536f})
            assertThat(Bf16.round(f)).isEqualTo(f);
        assertThat(Float.floatToRawIntBits(Bf16.round(-0f))).isEqualTo(0x8000_0000); // sign of zero kept
    }

    @Test
    void tiesGoToEven() {
        // 1 + 2^-8 lies exactly between 1 (mantissa ...0, even) and 1 + 2^-7 (odd): goes down to 1.
        assertThat(Bf16.round(1f + 0x1p-8f)).isEqualTo(1f);
        // 1 + 3*2^-8 lies between 1 + 2^-7 (odd) and 1 + 2^-6 (even): goes up.
        assertThat(Bf16.round(1f + 3 * 0x1p-8f)).isEqualTo(1f + 0x1p-6f);
        // just above / below a tie round to nearest
        assertThat(Bf16.round(Math.nextUp(1f + 0x1p-8f))).isEqualTo(1f + 0x1p-7f);
        assertThat(Bf16.round(Math.nextDown(1f + 3 * 0x1p-8f))).isEqualTo(1f + 0x1p-7f);
        assertThat(Bf16.round(-(1f + 0x1p-8f))).isEqualTo(-1f);
        assertThat(Bf16.round(-(1f + 3 * 0x1p-8f))).isEqualTo(-(1f + 0x1p-6f));
        // tie that carries into the exponent: 2 - 2^-8 is between 1.9921875 (odd) and 2 (even)
        assertThat(Bf16.round(2f - 0x1p-8f)).isEqualTo(2f);
    }

    @Test
    void nanInfinityAndOverflow() {
        assertThat(Bf16.round(Float.NaN)).isNaN();
        // NaN whose payload lives only in the low 16 bits must not become infinity
        assertThat(Bf16.round(Float.intBitsToFloat(0x7f80_0001))).isNaN();
        assertThat(Bf16.round(Float.intBitsToFloat(0xff80_0001))).isNaN();
        assertThat(bf(0xffc0_0000) & 0x8000).isEqualTo(0x8000); // sign of NaN kept
        assertThat(Bf16.round(Float.POSITIVE_INFINITY)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Bf16.round(Float.NEGATIVE_INFINITY)).isEqualTo(Float.NEGATIVE_INFINITY);
        // largest finite bf16 is kept; f32 max is above max bf16 + half an ulp: rounds to infinity (IEEE)
        assertThat(bf(0x7f7f_0000)).isEqualTo((short) 0x7f7f);
        assertThat(Bf16.round(Float.MAX_VALUE)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Bf16.round(-Float.MAX_VALUE)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(bf(0x7f7f_7fff)).isEqualTo((short) 0x7f7f); // below the tie: stays finite
    }

    @Test
    void subnormalsRoundLikeAnyValue() {
        assertThat(Bf16.round(Float.MIN_VALUE)).isEqualTo(0f);          // far below half a bf16 ulp
        assertThat(bf(0x0000_8000)).isEqualTo((short) 0);               // tie between 0 (even) and 0x0001
        assertThat(bf(0x0000_8001)).isEqualTo((short) 1);               // above the tie
        assertThat(bf(0x0001_8000)).isEqualTo((short) 2);               // tie between 0x0001 (odd) and 0x0002
        assertThat(bf(0x0001_0000)).isEqualTo((short) 1);               // smallest bf16 subnormal, exact
        assertThat(bf(0x007f_ffff)).isEqualTo((short) 0x0080);          // largest subnormal rounds to MIN_NORMAL
        assertThat(bf(0x8000_8001)).isEqualTo((short) 0x8001);          // negative subnormal
    }

    /** Random finite floats over the whole exponent range against a nearest-even reference computed in double. */
    @Test
    void matchesExactNearestEvenReference() {
        Random r = new Random(1);
        for (int t = 0; t < 200_000; t++) {
            int bits = r.nextInt();
            if ((bits & 0x7f80_0000) == 0x7f80_0000) continue; // Inf/NaN covered above
            float f = Float.intBitsToFloat(bits);
            assertThat(bf(bits)).as("bits %08x", bits).isEqualTo(reference(f));
        }
    }

    /** Magnitude-truncated candidate and the next bf16 up; distances are exact in double. */
    private static short reference(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = bits & 0x8000_0000, mag = bits & 0x7fff_ffff;
        int lo = mag & 0xffff_0000, hi = lo + 0x1_0000;
        double x = Math.abs((double) f);
        double dLo = x - Float.intBitsToFloat(lo);
        double hiValue = hi == 0x7f80_0000 ? 0x1p128 : Float.intBitsToFloat(hi); // overflow threshold at 2^128
        double dHi = hiValue - x;
        int pick = dLo < dHi ? lo : dHi < dLo ? hi : ((lo >>> 16) & 1) == 0 ? lo : hi;
        return (short) ((sign | pick) >>> 16);
    }

    @Test
    void widenIsExactForEveryBitPattern() {
        int len = 65536;
        short[] all = new short[len + 3];
        for (int i = 0; i < len; i++) all[i + 3] = (short) i;
        float[] vec = new float[len + 5], scalar = new float[len + 5];
        Packing.widenBf16(all, 3, vec, 5, len);
        Packing.widenBf16Scalar(all, 3, scalar, 5, len);
        for (int i = 0; i < len; i++) {
            int expect = i << 16;
            assertThat(Float.floatToRawIntBits(vec[i + 5])).isEqualTo(expect);
            assertThat(Float.floatToRawIntBits(scalar[i + 5])).isEqualTo(expect);
            assertThat(Float.floatToRawIntBits(Bf16.toFloat((short) i))).isEqualTo(expect);
        }
        assertThat(len % GemmConfig.L).isZero();
    }

    @Test
    void weightFormatParsing() {
        assertThat(WeightFormat.parse("bf16")).isEqualTo(WeightFormat.BF16);
        assertThat(WeightFormat.parse(" BF16 ")).isEqualTo(WeightFormat.BF16);
        assertThat(WeightFormat.parse("fp32")).isEqualTo(WeightFormat.FP32);
        assertThat(WeightFormat.parse("float32")).isEqualTo(WeightFormat.FP32);
        assertThat(WeightFormat.BF16.bytesPerElement()).isEqualTo(2);
        assertThat(WeightFormat.FP32.cliName()).isEqualTo("fp32");
        for (String bad : new String[] {"fp16", "", "int8"})
            assertThatThrownBy(() -> WeightFormat.parse(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("fp32 or bf16").hasMessageContaining("'" + bad + "'");
        assertThatThrownBy(() -> WeightFormat.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
