package dev.vitesse.kernels.gemm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Broadcast-FMA register-tile micro-kernels (BLIS style): each k step loads two B vectors and broadcasts MR
 * A values, updating MR x 2 accumulator vectors; no reductions in the loop. The whole tile, from the k loop to
 * the combination with C, stays in one method so C2 keeps every vector in a register (a helper taking FloatVector
 * arguments that fails to inline would box them). Written out mechanically for MR = 6 (12 accumulators: fits the
 * 16 registers of AVX2) and MR = 12 (24 accumulators: fits the 32 registers of AVX-512).
 *
 * <p>Full tiles only: the driver routes edge tiles through a scratch tile (packing pads A and B with zeros).
 *
 * <p>Fragile, measured: a 6 x 2 tile needs 15 of AVX2's 16 ymm registers in the k loop. A variant that stored the
 * bare accumulators to a tile buffer and combined with C in a separate method (to keep the epilogue's branches out
 * of this method) ran at half speed: C2 then scheduled three broadcasts ahead of their FMAs and kept one
 * accumulator on the stack (load + FMA + store per k step, checked with -XX:+PrintAssembly). Re-check the loop's
 * assembly after any change here.
 */
final class MicroKernels {
    private MicroKernels() {}

    private static final VectorSpecies<Float> S = GemmConfig.SPECIES;
    private static final int L = GemmConfig.L;
    private static final int NR = GemmConfig.NR;

    /**
     * 6 x 2L register tile: C[6][2L] (op)= A-panel[kc][6] * B-panel[kc][2L] (12 accumulators).
     * a/ao: packed A micro-panel (6 floats per k step); b/bo: packed B micro-panel (2L floats per k step).
     * Combination with C per {@link TileOp}: v = acc * s_j + (first ? add_j + beta*C : C).
     */
    static void tile6x2(int kc, float[] a, int ao, float[] b, int bo, float[] c, int co, int ldc,
                       float alpha, float beta, float[] scale, float[] add, int col, boolean first) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z;
        FloatVector c10 = z, c11 = z;
        FloatVector c20 = z, c21 = z;
        FloatVector c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z;
        FloatVector c50 = z, c51 = z;
        for (int p = 0; p < kc; p++) {
            int ai = ao + p * 6, bi = bo + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector x = FloatVector.broadcast(S, a[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[ai + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[ai + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        FloatVector s0, s1;
        if (scale == null) {
            s0 = FloatVector.broadcast(S, alpha);
            s1 = s0;
        } else {
            s0 = FloatVector.fromArray(S, scale, col);
            s1 = FloatVector.fromArray(S, scale, col + L);
        }
        c00 = c00.mul(s0);
        c01 = c01.mul(s1);
        c10 = c10.mul(s0);
        c11 = c11.mul(s1);
        c20 = c20.mul(s0);
        c21 = c21.mul(s1);
        c30 = c30.mul(s0);
        c31 = c31.mul(s1);
        c40 = c40.mul(s0);
        c41 = c41.mul(s1);
        c50 = c50.mul(s0);
        c51 = c51.mul(s1);
        if (first) {
            if (add != null) {
                FloatVector d0 = FloatVector.fromArray(S, add, col);
                FloatVector d1 = FloatVector.fromArray(S, add, col + L);
                c00 = c00.add(d0);
                c01 = c01.add(d1);
                c10 = c10.add(d0);
                c11 = c11.add(d1);
                c20 = c20.add(d0);
                c21 = c21.add(d1);
                c30 = c30.add(d0);
                c31 = c31.add(d1);
                c40 = c40.add(d0);
                c41 = c41.add(d1);
                c50 = c50.add(d0);
                c51 = c51.add(d1);
            }
            if (beta == 1f) {
                c00 = c00.add(FloatVector.fromArray(S, c, co));
                c01 = c01.add(FloatVector.fromArray(S, c, co + L));
                c10 = c10.add(FloatVector.fromArray(S, c, co + 1 * ldc));
                c11 = c11.add(FloatVector.fromArray(S, c, co + 1 * ldc + L));
                c20 = c20.add(FloatVector.fromArray(S, c, co + 2 * ldc));
                c21 = c21.add(FloatVector.fromArray(S, c, co + 2 * ldc + L));
                c30 = c30.add(FloatVector.fromArray(S, c, co + 3 * ldc));
                c31 = c31.add(FloatVector.fromArray(S, c, co + 3 * ldc + L));
                c40 = c40.add(FloatVector.fromArray(S, c, co + 4 * ldc));
                c41 = c41.add(FloatVector.fromArray(S, c, co + 4 * ldc + L));
                c50 = c50.add(FloatVector.fromArray(S, c, co + 5 * ldc));
                c51 = c51.add(FloatVector.fromArray(S, c, co + 5 * ldc + L));
            } else if (beta != 0f) { // beta == 0: C is not read (BLAS semantics)
                FloatVector bv = FloatVector.broadcast(S, beta);
                c00 = FloatVector.fromArray(S, c, co).fma(bv, c00);
                c01 = FloatVector.fromArray(S, c, co + L).fma(bv, c01);
                c10 = FloatVector.fromArray(S, c, co + 1 * ldc).fma(bv, c10);
                c11 = FloatVector.fromArray(S, c, co + 1 * ldc + L).fma(bv, c11);
                c20 = FloatVector.fromArray(S, c, co + 2 * ldc).fma(bv, c20);
                c21 = FloatVector.fromArray(S, c, co + 2 * ldc + L).fma(bv, c21);
                c30 = FloatVector.fromArray(S, c, co + 3 * ldc).fma(bv, c30);
                c31 = FloatVector.fromArray(S, c, co + 3 * ldc + L).fma(bv, c31);
                c40 = FloatVector.fromArray(S, c, co + 4 * ldc).fma(bv, c40);
                c41 = FloatVector.fromArray(S, c, co + 4 * ldc + L).fma(bv, c41);
                c50 = FloatVector.fromArray(S, c, co + 5 * ldc).fma(bv, c50);
                c51 = FloatVector.fromArray(S, c, co + 5 * ldc + L).fma(bv, c51);
            }
        } else {
            c00 = c00.add(FloatVector.fromArray(S, c, co));
            c01 = c01.add(FloatVector.fromArray(S, c, co + L));
            c10 = c10.add(FloatVector.fromArray(S, c, co + 1 * ldc));
            c11 = c11.add(FloatVector.fromArray(S, c, co + 1 * ldc + L));
            c20 = c20.add(FloatVector.fromArray(S, c, co + 2 * ldc));
            c21 = c21.add(FloatVector.fromArray(S, c, co + 2 * ldc + L));
            c30 = c30.add(FloatVector.fromArray(S, c, co + 3 * ldc));
            c31 = c31.add(FloatVector.fromArray(S, c, co + 3 * ldc + L));
            c40 = c40.add(FloatVector.fromArray(S, c, co + 4 * ldc));
            c41 = c41.add(FloatVector.fromArray(S, c, co + 4 * ldc + L));
            c50 = c50.add(FloatVector.fromArray(S, c, co + 5 * ldc));
            c51 = c51.add(FloatVector.fromArray(S, c, co + 5 * ldc + L));
        }
        c00.intoArray(c, co);
        c01.intoArray(c, co + L);
        c10.intoArray(c, co + 1 * ldc);
        c11.intoArray(c, co + 1 * ldc + L);
        c20.intoArray(c, co + 2 * ldc);
        c21.intoArray(c, co + 2 * ldc + L);
        c30.intoArray(c, co + 3 * ldc);
        c31.intoArray(c, co + 3 * ldc + L);
        c40.intoArray(c, co + 4 * ldc);
        c41.intoArray(c, co + 4 * ldc + L);
        c50.intoArray(c, co + 5 * ldc);
        c51.intoArray(c, co + 5 * ldc + L);
    }

    /**
     * 12 x 2L register tile: C[12][2L] (op)= A-panel[kc][12] * B-panel[kc][2L] (24 accumulators).
     * a/ao: packed A micro-panel (12 floats per k step); b/bo: packed B micro-panel (2L floats per k step).
     * Combination with C per {@link TileOp}: v = acc * s_j + (first ? add_j + beta*C : C).
     */
    static void tile12x2(int kc, float[] a, int ao, float[] b, int bo, float[] c, int co, int ldc,
                       float alpha, float beta, float[] scale, float[] add, int col, boolean first) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z;
        FloatVector c10 = z, c11 = z;
        FloatVector c20 = z, c21 = z;
        FloatVector c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z;
        FloatVector c50 = z, c51 = z;
        FloatVector c60 = z, c61 = z;
        FloatVector c70 = z, c71 = z;
        FloatVector c80 = z, c81 = z;
        FloatVector c90 = z, c91 = z;
        FloatVector c100 = z, c101 = z;
        FloatVector c110 = z, c111 = z;
        for (int p = 0; p < kc; p++) {
            int ai = ao + p * 12, bi = bo + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector x = FloatVector.broadcast(S, a[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[ai + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[ai + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[ai + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[ai + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
            x = FloatVector.broadcast(S, a[ai + 8]);
            c80 = x.fma(b0, c80);
            c81 = x.fma(b1, c81);
            x = FloatVector.broadcast(S, a[ai + 9]);
            c90 = x.fma(b0, c90);
            c91 = x.fma(b1, c91);
            x = FloatVector.broadcast(S, a[ai + 10]);
            c100 = x.fma(b0, c100);
            c101 = x.fma(b1, c101);
            x = FloatVector.broadcast(S, a[ai + 11]);
            c110 = x.fma(b0, c110);
            c111 = x.fma(b1, c111);
        }
        FloatVector s0, s1;
        if (scale == null) {
            s0 = FloatVector.broadcast(S, alpha);
            s1 = s0;
        } else {
            s0 = FloatVector.fromArray(S, scale, col);
            s1 = FloatVector.fromArray(S, scale, col + L);
        }
        c00 = c00.mul(s0);
        c01 = c01.mul(s1);
        c10 = c10.mul(s0);
        c11 = c11.mul(s1);
        c20 = c20.mul(s0);
        c21 = c21.mul(s1);
        c30 = c30.mul(s0);
        c31 = c31.mul(s1);
        c40 = c40.mul(s0);
        c41 = c41.mul(s1);
        c50 = c50.mul(s0);
        c51 = c51.mul(s1);
        c60 = c60.mul(s0);
        c61 = c61.mul(s1);
        c70 = c70.mul(s0);
        c71 = c71.mul(s1);
        c80 = c80.mul(s0);
        c81 = c81.mul(s1);
        c90 = c90.mul(s0);
        c91 = c91.mul(s1);
        c100 = c100.mul(s0);
        c101 = c101.mul(s1);
        c110 = c110.mul(s0);
        c111 = c111.mul(s1);
        if (first) {
            if (add != null) {
                FloatVector d0 = FloatVector.fromArray(S, add, col);
                FloatVector d1 = FloatVector.fromArray(S, add, col + L);
                c00 = c00.add(d0);
                c01 = c01.add(d1);
                c10 = c10.add(d0);
                c11 = c11.add(d1);
                c20 = c20.add(d0);
                c21 = c21.add(d1);
                c30 = c30.add(d0);
                c31 = c31.add(d1);
                c40 = c40.add(d0);
                c41 = c41.add(d1);
                c50 = c50.add(d0);
                c51 = c51.add(d1);
                c60 = c60.add(d0);
                c61 = c61.add(d1);
                c70 = c70.add(d0);
                c71 = c71.add(d1);
                c80 = c80.add(d0);
                c81 = c81.add(d1);
                c90 = c90.add(d0);
                c91 = c91.add(d1);
                c100 = c100.add(d0);
                c101 = c101.add(d1);
                c110 = c110.add(d0);
                c111 = c111.add(d1);
            }
            if (beta == 1f) {
                c00 = c00.add(FloatVector.fromArray(S, c, co));
                c01 = c01.add(FloatVector.fromArray(S, c, co + L));
                c10 = c10.add(FloatVector.fromArray(S, c, co + 1 * ldc));
                c11 = c11.add(FloatVector.fromArray(S, c, co + 1 * ldc + L));
                c20 = c20.add(FloatVector.fromArray(S, c, co + 2 * ldc));
                c21 = c21.add(FloatVector.fromArray(S, c, co + 2 * ldc + L));
                c30 = c30.add(FloatVector.fromArray(S, c, co + 3 * ldc));
                c31 = c31.add(FloatVector.fromArray(S, c, co + 3 * ldc + L));
                c40 = c40.add(FloatVector.fromArray(S, c, co + 4 * ldc));
                c41 = c41.add(FloatVector.fromArray(S, c, co + 4 * ldc + L));
                c50 = c50.add(FloatVector.fromArray(S, c, co + 5 * ldc));
                c51 = c51.add(FloatVector.fromArray(S, c, co + 5 * ldc + L));
                c60 = c60.add(FloatVector.fromArray(S, c, co + 6 * ldc));
                c61 = c61.add(FloatVector.fromArray(S, c, co + 6 * ldc + L));
                c70 = c70.add(FloatVector.fromArray(S, c, co + 7 * ldc));
                c71 = c71.add(FloatVector.fromArray(S, c, co + 7 * ldc + L));
                c80 = c80.add(FloatVector.fromArray(S, c, co + 8 * ldc));
                c81 = c81.add(FloatVector.fromArray(S, c, co + 8 * ldc + L));
                c90 = c90.add(FloatVector.fromArray(S, c, co + 9 * ldc));
                c91 = c91.add(FloatVector.fromArray(S, c, co + 9 * ldc + L));
                c100 = c100.add(FloatVector.fromArray(S, c, co + 10 * ldc));
                c101 = c101.add(FloatVector.fromArray(S, c, co + 10 * ldc + L));
                c110 = c110.add(FloatVector.fromArray(S, c, co + 11 * ldc));
                c111 = c111.add(FloatVector.fromArray(S, c, co + 11 * ldc + L));
            } else if (beta != 0f) { // beta == 0: C is not read (BLAS semantics)
                FloatVector bv = FloatVector.broadcast(S, beta);
                c00 = FloatVector.fromArray(S, c, co).fma(bv, c00);
                c01 = FloatVector.fromArray(S, c, co + L).fma(bv, c01);
                c10 = FloatVector.fromArray(S, c, co + 1 * ldc).fma(bv, c10);
                c11 = FloatVector.fromArray(S, c, co + 1 * ldc + L).fma(bv, c11);
                c20 = FloatVector.fromArray(S, c, co + 2 * ldc).fma(bv, c20);
                c21 = FloatVector.fromArray(S, c, co + 2 * ldc + L).fma(bv, c21);
                c30 = FloatVector.fromArray(S, c, co + 3 * ldc).fma(bv, c30);
                c31 = FloatVector.fromArray(S, c, co + 3 * ldc + L).fma(bv, c31);
                c40 = FloatVector.fromArray(S, c, co + 4 * ldc).fma(bv, c40);
                c41 = FloatVector.fromArray(S, c, co + 4 * ldc + L).fma(bv, c41);
                c50 = FloatVector.fromArray(S, c, co + 5 * ldc).fma(bv, c50);
                c51 = FloatVector.fromArray(S, c, co + 5 * ldc + L).fma(bv, c51);
                c60 = FloatVector.fromArray(S, c, co + 6 * ldc).fma(bv, c60);
                c61 = FloatVector.fromArray(S, c, co + 6 * ldc + L).fma(bv, c61);
                c70 = FloatVector.fromArray(S, c, co + 7 * ldc).fma(bv, c70);
                c71 = FloatVector.fromArray(S, c, co + 7 * ldc + L).fma(bv, c71);
                c80 = FloatVector.fromArray(S, c, co + 8 * ldc).fma(bv, c80);
                c81 = FloatVector.fromArray(S, c, co + 8 * ldc + L).fma(bv, c81);
                c90 = FloatVector.fromArray(S, c, co + 9 * ldc).fma(bv, c90);
                c91 = FloatVector.fromArray(S, c, co + 9 * ldc + L).fma(bv, c91);
                c100 = FloatVector.fromArray(S, c, co + 10 * ldc).fma(bv, c100);
                c101 = FloatVector.fromArray(S, c, co + 10 * ldc + L).fma(bv, c101);
                c110 = FloatVector.fromArray(S, c, co + 11 * ldc).fma(bv, c110);
                c111 = FloatVector.fromArray(S, c, co + 11 * ldc + L).fma(bv, c111);
            }
        } else {
            c00 = c00.add(FloatVector.fromArray(S, c, co));
            c01 = c01.add(FloatVector.fromArray(S, c, co + L));
            c10 = c10.add(FloatVector.fromArray(S, c, co + 1 * ldc));
            c11 = c11.add(FloatVector.fromArray(S, c, co + 1 * ldc + L));
            c20 = c20.add(FloatVector.fromArray(S, c, co + 2 * ldc));
            c21 = c21.add(FloatVector.fromArray(S, c, co + 2 * ldc + L));
            c30 = c30.add(FloatVector.fromArray(S, c, co + 3 * ldc));
            c31 = c31.add(FloatVector.fromArray(S, c, co + 3 * ldc + L));
            c40 = c40.add(FloatVector.fromArray(S, c, co + 4 * ldc));
            c41 = c41.add(FloatVector.fromArray(S, c, co + 4 * ldc + L));
            c50 = c50.add(FloatVector.fromArray(S, c, co + 5 * ldc));
            c51 = c51.add(FloatVector.fromArray(S, c, co + 5 * ldc + L));
            c60 = c60.add(FloatVector.fromArray(S, c, co + 6 * ldc));
            c61 = c61.add(FloatVector.fromArray(S, c, co + 6 * ldc + L));
            c70 = c70.add(FloatVector.fromArray(S, c, co + 7 * ldc));
            c71 = c71.add(FloatVector.fromArray(S, c, co + 7 * ldc + L));
            c80 = c80.add(FloatVector.fromArray(S, c, co + 8 * ldc));
            c81 = c81.add(FloatVector.fromArray(S, c, co + 8 * ldc + L));
            c90 = c90.add(FloatVector.fromArray(S, c, co + 9 * ldc));
            c91 = c91.add(FloatVector.fromArray(S, c, co + 9 * ldc + L));
            c100 = c100.add(FloatVector.fromArray(S, c, co + 10 * ldc));
            c101 = c101.add(FloatVector.fromArray(S, c, co + 10 * ldc + L));
            c110 = c110.add(FloatVector.fromArray(S, c, co + 11 * ldc));
            c111 = c111.add(FloatVector.fromArray(S, c, co + 11 * ldc + L));
        }
        c00.intoArray(c, co);
        c01.intoArray(c, co + L);
        c10.intoArray(c, co + 1 * ldc);
        c11.intoArray(c, co + 1 * ldc + L);
        c20.intoArray(c, co + 2 * ldc);
        c21.intoArray(c, co + 2 * ldc + L);
        c30.intoArray(c, co + 3 * ldc);
        c31.intoArray(c, co + 3 * ldc + L);
        c40.intoArray(c, co + 4 * ldc);
        c41.intoArray(c, co + 4 * ldc + L);
        c50.intoArray(c, co + 5 * ldc);
        c51.intoArray(c, co + 5 * ldc + L);
        c60.intoArray(c, co + 6 * ldc);
        c61.intoArray(c, co + 6 * ldc + L);
        c70.intoArray(c, co + 7 * ldc);
        c71.intoArray(c, co + 7 * ldc + L);
        c80.intoArray(c, co + 8 * ldc);
        c81.intoArray(c, co + 8 * ldc + L);
        c90.intoArray(c, co + 9 * ldc);
        c91.intoArray(c, co + 9 * ldc + L);
        c100.intoArray(c, co + 10 * ldc);
        c101.intoArray(c, co + 10 * ldc + L);
        c110.intoArray(c, co + 11 * ldc);
        c111.intoArray(c, co + 11 * ldc + L);
    }
}
