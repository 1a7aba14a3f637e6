package dev.vitesse.kernels.gemm;

import dev.vitesse.kernels.Epilogue;
import dev.vitesse.kernels.PackedMatrix;
import dev.vitesse.kernels.Parallel;

import java.util.Arrays;
import java.util.Random;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Where a 1-thread GEMM loses the last 10-15 % of the FMA peak: times the 12 x 2L register tile ({@link
 * MicroKernels#tile12x2}) over the same panels in four settings, alternating them in blocks in one JVM, and prints
 * each as a share of a pure FMA loop measured in the same rounds. Shape of ViT-B's qkv at batch 1 (197 x 2304 x
 * 768): 17 A panels of 12 rows, kc = 768, 72 B micro-panels of 32 columns; last, the whole 1-thread GEMM of that
 * shape through {@link PackedMatrix} (packing A, the 5-row edge panel, the driver's loops). A measurement tool, not
 * a test:
 * <pre>
 * mvn -q -o -pl kernels test-compile && java --add-modules jdk.incubator.vector \
 *     -cp kernels/target/classes:kernels/target/test-classes dev.vitesse.kernels.gemm.MicroKernelProbe [rounds]
 * </pre>
 */
public final class MicroKernelProbe {
    private MicroKernelProbe() {}

    private static final int NR = GemmConfig.NR, L = GemmConfig.L;
    private static final int KC = 768, A_PANELS = 17, B_PANELS = 72;
    private static final String[] NAMES = {
        "tile only, one B micro-panel (L2)", "tile only, 72 B micro-panels (L3)",
        "tile + combine into C in L1", "tile + combine into C (1.9 MB, as the GEMM)",
        "PackedMatrix.multiply 197 x 2304 x 768, 1 thread"};

    private static final float[] A = filled(12 * KC * A_PANELS, 0.5f), B = filled(KC * NR * B_PANELS, 0.25f);
    private static final float[] TILE = new float[12 * NR], C = new float[A_PANELS * 12 * B_PANELS * NR];
    private static final int M = 197, N = 2304, K = 768;
    private static final PackedMatrix W = PackedMatrix.packWeight(filled(N * K, 0.25f), 0, N, K);
    private static final float[] X = filled(M * K, 0.5f), Y = new float[M * N];
    private static volatile float sink;

    public static void main(String[] args) {
        if (GemmConfig.MR != 12) {
            System.out.println("MicroKernelProbe: the 12-row tile is used with 512-bit vectors only; this JVM has "
                    + L + "-float vectors");
            return;
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        Parallel.setThreads(1);
        for (int w = 0; w < 3; w++) for (int v = -1; v < NAMES.length; v++) run(v, 200);
        double[][] share = new double[NAMES.length][rounds];
        double[] peak = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            peak[r] = run(-1, 150);
            for (int v = 0; v < NAMES.length; v++) share[v][r] = run(v, 150) / peak[r];
        }
        Arrays.sort(peak);
        System.out.printf("FMA loop: %.1f GFLOP/s (median of %d rounds)%n", peak[rounds / 2], rounds);
        for (int v = 0; v < NAMES.length; v++) {
            Arrays.sort(share[v]);
            System.out.printf("%-46s %5.1f %% of the FMA loop (min %.1f, max %.1f)%n", NAMES[v],
                    100 * share[v][rounds / 2], 100 * share[v][0], 100 * share[v][rounds - 1]);
        }
    }

    /** GFLOP/s of variant {@code v} (-1: the FMA loop) over about {@code ms} milliseconds. */
    private static double run(int v, long ms) {
        long t0 = System.nanoTime(), end = t0 + ms * 1_000_000L;
        double flops = 0;
        while (System.nanoTime() < end) flops += v < 0 ? fmaLoop(2_000_000) : pass(v);
        return flops / (System.nanoTime() - t0);
    }

    /** One sweep of loops 2 and 1 (B micro-panels outer, A panels inner, as in GemmDriver); returns its FLOPs. */
    private static double pass(int v) {
        if (v == 4) {
            W.multiply(M, X, 0, K, Y, 0, N, Epilogue.NONE);
            return 2.0 * M * N * K;
        }
        int ldc = B_PANELS * NR;
        for (int q = 0; q < B_PANELS; q++) {
            int bo = v == 0 ? 0 : q * KC * NR;
            for (int p = 0; p < A_PANELS; p++) {
                MicroKernels.tile12x2(KC, A, p * 12 * KC, B, bo, TILE);
                if (v == 2) MicroKernels.combine(TILE, 12, NR, C, 0, NR, 1f, 0f, null, null, 0, true);
                if (v == 3) MicroKernels.combine(TILE, 12, NR, C, p * 12 * ldc + q * NR, ldc, 1f, 0f, null, null, q * NR, true);
            }
        }
        return 2.0 * 12 * NR * KC * A_PANELS * B_PANELS;
    }

    /** 12 independent FMA chains (enough to cover the FMA latency on two pipes); returns its FLOPs. */
    private static double fmaLoop(int iters) {
        FloatVector x = FloatVector.broadcast(GemmConfig.SPECIES, 1.0001f), y = FloatVector.broadcast(GemmConfig.SPECIES, 0.9999f);
        FloatVector c0 = x, c1 = x, c2 = x, c3 = x, c4 = x, c5 = x, c6 = x, c7 = x, c8 = x, c9 = x, c10 = x, c11 = x;
        for (int i = 0; i < iters; i++) {
            c0 = x.fma(y, c0); c1 = x.fma(y, c1); c2 = x.fma(y, c2); c3 = x.fma(y, c3);
            c4 = x.fma(y, c4); c5 = x.fma(y, c5); c6 = x.fma(y, c6); c7 = x.fma(y, c7);
            c8 = x.fma(y, c8); c9 = x.fma(y, c9); c10 = x.fma(y, c10); c11 = x.fma(y, c11);
        }
        sink = c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(VectorOperators.ADD);
        return 2.0 * 12 * L * iters;
    }

    /** Random operands: constant ones ran a few % faster here (fewer toggling bits, less power). */
    private static float[] filled(int n, float seed) {
        Random r = new Random(Float.floatToIntBits(seed));
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = r.nextFloat() * 2 - 1;
        return x;
    }
}
