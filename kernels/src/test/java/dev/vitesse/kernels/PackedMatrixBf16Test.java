package dev.vitesse.kernels;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static dev.vitesse.kernels.GemmTest.expectBad;
import static dev.vitesse.kernels.GemmTest.random;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * bf16 weight storage: a bf16-packed matrix must compute the f32 GEMM of the bf16-ROUNDED weights, i.e. match the
 * double-accumulating reference on rounded weights within the usual f32 GEMM bound (see {@link GemmReference}), and
 * in fact equal the f32-packed product of the rounded weights bit for bit (same driver, same summation order).
 */
class PackedMatrixBf16Test {
    private final int savedThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    /** Every epilogue combination (32) on awkward shapes: m in {1, 7, 17, 197}, n and k off multiples of 16 and KC=384. */
    static Stream<Arguments> cases() {
        int[] ms = {1, 7, 17, 197};
        int[][] nk = {{37, 401}, {1, 7}, {23, 777}, {100, 300}, {5, 385}, {19, 3100}}; // 3100: two 512-bit K blocks
        List<Arguments> out = new ArrayList<>();
        for (int bits = 0; bits < 32; bits++) {
            int[] s = nk[bits % nk.length];
            out.add(Arguments.of(bits, ms[bits % ms.length], s[0], s[1], 1 + (bits / 2) % 2));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "epilogue bits={0} m={1} n={2} k={3} threads={4}")
    @MethodSource("cases")
    void bf16MultiplyIsTheF32MultiplyOfRoundedWeights(int bits, int m, int n, int k, int threads) {
        Parallel.setThreads(threads);
        boolean hasAlpha = (bits & 1) != 0, hasBias = (bits & 2) != 0, gelu = (bits & 4) != 0,
                hasGamma = (bits & 8) != 0, acc = (bits & 16) != 0;
        Random r = new Random(bits * 7919L + m * 31L + n);
        int ldx = k + 3, ldc = n + 2, xOff = 5, cOff = 3, wOff = 4;
        float[] w = random(r, wOff + n * k);
        float[] x = random(r, xOff + m * ldx);
        float[] c = random(r, cOff + m * ldc + 4);
        if (!acc) Arrays.fill(c, Float.NaN); // overwrite mode must not read C
        float[] c0 = c.clone();
        float alpha = hasAlpha ? 0.37f : 1f;
        float[] bias = hasBias ? random(r, n) : null;
        float[] gamma = hasGamma ? random(r, n) : null;
        Epilogue e = PackedMatrixTest.epilogue(hasAlpha ? alpha : null, bias, gelu, gamma, acc);

        PackedMatrix pw = PackedMatrix.packWeightBf16(w, wOff, n, k);
        assertThat(pw.format()).isEqualTo(WeightFormat.BF16);
        assertThat(pw.n()).isEqualTo(n);
        assertThat(pw.k()).isEqualTo(k);
        pw.multiply(m, x, xOff, ldx, c, cOff, ldc, e);

        float[] rounded = w.clone();
        for (int i = 0; i < rounded.length; i++) rounded[i] = Bf16.round(rounded[i]);
        // same bounds as PackedMatrixTest, against the reference on the bf16-rounded weights
        PackedMatrixTest.assertMatchesReference(e, m, n, k, x, xOff, ldx, rounded, wOff, alpha, bias, gelu, gamma, acc,
                c0, c, cOff, ldc);

        // identical to the f32 path on the rounded weights (same driver and summation order)
        float[] viaF32 = c0.clone();
        PackedMatrix.packWeight(rounded, wOff, n, k).multiply(m, x, xOff, ldx, viaF32, cOff, ldc, e);
        assertThat(c).containsExactly(viaF32);
    }

    @Test
    void roundingActuallyHappensAndTheErrorIsWithinTheBf16UnitRoundoff() {
        // guards against a bf16 path that silently kept f32 (the test above would still pass on exact weights)
        Random r = new Random(2);
        int n = 19, k = 33;
        float[] w = random(r, n * k);
        float[] x = new float[k];
        float[] c = new float[n], exact = new float[n];
        for (int p = 0; p < k; p++) {
            Arrays.fill(x, 0f);
            x[p] = 1f; // picks column p of W^T: c[j] = w[j][p] as stored
            PackedMatrix.packWeightBf16(w, 0, n, k).multiply(1, x, 0, k, c, 0, n, Epilogue.NONE);
            for (int j = 0; j < n; j++) {
                float wv = w[j * k + p];
                assertThat(c[j]).isEqualTo(Bf16.round(wv));
                assertThat((double) Math.abs(c[j] - wv)).isLessThanOrEqualTo(Math.abs(wv) * 0x1p-8);
                exact[j] = wv;
            }
        }
        assertThat(Arrays.equals(c, exact)).isFalse();
    }

    @Test
    void segmentSourcesEqualArraySource() {
        Random r = new Random(4);
        int n = 37, k = 29, m = 11;
        float[] w = random(r, n * k), x = random(r, m * k);
        float[] fromArr = new float[m * n], fromF32Seg = new float[m * n], fromBf16Seg = new float[m * n];
        PackedMatrix.packWeightBf16(w, 0, n, k).multiply(m, x, 0, k, fromArr, 0, n, Epilogue.NONE);
        try (Arena arena = Arena.ofConfined()) {
            long off = 3; // unaligned, as inside a safetensors file
            ValueLayout.OfFloat f32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            ValueLayout.OfShort b16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            MemorySegment segF = arena.allocate(off + 4L * n * k), segH = arena.allocate(off + 2L * n * k);
            for (int i = 0; i < n * k; i++) {
                segF.set(f32, off + 4L * i, w[i]);
                segH.set(b16, off + 2L * i, Bf16.fromFloat(w[i]));
            }
            PackedMatrix a = PackedMatrix.packWeightBf16(segF, off, n, k);
            PackedMatrix b = PackedMatrix.packWeightFromBf16(segH, off, n, k);
            PackedMatrix c = PackedMatrix.packWeight(segF, off, n, k, WeightFormat.BF16);
            a.multiply(m, x, 0, k, fromF32Seg, 0, n, Epilogue.NONE);
            b.multiply(m, x, 0, k, fromBf16Seg, 0, n, Epilogue.NONE);
            assertThat(fromF32Seg).containsExactly(fromArr);
            assertThat(fromBf16Seg).containsExactly(fromArr);
            assertThat(c.format()).isEqualTo(WeightFormat.BF16);

            expectBad("seg too short", () -> PackedMatrix.packWeightFromBf16(segH, off + 1, n, k));
            expectBad("seg too short", () -> PackedMatrix.packWeightBf16(segF, off + 1, n, k));
            expectBad("byteOffset", () -> PackedMatrix.packWeightFromBf16(segH, -1, n, k));
            expectBad("seg", () -> PackedMatrix.packWeightFromBf16(null, 0, n, k));
            expectBad("n", () -> PackedMatrix.packWeightFromBf16(segH, 0, -1, k));
            expectBad("k", () -> PackedMatrix.packWeightBf16(segF, 0, n, -1));
        }
    }

    /**
     * Large enough (k*n >= 2^16) that packing itself is split over the pool; all three sources agree, from a shared
     * arena (parallel packing) and from a confined one (only its owner thread may read it: packed on the caller).
     */
    @ParameterizedTest(name = "shared arena={0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void parallelPackingOfLargeWeights(boolean shared) {
        Parallel.setThreads(2);
        Random r = new Random(6);
        int n = 300, k = 401, m = 5;
        float[] w = random(r, n * k), x = random(r, m * k);
        float[] rounded = w.clone();
        for (int i = 0; i < rounded.length; i++) rounded[i] = Bf16.round(rounded[i]);
        float[] expect = new float[m * n];
        PackedMatrix.packWeight(rounded, 0, n, k).multiply(m, x, 0, k, expect, 0, n, Epilogue.NONE);
        try (Arena arena = shared ? Arena.ofShared() : Arena.ofConfined()) {
            ValueLayout.OfFloat f32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            ValueLayout.OfShort b16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            MemorySegment segF = arena.allocate(4L * n * k), segH = arena.allocate(2L * n * k);
            for (int i = 0; i < n * k; i++) {
                segF.set(f32, 4L * i, w[i]);
                segH.set(b16, 2L * i, Bf16.fromFloat(w[i]));
            }
            for (PackedMatrix pm : new PackedMatrix[] {PackedMatrix.packWeightBf16(w, 0, n, k),
                    PackedMatrix.packWeightBf16(segF, 0, n, k), PackedMatrix.packWeightFromBf16(segH, 0, n, k),
                    PackedMatrix.packWeight(segF, 0, n, k, WeightFormat.BF16)}) {
                float[] c = new float[m * n];
                pm.multiply(m, x, 0, k, c, 0, n, Epilogue.NONE);
                assertThat(c).containsExactly(expect);
            }
            // the f32 segment path has the same confined-arena rule
            float[] c = new float[m * n], viaArray = new float[m * n];
            PackedMatrix.packWeight(segF, 0, n, k).multiply(m, x, 0, k, c, 0, n, Epilogue.NONE);
            PackedMatrix.packWeight(w, 0, n, k).multiply(m, x, 0, k, viaArray, 0, n, Epilogue.NONE);
            assertThat(c).containsExactly(viaArray);
        }
    }

    @Test
    void bytesAreHalvedAndFormatReported() {
        float[] w = random(new Random(5), 40 * 64);
        PackedMatrix f = PackedMatrix.packWeight(w, 0, 40, 64), h = PackedMatrix.packWeightBf16(w, 0, 40, 64);
        // 40 columns pad to whole NR panels
        long padded = (40 + 2L * dev.vitesse.kernels.gemm.GemmConfig.L - 1) / (2L * dev.vitesse.kernels.gemm.GemmConfig.L)
                * 2L * dev.vitesse.kernels.gemm.GemmConfig.L * 64;
        assertThat(f.bytes()).isEqualTo(4 * padded);
        assertThat(h.bytes()).isEqualTo(2 * padded);
        assertThat(f.format()).isEqualTo(WeightFormat.FP32);
        assertThat(PackedMatrix.packWeight(w, 0, 40, 64, WeightFormat.FP32).format()).isEqualTo(WeightFormat.FP32);
        assertThat(h.toString()).contains("bf16");
    }

    @Test
    void emptyShapes() {
        PackedMatrix pw = PackedMatrix.packWeightBf16(new float[0], 0, 3, 0);
        float[] c = {1, 2, 3};
        pw.multiply(1, new float[0], 0, 1, c, 0, 3, Epilogue.NONE.withBias(new float[] {4, 5, 6}));
        assertThat(c).containsExactly(4, 5, 6);
        assertThat(PackedMatrix.packWeightBf16(new float[0], 0, 0, 5).bytes()).isZero();
    }

    @Test
    void convolutionWithBf16WeightsIsTheConvolutionOfRoundedWeights() {
        Random r = new Random(9);
        int cin = 3, cout = 20, k = 3, h = 9, w = 11;
        float[] weight = random(r, cout * cin * k * k), bias = random(r, cout), x = random(r, cin * h * w);
        float[] rounded = weight.clone();
        for (int i = 0; i < rounded.length; i++) rounded[i] = Bf16.round(rounded[i]);
        for (Conv2d.InputLayout layout : Conv2d.InputLayout.values()) {
            Conv2d half = Conv2d.of(weight, bias, cin, cout, k, 2, 1, layout, WeightFormat.BF16);
            Conv2d ref = Conv2d.of(rounded, bias, cin, cout, k, 2, 1, layout, WeightFormat.FP32);
            int outHw = ((h + 2 - k) / 2 + 1) * ((w + 2 - k) / 2 + 1);
            float[] a = new float[outHw * cout], b = new float[outHw * cout];
            half.apply(x, 0, h, w, a, 0);
            ref.apply(x, 0, h, w, b, 0);
            assertThat(a).as(layout.name()).containsExactly(b);
            assertThat(half.weightBytes()).isEqualTo(ref.weightBytes() / 2);
        }
        expectBad("format", () -> Conv2d.of(weight, bias, cin, cout, k, 1, 0, Conv2d.InputLayout.NCHW, null));
    }

    @Test
    void badArguments() {
        float[] w = new float[12];
        expectBad("w", () -> PackedMatrix.packWeightBf16((float[]) null, 0, 3, 4));
        expectBad("n", () -> PackedMatrix.packWeightBf16(w, 0, -3, 4));
        expectBad("k", () -> PackedMatrix.packWeightBf16(w, 0, 3, -4));
        expectBad("w too short", () -> PackedMatrix.packWeightBf16(w, 1, 3, 4));
        expectBad("w offset", () -> PackedMatrix.packWeightBf16(w, -1, 3, 4));
        expectBad("format", () -> PackedMatrix.packWeight(w, 0, 3, 4, null));
        PackedMatrix pw = PackedMatrix.packWeightBf16(w, 0, 3, 4);
        float[] x = new float[8], c = new float[6];
        expectBad("ldx", () -> pw.multiply(2, x, 0, 3, c, 0, 3, Epilogue.NONE));
        expectBad("c too short", () -> pw.multiply(2, x, 0, 4, c, 1, 3, Epilogue.NONE));
    }
}
