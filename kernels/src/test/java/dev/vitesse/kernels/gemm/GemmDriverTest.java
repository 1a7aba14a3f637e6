package dev.vitesse.kernels.gemm;

import dev.vitesse.kernels.Parallel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Drives both register tiles (MR = 6 and MR = 12) on this machine's vector width, whatever tile the JVM would pick
 * by default: the 12-row AVX-512 tile is written in terms of the species length, so running it with 256-bit vectors
 * here exercises the same code (it only spills registers). Covers every TileOp mode (BLAS alpha/beta, per-column
 * scale/add, GELU + post scale) on shapes with row, column and K edges.
 */
class GemmDriverTest {
    private final int savedThreads = Parallel.threads();

    @AfterEach
    void restore() {
        Parallel.setThreads(savedThreads);
    }

    static Stream<Arguments> cases() {
        int[][] shapes = {{1, 1, 1}, {13, 35, 7}, {25, 17, 300}, {150, 40, 257}, {12, 32, 256}, {37, 70, 520}, {230, 21, 50}, {16, 34, 800}, {40, 33, 3100}};
        List<Arguments> out = new ArrayList<>();
        int idx = 0;
        for (int mr : new int[] {6, 12})
            for (int[] s : shapes)
                for (int mode = 0; mode < 3; mode++) {
                    out.add(Arguments.of(mr, s[0], s[1], s[2], mode, idx % 2 == 0, 1 + idx % 2));
                    idx++;
                }
        return out.stream();
    }

    @ParameterizedTest(name = "mr={0} m={1} n={2} k={3} mode={4} transA={5} threads={6}")
    @MethodSource("cases")
    void driverMatchesReference(int mr, int m, int n, int k, int mode, boolean transA, int threads) {
        Parallel.setThreads(threads);
        Random r = new Random(mr * 7919L + m * 31L + n * 7L + k + mode);
        int lda = (transA ? m : k) + 2, ldc = n + 3;
        float[] a = rnd(r, (transA ? k : m) * lda), b = rnd(r, k * n), c = rnd(r, m * ldc + 1);
        float[] c0 = c.clone();
        float alpha = 0.8f, beta = mode == 0 ? -1.5f : (mode == 1 ? 1f : 0f);
        float[] scale = mode == 1 ? rnd(r, n) : null, add = mode >= 1 ? rnd(r, n) : null, post = mode == 2 ? rnd(r, n) : null;
        TileOp op = new TileOp(alpha, beta, scale == null ? null : TileOp.padded(scale, null, 1f, n),
                add == null ? null : TileOp.padded(add, null, 1f, n), mode == 2 ? dev.vitesse.kernels.Activation.GELU : null,
                post == null ? null : TileOp.padded(post, null, 1f, n));
        // B pre-packed, or (single row block only) packed micro-panel by micro-panel inside the tasks
        boolean raw = GemmDriver.rowBlocks(m, mr) == 1 && (m + n) % 2 == 0;
        if (raw)
            GemmDriver.run(m, n, k, transA, a, 0, lda, null, new GemmDriver.RawB(false, b, 0, n, k, n), c, 0, ldc, op, mr);
        else
            GemmDriver.run(m, n, k, transA, a, 0, lda, Packing.packB(false, b, 0, n, k, n), c, 0, ldc, op, mr);

        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0, abs = 0;
                for (int p = 0; p < k; p++) {
                    double prod = (double) (transA ? a[p * lda + i] : a[i * lda + p]) * b[p * n + j];
                    s += prod;
                    abs += Math.abs(prod);
                }
                double sj = scale == null ? alpha : scale[j];
                double v = s * sj + (add == null ? 0 : add[j]) + beta * c0[i * ldc + j];
                // k*u*sum|ab| bound (see GemmReference), plus GELU's own error (EpilogueMathTest) when used.
                double tol = 2.0 * (k + 4) * 0x1p-24 * (Math.abs(sj) * abs + Math.abs(beta * c0[i * ldc + j])
                        + (add == null ? 0 : Math.abs(add[j]))) + 1e-30;
                if (mode == 2) {
                    v = 0.5 * v * (1 + EpilogueMathTest.erfRef(v / Math.sqrt(2))) * post[j];
                    tol = (1.13 * tol + 4e-7 * (1 + Math.abs(v))) * Math.abs(post[j]) + 2e-7 * Math.abs(v);
                }
                float got = c[i * ldc + j];
                if (!(Math.abs(got - v) <= tol))
                    throw new AssertionError("C[" + i + "][" + j + "] = " + got + ", expected " + v + " +- " + tol);
            }
        for (int i = 0; i < m; i++)
            for (int j = n; j < ldc && i * ldc + j < c.length; j++) assertThat(c[i * ldc + j]).isEqualTo(c0[i * ldc + j]);
    }

    @Test
    void rowAndColumnSharesAreContiguousAndDifferByAtMostOnePanel() {
        for (int count : new int[] {1, 7, 17, 132, 197})
            for (int parts = 1; parts <= Math.min(count, 16); parts++) {
                int min = Integer.MAX_VALUE, max = 0;
                assertThat(GemmDriver.share(count, 0, parts)).isZero();
                assertThat(GemmDriver.share(count, parts, parts)).isEqualTo(count);
                for (int i = 0; i < parts; i++) {
                    int size = GemmDriver.share(count, i + 1, parts) - GemmDriver.share(count, i, parts);
                    min = Math.min(min, size);
                    max = Math.max(max, size);
                }
                assertThat(max - min).as("count %d in %d parts", count, parts).isLessThanOrEqualTo(1);
                assertThat(min).isPositive();
            }
    }

    static float[] rnd(Random r, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) x[i] = r.nextFloat() * 2 - 1;
        return x;
    }
}
