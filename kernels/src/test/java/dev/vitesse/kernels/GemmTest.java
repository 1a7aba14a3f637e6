package dev.vitesse.kernels;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GemmTest {
    private final int savedThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    static float[] random(Random r, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) x[i] = r.nextFloat() * 2 - 1;
        return x;
    }

    /** Shapes: degenerate, primes, non-multiples of the vector width (8/16) and of the register tile (6/12 x 16/32),
     *  crossing the cache blocks (KC, MC, NC), and ViT-like rows (197). */
    static Stream<Arguments> shapes() {
        int[][] mnk = {
                {1, 1, 1}, {1, 7, 1}, {7, 1, 17}, {1, 17, 7}, {17, 7, 1}, {2, 3, 4}, {6, 16, 8}, {12, 32, 16},
                {13, 33, 9}, {7, 17, 197}, {197, 31, 64}, {25, 49, 769}, {61, 100, 513}, {130, 70, 40},
                {197, 200, 33}, {3137, 5, 7}, {5, 3137, 9}, {6, 7, 3137}, {300, 9, 20}, {11, 1100, 21},
                {700, 45, 800},   // tall A over two K blocks (256-bit: KC = 384): tasks pack their own A blocks
                {700, 45, 3200}, {197, 40, 3100}, // two K blocks at KC = 3072 (512-bit), tall A and one row block
        };
        List<Arguments> out = new ArrayList<>();
        int idx = 0;
        for (int[] s : mnk)
            for (int t = 0; t < 4; t++) {
                // vary alpha/beta/threads/padding over the shapes so every combination appears without a full product
                float alpha = (idx % 3 == 0) ? 1f : (idx % 3 == 1 ? -0.75f : 2.5f);
                float beta = (idx % 4 == 0) ? 0f : (idx % 4 == 1 ? 1f : (idx % 4 == 2 ? -0.5f : 0f));
                int threads = 1 + idx % 2;
                int pad = idx % 5 == 0 ? 0 : 3;
                out.add(Arguments.of(s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0, alpha, beta, threads, pad));
                idx++;
            }
        return out.stream();
    }

    @ParameterizedTest(name = "m={0} n={1} k={2} tA={3} tB={4} alpha={5} beta={6} threads={7} pad={8}")
    @MethodSource("shapes")
    void sgemmMatchesReference(int m, int n, int k, boolean tA, boolean tB, float alpha, float beta, int threads, int pad) {
        Parallel.setThreads(threads);
        Random r = new Random(31L * m + 17L * n + k + (tA ? 1 : 0) + (tB ? 2 : 0));
        int aRows = tA ? k : m, aCols = tA ? m : k, bRows = tB ? n : k, bCols = tB ? k : n;
        int lda = aCols + pad, ldb = bCols + 2 * pad, ldc = n + pad;
        int aOff = pad, bOff = 2 * pad, cOff = pad + 1;
        float[] a = random(r, aOff + aRows * lda + 5);
        float[] b = random(r, bOff + bRows * ldb + 5);
        float[] c = random(r, cOff + m * ldc + 5);
        if (beta == 0f) Arrays.fill(c, Float.NaN); // BLAS: beta == 0 must not read C
        float[] c0 = c.clone();
        double[][] ref = GemmReference.sgemm(tA, tB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);

        Gemm.sgemm(tA, tB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);

        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double want = ref[0][i * n + j];
                double tol = GemmReference.tolerance(k, ref[1][i * n + j]);
                float got = c[cOff + i * ldc + j];
                if (!(Math.abs(got - want) <= tol))
                    throw new AssertionError("C[" + i + "][" + j + "] = " + got + ", expected " + want + " +- " + tol);
            }
        assertUntouchedOutside(c, c0, cOff, ldc, m, n);
    }

    /** Elements of C outside the m x n window (padding, before the offset, after the end) must be untouched. */
    static void assertUntouchedOutside(float[] c, float[] c0, int cOff, int ldc, int m, int n) {
        for (int idx = 0; idx < c.length; idx++) {
            int rel = idx - cOff;
            boolean inside = rel >= 0 && rel / ldc < m && rel % ldc < n;
            if (!inside && Float.floatToRawIntBits(c[idx]) != Float.floatToRawIntBits(c0[idx]))
                throw new AssertionError("C[" + idx + "] outside the output window was modified");
        }
    }

    @Test
    void oneAndTwoThreadsGiveIdenticalBits() {
        Random r = new Random(5);
        int m = 197, n = 300, k = 520;
        float[] a = random(r, m * k), b = random(r, k * n);
        float[] c1 = new float[m * n], c2 = new float[m * n];
        Parallel.setThreads(1);
        Gemm.sgemm(false, true, m, n, k, 1f, a, 0, k, b, 0, k, 0f, c1, 0, n);
        Parallel.setThreads(2);
        Gemm.sgemm(false, true, m, n, k, 1f, a, 0, k, b, 0, k, 0f, c2, 0, n);
        assertThat(c2).containsExactly(c1);
    }

    @Test
    void alphaZeroDoesNotReadAOrB() {
        float[] a = {Float.NaN, Float.NaN, Float.NaN, Float.NaN};
        float[] b = {Float.POSITIVE_INFINITY, Float.NaN, 1, 2};
        float[] c = {1, 2, 3, 4};
        Gemm.sgemm(false, false, 2, 2, 2, 0f, a, 0, 2, b, 0, 2, 2f, c, 0, 2);
        assertThat(c).containsExactly(2, 4, 6, 8);
        Gemm.sgemm(false, false, 2, 2, 2, 0f, a, 0, 2, b, 0, 2, 0f, c, 0, 2);
        assertThat(c).containsExactly(0, 0, 0, 0);
    }

    @Test
    void kZeroScalesC() {
        float[] c = {1, Float.NaN, 3, 4};
        Gemm.sgemm(false, false, 2, 2, 0, 1f, new float[0], 0, 1, new float[0], 0, 2, 0f, c, 0, 2);
        assertThat(c).containsExactly(0, 0, 0, 0);
        float[] d = {1, 2, 3, 4};
        Gemm.sgemm(true, true, 2, 2, 0, 1f, new float[0], 0, 2, new float[0], 0, 1, -1f, d, 0, 2);
        assertThat(d).containsExactly(-1, -2, -3, -4);
    }

    @Test
    void emptyOutputIsANoOp() {
        float[] c = {7};
        Gemm.sgemm(false, false, 0, 5, 3, 1f, new float[0], 0, 3, new float[15], 0, 5, 0f, new float[0], 0, 5);
        Gemm.sgemm(false, false, 1, 0, 3, 1f, new float[3], 0, 3, new float[0], 0, 1, 0f, c, 0, 1);
        assertThat(c).containsExactly(7);
    }

    @Test
    void badArgumentsAreRejectedBeforeAnyAccess() {
        float[] a = new float[6], b = new float[6], c = {1, 2, 3, 4};
        // baseline valid call: 2x3 * 3x2
        Gemm.sgemm(false, false, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c.clone(), 0, 2);
        expectBad("m", () -> Gemm.sgemm(false, false, -1, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 2));
        expectBad("n", () -> Gemm.sgemm(false, false, 2, -2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 2));
        expectBad("k", () -> Gemm.sgemm(false, false, 2, 2, -3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 2));
        expectBad("a", () -> Gemm.sgemm(false, false, 2, 2, 3, 1f, null, 0, 3, b, 0, 2, 0f, c, 0, 2));
        expectBad("b", () -> Gemm.sgemm(false, false, 2, 2, 3, 1f, a, 0, 3, null, 0, 2, 0f, c, 0, 2));
        expectBad("c", () -> Gemm.sgemm(false, false, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, null, 0, 2));
        expectBad("lda", () -> Gemm.sgemm(false, false, 2, 2, 3, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2));
        expectBad("lda", () -> Gemm.sgemm(true, false, 2, 2, 3, 1f, a, 0, 1, b, 0, 2, 0f, c, 0, 2));
        expectBad("ldb", () -> Gemm.sgemm(false, false, 2, 2, 3, 1f, a, 0, 3, b, 0, 1, 0f, c, 0, 2));
        expectBad("ldb", () -> Gemm.sgemm(false, true, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 2));
        expectBad("ldc", () -> Gemm.sgemm(false, false, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 1));
        expectBad("a too short", () -> Gemm.sgemm(false, false, 2, 2, 3, 1f, a, 1, 3, b, 0, 2, 0f, c, 0, 2));
        expectBad("a too short", () -> Gemm.sgemm(false, false, 2, 2, 3, 1f, a, 0, 4, b, 0, 2, 0f, c, 0, 2));
        expectBad("b too short", () -> Gemm.sgemm(false, false, 2, 2, 3, 1f, a, 0, 3, b, 1, 2, 0f, c, 0, 2));
        expectBad("c too short", () -> Gemm.sgemm(false, false, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 1, 2));
        expectBad("c too short", () -> Gemm.sgemm(false, false, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 3));
        expectBad("a offset", () -> Gemm.sgemm(false, false, 2, 2, 3, 1f, a, -1, 3, b, 0, 2, 0f, c, 0, 2));
        expectBad("c offset", () -> Gemm.sgemm(false, false, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, -1, 2));
        // huge values that overflow int arithmetic must still be caught, not wrap around
        expectBad("a too short", () -> Gemm.sgemm(false, false, 2, 2, 3, 1f, a, 0, Integer.MAX_VALUE, b, 0, 2, 0f, c, 0, 2));
        float[] shared = new float[16];
        expectBad("c overlaps a", () -> Gemm.sgemm(false, false, 2, 2, 3, 1f, shared, 0, 3, b, 0, 2, 0f, shared, 4, 2));
        assertThat(c).containsExactly(1, 2, 3, 4);
    }

    static void expectBad(String fragment, Runnable call) {
        assertThatThrownBy(call::run).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(fragment);
    }

    @Test
    void concurrentCallsFromManyThreadsAreSafe() throws Exception {
        Parallel.setThreads(2);
        int calls = 12;
        Random r = new Random(9);
        int m = 67, n = 90, k = 300;
        float[][] as = new float[calls][], bs = new float[calls][], expect = new float[calls][];
        for (int t = 0; t < calls; t++) {
            as[t] = random(r, m * k);
            bs[t] = random(r, k * n);
            expect[t] = new float[m * n];
            Gemm.sgemm(false, false, m, n, k, 1f, as[t], 0, k, bs[t], 0, n, 0f, expect[t], 0, n);
        }
        ExecutorService ex = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> fs = new ArrayList<>();
            for (int t = 0; t < calls; t++) {
                int id = t;
                fs.add(ex.submit(() -> {
                    float[] c = new float[m * n];
                    for (int rep = 0; rep < 3; rep++)
                        Gemm.sgemm(false, false, m, n, k, 1f, as[id], 0, k, bs[id], 0, n, 0f, c, 0, n);
                    return c;
                }));
            }
            for (int t = 0; t < calls; t++) assertThat(fs.get(t).get()).containsExactly(expect[t]);
        } finally {
            ex.shutdownNow();
        }
    }
}
