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
 * <p>Full tiles only (packing pads A and B with zeros): the driver routes 6-row edge tiles through a scratch
 * tile; the 12-row kernel always writes a tile buffer that {@link #combine} merges into C, edges included.
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
     * 12 x 2L register tile: T[12][2L] = A-panel[kc][12] * B-panel[kc][2L] (24 accumulators), stored row-major
     * into the tile buffer {@code t} (12 * NR floats); {@link #combine} then merges it into C.
     *
     * <p>Why not combine with C here, as {@link #tile6x2} does: with the epilogue inlined this method is too large
     * for C1's tier-3 (profiling) compile ("out of virtual registers in LIR generator", seen on Zen 5 with 512-bit
     * vectors). The tiered policy then never hands it to C2, and the kernel ran interpreted-speed Vector API code
     * (1.6 GFLOP/s instead of ~190). With 32 vector registers the tile store costs no spills; the extra 24 stores
     * and loads per K block are under 1 % of the 12 * 2 * kc FMAs.
     */
    static void tile12x2(int kc, float[] a, int ao, float[] b, int bo, float[] t) {
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
        c00.intoArray(t, 0 * L);
        c01.intoArray(t, 1 * L);
        c10.intoArray(t, 2 * L);
        c11.intoArray(t, 3 * L);
        c20.intoArray(t, 4 * L);
        c21.intoArray(t, 5 * L);
        c30.intoArray(t, 6 * L);
        c31.intoArray(t, 7 * L);
        c40.intoArray(t, 8 * L);
        c41.intoArray(t, 9 * L);
        c50.intoArray(t, 10 * L);
        c51.intoArray(t, 11 * L);
        c60.intoArray(t, 12 * L);
        c61.intoArray(t, 13 * L);
        c70.intoArray(t, 14 * L);
        c71.intoArray(t, 15 * L);
        c80.intoArray(t, 16 * L);
        c81.intoArray(t, 17 * L);
        c90.intoArray(t, 18 * L);
        c91.intoArray(t, 19 * L);
        c100.intoArray(t, 20 * L);
        c101.intoArray(t, 21 * L);
        c110.intoArray(t, 22 * L);
        c111.intoArray(t, 23 * L);
    }

    /**
     * Merges a rows x cols part of the accumulated tile {@code t} (row stride NR) into C per {@link TileOp}:
     * {@code v = acc * s_j + (first ? add_j + beta*C : C)}, the same operations in the same order as
     * {@link #tile6x2}, so the result does not depend on the tile height. Edge columns (cols < NR) go scalar.
     */
    static void combine(float[] t, int rows, int cols, float[] c, int co, int ldc, float alpha, float beta,
                        float[] scale, float[] add, int col, boolean first) {
        for (int i = 0; i < rows; i++) {
            int ci = co + i * ldc, ti = i * NR;
            if (cols == NR) {
                for (int h = 0; h < NR; h += L) {
                    FloatVector s = scale == null ? FloatVector.broadcast(S, alpha) : FloatVector.fromArray(S, scale, col + h);
                    FloatVector v = FloatVector.fromArray(S, t, ti + h).mul(s);
                    if (first) {
                        if (add != null) v = v.add(FloatVector.fromArray(S, add, col + h));
                        if (beta == 1f) v = v.add(FloatVector.fromArray(S, c, ci + h));
                        else if (beta != 0f) v = FloatVector.fromArray(S, c, ci + h).fma(FloatVector.broadcast(S, beta), v);
                    } else {
                        v = v.add(FloatVector.fromArray(S, c, ci + h));
                    }
                    v.intoArray(c, ci + h);
                }
            } else {
                for (int j = 0; j < cols; j++) {
                    float v = t[ti + j] * (scale == null ? alpha : scale[col + j]);
                    if (first) {
                        if (add != null) v = v + add[col + j];
                        if (beta == 1f) v = v + c[ci + j];
                        else if (beta != 0f) v = Math.fma(c[ci + j], beta, v);
                    } else {
                        v = v + c[ci + j];
                    }
                    c[ci + j] = v;
                }
            }
        }
    }
}
