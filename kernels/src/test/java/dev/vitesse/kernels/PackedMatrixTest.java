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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static dev.vitesse.kernels.GemmTest.expectBad;
import static dev.vitesse.kernels.GemmTest.random;
import static org.assertj.core.api.Assertions.assertThat;

class PackedMatrixTest {
    private final int savedThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    /** All 32 combinations of alpha, bias, GELU, column scale and accumulate, on shapes with K crossing the K block. */
    static Stream<Arguments> epilogues() {
        List<Arguments> out = new ArrayList<>();
        int[][] shapes = {{23, 37, 300}, {1, 5, 7}, {197, 20, 520}, {8, 100, 16}, {700, 40, 800}, {197, 21, 3100},
            {700, 9, 3200}}; // the last two cross the 512-bit K block (3072), the others the 256-bit one (384)
        for (int bits = 0; bits < 32; bits++) {
            int[] s = shapes[bits % shapes.length];
            out.add(Arguments.of(bits, s[0], s[1], s[2], 1 + bits % 2));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "epilogue bits={0} m={1} n={2} k={3} threads={4}")
    @MethodSource("epilogues")
    void multiplyMatchesReference(int bits, int m, int n, int k, int threads) {
        Parallel.setThreads(threads);
        boolean hasAlpha = (bits & 1) != 0, hasBias = (bits & 2) != 0, gelu = (bits & 4) != 0,
                hasGamma = (bits & 8) != 0, acc = (bits & 16) != 0;
        Random r = new Random(bits * 1000L + m);
        int ldx = k + 3, ldc = n + 2, xOff = 5, cOff = 3, wOff = 4;
        float[] w = random(r, wOff + n * k);
        float[] x = random(r, xOff + m * ldx);
        float[] c = random(r, cOff + m * ldc + 4);
        if (!acc) Arrays.fill(c, Float.NaN); // overwrite mode must not read C
        float[] c0 = c.clone();
        float alpha = hasAlpha ? 0.37f : 1f;
        float[] bias = hasBias ? random(r, n) : null;
        float[] gamma = hasGamma ? random(r, n) : null;
        Epilogue e = epilogue(hasAlpha ? alpha : null, bias, gelu, gamma, acc);
        // the activation's other forms on half of the activation cases: the tanh approximation, QuickGELU
        if (gelu && hasAlpha) e = e.withActivation(hasBias ? Activation.GELU_TANH : Activation.QUICK_GELU);

        PackedMatrix pw = PackedMatrix.packWeight(w, wOff, n, k);
        assertThat(pw.n()).isEqualTo(n);
        assertThat(pw.k()).isEqualTo(k);
        pw.multiply(m, x, xOff, ldx, c, cOff, ldc, e);

        assertMatchesReference(e, m, n, k, x, xOff, ldx, w, wOff, alpha, bias, gelu, gamma, acc, c0, c, cOff, ldc);
    }

    /**
     * Checks C against the double-accumulating reference of epilogue {@code e} applied to X W^T (W [n][k] at wOff),
     * with a per-element bound: GEMM rounding, then (for an activation: GELU, its tanh form and QuickGELU are all
     * Lipschitz <= 1.13) the activation's own error (the erf
     * approximation and the float evaluation are within 2e-7 * (1 + |v|), EpilogueMathTest measures this), the
     * column scale and the residual add; and that nothing outside the m x n window of C changed.
     */
    /** The epilogue with the given parts (null = absent). */
    static Epilogue epilogue(Float alpha, float[] bias, boolean gelu, float[] gamma, boolean accumulate) {
        Epilogue e = Epilogue.NONE;
        if (alpha != null) e = e.withAlpha(alpha);
        if (bias != null) e = e.withBias(bias);
        if (gelu) e = e.withGelu();
        if (gamma != null) e = e.withColumnScale(gamma);
        if (accumulate) e = e.accumulate();
        return e;
    }

    static void assertMatchesReference(Epilogue e, int m, int n, int k, float[] x, int xOff, int ldx, float[] w, int wOff,
                                       float alpha, float[] bias, boolean gelu, float[] gamma, boolean acc,
                                       float[] c0, float[] c, int cOff, int ldc) {
        boolean hasBias = bias != null, hasGamma = gamma != null;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0, abs = 0;
                for (int p = 0; p < k; p++) {
                    double prod = (double) x[xOff + i * ldx + p] * w[wOff + j * k + p];
                    s += prod;
                    abs += Math.abs(prod);
                }
                double v = alpha * s + (hasBias ? bias[j] : 0);
                double tol = GemmReference.tolerance(k, Math.abs(alpha) * abs + (hasBias ? Math.abs(bias[j]) : 0));
                if (gelu) {
                    v = e.activation() == Activation.GELU ? GemmReference.gelu(v) : Ref.activation(e.activation(), v);
                    tol = 1.13 * tol + 4e-7 * (1 + Math.abs(v));
                }
                if (hasGamma) {
                    v *= gamma[j];
                    tol = tol * Math.abs(gamma[j]) + GemmReference.U * Math.abs(v) * 2;
                }
                double c0v = c0[cOff + i * ldc + j];
                if (acc) {
                    v += c0v;
                    tol += 2 * GemmReference.U * Math.abs(c0v);
                }
                float got = c[cOff + i * ldc + j];
                if (!(Math.abs(got - v) <= tol))
                    throw new AssertionError(e + ": C[" + i + "][" + j + "] = " + got + ", expected " + v + " +- " + tol);
            }
        GemmTest.assertUntouchedOutside(c, c0, cOff, ldc, m, n);
    }

    @Test
    void emptyInnerDimensionGivesTheEpilogueOfZero() {
        PackedMatrix pw = PackedMatrix.packWeight(new float[0], 0, 3, 0);
        float[] bias = {1f, -2f, 0.5f}, gamma = {2f, 3f, 4f};
        float[] c = {10, 20, 30, 40, 50, 60};
        pw.multiply(2, new float[0], 0, 1, c, 0, 3, Epilogue.NONE.withBias(bias).withColumnScale(gamma).accumulate());
        assertThat(c).containsExactly(12, 14, 32, 42, 44, 62);
        pw.multiply(2, new float[0], 0, 1, c, 0, 3, Epilogue.NONE);
        assertThat(c).containsExactly(0, 0, 0, 0, 0, 0);
    }

    @Test
    void packOfPlainBMatchesSgemm() {
        Random r = new Random(3);
        int m = 19, n = 45, k = 70, ldb = 50;
        float[] b = random(r, 2 + k * ldb), x = random(r, m * k);
        float[] viaPack = new float[m * n], viaGemm = new float[m * n];
        PackedMatrix.pack(b, 2, k, n, ldb).multiply(m, x, 0, k, viaPack, 0, n, Epilogue.NONE);
        Gemm.sgemm(false, false, m, n, k, 1f, x, 0, k, b, 2, ldb, 0f, viaGemm, 0, n);
        assertThat(viaPack).containsExactly(viaGemm);
    }

    @Test
    void memorySegmentWeightsEqualArrayWeights() {
        Random r = new Random(4);
        int n = 37, k = 29, m = 11;
        float[] w = random(r, n * k), x = random(r, m * k);
        try (Arena arena = Arena.ofConfined()) {
            long byteOffset = 3; // deliberately unaligned, as inside a safetensors file
            MemorySegment seg = arena.allocate(byteOffset + (long) n * k * 4 + 8);
            ValueLayout.OfFloat le = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n * k; i++) seg.set(le, byteOffset + 4L * i, w[i]);
            float[] fromSeg = new float[m * n], fromArr = new float[m * n];
            PackedMatrix.packWeight(seg, byteOffset, n, k).multiply(m, x, 0, k, fromSeg, 0, n, Epilogue.NONE);
            PackedMatrix.packWeight(w, 0, n, k).multiply(m, x, 0, k, fromArr, 0, n, Epilogue.NONE);
            assertThat(fromSeg).containsExactly(fromArr);

            expectBad("seg too short", () -> PackedMatrix.packWeight(seg, byteOffset + 9, n, k));
            expectBad("seg too short", () -> PackedMatrix.packWeight(seg, Long.MAX_VALUE - 2, n, k));
            expectBad("byteOffset", () -> PackedMatrix.packWeight(seg, -1, n, k));
            expectBad("seg", () -> PackedMatrix.packWeight((MemorySegment) null, 0, n, k));
        }
    }

    @Test
    void badArguments() {
        float[] w = new float[12];
        expectBad("w", () -> PackedMatrix.packWeight((float[]) null, 0, 3, 4));
        expectBad("n", () -> PackedMatrix.packWeight(w, 0, -3, 4));
        expectBad("k", () -> PackedMatrix.packWeight(w, 0, 3, -4));
        expectBad("w too short", () -> PackedMatrix.packWeight(w, 1, 3, 4));
        expectBad("ldb", () -> PackedMatrix.pack(w, 0, 3, 4, 3));
        expectBad("b too short", () -> PackedMatrix.pack(w, 0, 4, 4, 4));
        expectBad("bias", () -> Epilogue.NONE.withBias(null));
        expectBad("gamma", () -> Epilogue.NONE.withColumnScale(null));

        PackedMatrix pw = PackedMatrix.packWeight(w, 0, 3, 4); // n=3, k=4
        float[] x = new float[8], c = new float[6];
        pw.multiply(2, x, 0, 4, c, 0, 3, Epilogue.NONE);
        expectBad("m", () -> pw.multiply(-1, x, 0, 4, c, 0, 3, Epilogue.NONE));
        expectBad("x", () -> pw.multiply(2, null, 0, 4, c, 0, 3, Epilogue.NONE));
        expectBad("ldx", () -> pw.multiply(2, x, 0, 3, c, 0, 3, Epilogue.NONE));
        expectBad("x too short", () -> pw.multiply(2, x, 1, 4, c, 0, 3, Epilogue.NONE));
        expectBad("ldc", () -> pw.multiply(2, x, 0, 4, c, 0, 2, Epilogue.NONE));
        expectBad("c too short", () -> pw.multiply(2, x, 0, 4, c, 1, 3, Epilogue.NONE));
        expectBad("epilogue", () -> pw.multiply(2, x, 0, 4, c, 0, 3, null));
        expectBad("bias length", () -> pw.multiply(2, x, 0, 4, c, 0, 3, Epilogue.NONE.withBias(new float[4])));
        expectBad("columnScale", () -> pw.multiply(2, x, 0, 4, c, 0, 3, Epilogue.NONE.withColumnScale(new float[2])));
        float[] shared = new float[20];
        expectBad("c overlaps x", () -> pw.multiply(2, shared, 0, 4, shared, 6, 3, Epilogue.NONE));
    }

    @Test
    void concurrentMultiplyOnOneSharedMatrix() throws Exception {
        Parallel.setThreads(2);
        Random r = new Random(12);
        int n = 130, k = 300, m = 41, calls = 10;
        float[] w = random(r, n * k), bias = random(r, n);
        PackedMatrix pw = PackedMatrix.packWeight(w, 0, n, k);
        Epilogue e = Epilogue.NONE.withBias(bias).withGelu();
        float[][] xs = new float[calls][], expect = new float[calls][];
        for (int t = 0; t < calls; t++) {
            xs[t] = random(r, m * k);
            expect[t] = new float[m * n];
            pw.multiply(m, xs[t], 0, k, expect[t], 0, n, e);
        }
        ExecutorService ex = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> fs = new ArrayList<>();
            for (int t = 0; t < calls; t++) {
                int id = t;
                fs.add(ex.submit(() -> {
                    float[] c = new float[m * n];
                    for (int rep = 0; rep < 3; rep++) pw.multiply(m, xs[id], 0, k, c, 0, n, e);
                    return c;
                }));
            }
            for (int t = 0; t < calls; t++) assertThat(fs.get(t).get()).containsExactly(expect[t]);
        } finally {
            ex.shutdownNow();
        }
    }

    @Test
    void segmentSizesThatOverflowOrClosedSegmentsAreRejected() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment seg = arena.allocate(80);
            // n*k*4 wraps a long to a negative byte count: must not pass the length check (it then tried to pack)
            expectBad("seg too short", () -> PackedMatrix.packWeight(seg, 0, Integer.MAX_VALUE, Integer.MAX_VALUE));
            expectBad("seg too short", () -> PackedMatrix.packWeightFromBf16(seg, 0, Integer.MAX_VALUE, Integer.MAX_VALUE));
        }
        Arena closedArena = Arena.ofShared();
        MemorySegment closed = closedArena.allocate(80);
        closedArena.close();
        expectBad("closed", () -> PackedMatrix.packWeight(closed, 0, 5, 4));
        // a (sparse, never read) mapping large enough for n = Integer.MAX_VALUE, k = 1: the panel count n + NR - 1
        // wrapped and the packed size went negative (NegativeArraySizeException) instead of "too large"
        java.nio.file.Path file = java.nio.file.Files.createTempFile("vitesse-sparse", ".bin");
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ,
                java.nio.file.StandardOpenOption.WRITE); Arena arena = Arena.ofShared()) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[1]), 4L * Integer.MAX_VALUE);
            MemorySegment big = ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, 4L * Integer.MAX_VALUE + 1, arena);
            expectBad("too large to pack", () -> PackedMatrix.packWeight(big, 0, Integer.MAX_VALUE, 1));
            expectBad("too large to pack", () -> PackedMatrix.packWeightFromBf16(big, 0, Integer.MAX_VALUE, 1));
        } finally {
            java.nio.file.Files.delete(file);
        }
    }
}
