package dev.vitesse.kernels;

import dev.vitesse.kernels.gemm.Transpose;

import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The flash-attention kernel behind {@link Attention#flash} (arguments already validated there).
 *
 * <p>BLIS-style split: the driver ({@link #run}) cuts the work into (batch, head, range of query blocks)
 * items and schedules them on {@link Parallel}; each item packs K and V of its head once into panels, then
 * {@link #block} handles one query block of at most {@link #BQ} rows, looping over key blocks of {@link #BK}
 * keys. Both products, S = K Q^T and O^T = V^T P, run through one broadcast-FMA register-tile micro-kernel
 * ({@link #panelTile}: MR = 6 broadcast rows x 2 query vectors = 12 accumulators, the GEMM's AVX2 shape), and
 * an online softmax between them keeps the running max and sum per query. (A 12-row tile for 512-bit vectors
 * measured only 0.5-3% faster on Zen 5 and its C2 compile took long enough to leave short warm-ups in C1 code.)
 *
 * <p>Everything is kept "transposed", queries in the vector lanes:
 * <ul>
 *   <li>{@code qp[c][BQ]}: scale * Q^T of the block;</li>
 *   <li>{@code kp[g][c][MR]}: K of the head in micro-panels of MR keys (the kernel's broadcast operand);</li>
 *   <li>{@code s[key][BQ]}: scores, then probabilities (keys x queries), so the softmax statistics are vectors
 *       over queries and need no horizontal reduction, and P is directly the vector operand of P.V;</li>
 *   <li>{@code vp[cg][key][MR]}: V of the head in micro-panels of MR channels (zero-padded to a multiple of
 *       MR), the broadcast operand of P.V;</li>
 *   <li>{@code o[c][BQ]}: the unnormalised output accumulator. With 512-bit vectors ({@link #ACCUMULATE}) P.V
 *       accumulates into it directly, after {@link #rescale} multiplied the query vectors whose max moved by
 *       the rescale factor; with 256-bit vectors the kernel starts from zero into {@code ot[c][BQ]} (the
 *       current key block's P.V) and {@link #merge} folds that in with the rescale factor.</li>
 * </ul>
 * Scratch per thread: O(headDim * BQ + BK * BQ) for the tiles (~104 KiB for headDim 64 with 512-bit vectors,
 * ~137 KiB with 256-bit ones; L2-resident) plus
 * O(nkv * headDim) for the K/V panels: it grows linearly with N, never with N^2.
 *
 * <p>Determinism: the block partition depends only on nq, and every block is computed the same way whichever
 * thread runs it, so results do not depend on the thread count.
 */
final class FlashAttention {
    private FlashAttention() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    /** Query vectors per register tile (QT = QV * L queries wide). */
    private static final int QV = 2;
    private static final int QT = QV * L;
    /** Broadcast rows per register tile (keys in S, channels in P.V): MR x QV = 12 accumulators. */
    static final int MR = 6;
    /**
     * Maximum query rows per block, a multiple of QT: every block reads all of K and V of its head once, so
     * larger blocks cut that traffic, while qp, s, o and ot (each BQ wide) must stay in L2.
     */
    static final int BQ = roundUp(Math.max(128, 2 * QT), QT);
    /**
     * With 32 vector registers (512-bit vectors), P.V accumulates straight into the output accumulator O (a
     * loaded start costs no spills there), after rescaling only the query vectors whose max moved; with 16
     * (AVX2) it starts from zero into OT, merged afterwards, as a loaded start spills (see {@link #panelTile}).
     */
    static final boolean ACCUMULATE = L >= 16;
    /** Keys per block, a multiple of MR: the S tile (BK x BQ floats) stays in L2 next to qp, o and ot. */
    static final int BK = 12 * MR;
    /** Target number of tasks per thread (load balance vs per-task overhead). */
    private static final int TASKS_PER_THREAD = 8;

    static int roundUp(int x, int m) {
        return (x + m - 1) / m * m;
    }

    /** Bytes of scratch per thread for head dim d and nkv keys (tiles plus K/V panels). */
    static long scratchBytes(int d, int nkv) {
        long dg = roundUp(d, MR);
        long tiles = (long) d * BQ + (long) BK * BQ + (ACCUMULATE ? 1L : 2L) * dg * BQ + 5L * BQ;
        long panels = (long) roundUp(nkv, MR) * d + (long) nkv * dg;
        return 4L * (tiles + panels) + BQ / L; // + the moved flags
    }

    static void run(int batch, int heads, int nq, int nkv, int d, float scale, AttentionView q, AttentionView k,
                    AttentionView v, AttentionView out, BiasTerms terms) {
        int bh = batch * heads;
        int qBlocks = (nq + BQ - 1) / BQ;
        // balanced blocks (197 -> 112 + 85 rather than 128 + 69), rounded to whole register tiles
        int blockRows = Math.min(BQ, roundUp((nq + qBlocks - 1) / qBlocks, QT));
        int threads = Parallel.threads();
        int target = threads * TASKS_PER_THREAD;
        // (batch, head) pairs that do not divide evenly over the threads (e.g. 1 head): split their query blocks
        // across tasks so every thread has work (each task packs the K/V panels of its head itself)
        int splits = bh >= target || bh % threads == 0 ? 1 : Math.min(qBlocks, (target + bh - 1) / bh);
        int items = bh * splits;
        int chunks = threads == 1 ? 1 : Math.min(items, target);
        Parallel.forEach(chunks, chunk -> {
            Tile tile = Tile.forThread(d);
            int it0 = (int) ((long) items * chunk / chunks), it1 = (int) ((long) items * (chunk + 1) / chunks);
            for (int it = it0; it < it1; it++) {
                int p = it / splits, sp = it % splits;
                int b = p / heads, h = p % heads;
                int blk0 = qBlocks * sp / splits, blk1 = qBlocks * (sp + 1) / splits;
                if (blk0 >= blk1) continue;
                tile.packKV(k.data(), k.index(b, h, 0), k.rowStride(), v.data(), v.index(b, h, 0), v.rowStride(), nkv);
                for (int blk = blk0; blk < blk1; blk++) {
                    int i0 = blk * blockRows;
                    int rows = Math.min(blockRows, nq - i0);
                    if (rows > 0) block(tile, b, h, heads, i0, rows, nkv, d, scale, q, out, terms);
                }
            }
        });
    }

    /**
     * Per-thread scratch. Cached per thread (one set per worker, reused across calls) so steady-state calls
     * allocate nothing; a call with another head dim replaces the set, a longer K/V grows the panels.
     */
    private static final class Tile {
        private static final ThreadLocal<Tile> CACHE = new ThreadLocal<>();

        final int d, dg;                       // head dim, and head dim rounded up to MR
        final float[] qp;                      // [d][BQ]       scale * Q^T
        final float[] s;                       // [BK][BQ]      scores, then probabilities
        final float[] o;                       // [dg][BQ]      unnormalised output accumulator
        final float[] ot;                      // [dg][BQ]      P.V of the current key block (unless ACCUMULATE)
        final float[] m = new float[BQ];       // running max per query
        final float[] l = new float[BQ];       // running sum per query
        final float[] alpha = new float[BQ];   // rescale factor of the current key block
        final float[] rowSum = new float[BQ];  // sum of P over the current key block
        final float[] mSafe = new float[BQ];   // max used in the exponent (0 for -Infinity)
        final boolean[] moved = new boolean[BQ / L]; // query vectors whose max moved in the current key block
        float[] kp = new float[0];             // [nkv/MR][d][MR]   K of the current head
        float[] vp = new float[0];             // [dg/MR][nkv][MR]  V of the current head
        int vpStride;                          // nkv * MR: distance between channel groups of vp

        static Tile forThread(int d) {
            Tile t = CACHE.get();
            if (t == null || t.d != d) {
                t = new Tile(d);
                CACHE.set(t);
            }
            return t;
        }

        Tile(int d) {
            this.d = d;
            this.dg = roundUp(d, MR);
            qp = new float[d * BQ];
            s = new float[BK * BQ];
            o = new float[dg * BQ];
            ot = new float[ACCUMULATE ? 0 : dg * BQ];
        }

        /**
         * Packs K and V of one (batch, head) once for all its query blocks: the blocks then read contiguous,
         * prefetch-friendly panels instead of re-gathering 256-byte rows spread over the fused qkv activation
         * (which missed the caches on every block).
         */
        void packKV(float[] kd, int kBase, int kRow, float[] vd, int vBase, int vRow, int nkv) {
            int kLen = roundUp(nkv, MR) * d, vLen = nkv * dg;
            if (kp.length < kLen) kp = new float[kLen];
            if (vp.length < vLen) vp = new float[vLen];
            packK(kd, kBase, kRow, nkv, d, kp);
            vpStride = nkv * MR;
            packV(vd, vBase, vRow, nkv, d, vpStride, vp);
        }
    }

    private static void block(Tile t, int b, int h, int heads, int i0, int rows, int nkv, int d, float scale,
                              AttentionView q, AttentionView out, BiasTerms terms) {
        // queries computed: rows rounded up to a vector (padding queries are zero); full 2-vector register tiles,
        // then at most one 1-vector tile (49 Swin tokens: 56 columns instead of 64)
        int active = roundUp(rows, L);
        int qtCount = active / QT;
        boolean half = active % QT != 0;
        packQ(q.data(), q.index(b, h, i0), q.rowStride(), rows, active, d, scale, t.qp);
        Arrays.fill(t.m, 0, active, Float.NEGATIVE_INFINITY);
        Arrays.fill(t.l, 0, active, 0f);
        if (!ACCUMULATE || nkv == 0) { // else the first key block's P.V overwrites O
            for (int c = 0; c < d; c++) Arrays.fill(t.o, c * BQ, c * BQ + active, 0f);
        }

        float[] s = t.s;
        int bhIndex = b * heads + h;
        for (int j0 = 0; j0 < nkv; j0 += BK) {
            int bk = Math.min(BK, nkv - j0);
            // S[key][query] = K Qp: key groups of MR, reduction over the d channels
            panelTile(t.kp, j0 * d, MR * d, (bk + MR - 1) / MR, d, t.qp, s, qtCount, false);
            if (half) panelHalfTile(t.kp, j0 * d, MR * d, (bk + MR - 1) / MR, d, t.qp, s, qtCount * QT, false);
            for (int term = 0; term < terms.size(); term++) {
                float[] bd = terms.data[term];
                int ld = terms.ld[term];
                int base = terms.offsets[term][bhIndex] + i0 * ld + j0;
                for (int i = 0; i < rows; i++) {
                    int src = base + i * ld;
                    for (int jj = 0; jj < bk; jj++) s[jj * BQ + i] += bd[src + jj];
                }
            }
            onlineSoftmax(t, bk, active / L);
            // OT[c][query] = V^T P: channel groups of MR, reduction over the bk keys
            if (ACCUMULATE) {
                // O = alpha O + V^T P; the first key block starts from zero (alpha = 0 there)
                boolean acc = j0 > 0;
                if (acc) rescale(t.o, t.alpha, t.moved, d, active / L);
                panelTile(t.vp, j0 * MR, t.vpStride, t.dg / MR, bk, s, t.o, qtCount, acc);
                if (half) panelHalfTile(t.vp, j0 * MR, t.vpStride, t.dg / MR, bk, s, t.o, qtCount * QT, acc);
            } else {
                panelTile(t.vp, j0 * MR, t.vpStride, t.dg / MR, bk, s, t.ot, qtCount, false);
                if (half) panelHalfTile(t.vp, j0 * MR, t.vpStride, t.dg / MR, bk, s, t.ot, qtCount * QT, false);
                merge(t.o, t.ot, t.alpha, d, active);
            }
        }
        // out[i][c] = O[c][i] / l[i]: the division as a vector pass over O (queries in lanes), then a transposition
        float[] o = t.o, inv = t.rowSum; // rowSum is free after the last key block
        for (int i = 0; i < active; i++) inv[i] = inverse(t.l[i]);
        for (int c = 0; c < d; c++) {
            for (int i = 0, x = c * BQ; i < active; i += L, x += L)
                FloatVector.fromArray(F, o, x).mul(FloatVector.fromArray(F, inv, i)).intoArray(o, x);
        }
        Transpose.transpose(o, 0, BQ, d, rows, out.data(), out.index(b, h, i0), out.rowStride());
    }

    /** 1 / l; l == 0 only for a fully masked row, whose output is defined as zero. NaN stays NaN. */
    private static float inverse(float l) {
        return l == 0f ? 0f : 1f / l;
    }

    /**
     * qp[c][i] = scale * Q[i][c] for i &lt; rows, 0 for rows &lt;= i &lt; active: a transposition (16 x 16 register
     * blocks with 512-bit vectors), then the scale as a vector pass over the L1-resident block (the same single
     * rounding as scaling first).
     */
    private static void packQ(float[] qd, int qBase, int qRow, int rows, int active, int d, float scale, float[] qp) {
        Transpose.transpose(qd, qBase, qRow, rows, d, qp, 0, BQ);
        FloatVector sv = FloatVector.broadcast(F, scale);
        for (int c = 0; c < d; c++) {
            int x = c * BQ;
            if (active > rows) Arrays.fill(qp, x + rows, x + active, 0f);
            for (int i = 0; i < active; i += L) FloatVector.fromArray(F, qp, x + i).mul(sv).intoArray(qp, x + i);
        }
    }

    /**
     * kp[g][c][r] = K[g*MR + r][c]; keys past n in the last micro-panel are zero (their scores are computed but
     * never read).
     */
    private static void packK(float[] kd, int kOff, int kRow, int n, int d, float[] kp) {
        for (int g = 0; g * MR < n; g++)
            Transpose.interleaveRows(kd, kOff + g * MR * kRow, kRow, Math.min(MR, n - g * MR), MR, d, kp, g * MR * d);
    }

    /**
     * vp[cg][jj][r] = V[jj][cg*MR + r], 0 for channels >= d (written explicitly: the panels are reused across
     * calls with other strides).
     */
    private static void packV(float[] vd, int vOff, int vRow, int n, int d, int stride, float[] vp) {
        int full = d / MR;
        for (int jj = 0; jj < n; jj++) {
            int src = vOff + jj * vRow;
            for (int cg = 0; cg < full; cg++) {
                int o = cg * stride + jj * MR, i = src + cg * MR;
                vp[o] = vd[i];
                vp[o + 1] = vd[i + 1];
                vp[o + 2] = vd[i + 2];
                vp[o + 3] = vd[i + 3];
                vp[o + 4] = vd[i + 4];
                vp[o + 5] = vd[i + 5];
            }
            if (full * MR < d) {
                int dst = full * stride + jj * MR;
                for (int r = 0; r < MR; r++) vp[dst + r] = full * MR + r < d ? vd[src + full * MR + r] : 0f;
            }
        }
    }

    /**
     * The micro-kernel of both products: for g < groups, r < MR, query i < qtCount * QT,
     * {@code out[(g*MR + r)*BQ + i] = sum_{c < kLen} a[aOff + g*aStride + c*MR + r] * b[c*BQ + i]}
     * ({@code +=} if {@code accumulate}), in register tiles of MR broadcast rows x QV query vectors
     * (12 accumulators). {@code accumulate} is only used with 32 vector registers ({@link #ACCUMULATE}): with a
     * loaded start C2 spills one or two accumulators inside the loop on AVX2 (16 registers), a store-forwarding
     * chain that measured 2x slower, so there the accumulators start from zero and are stored, never loaded.
     */
    private static void panelTile(float[] a, int aOff, int aStride, int groups, int kLen, float[] b, float[] out,
                                  int qtCount, boolean accumulate) {
        for (int g = 0; g < groups; g++) {
            int ab = aOff + g * aStride;
            int orow = g * MR * BQ;
            for (int qt = 0; qt < qtCount; qt++) {
                int qo = qt * QT, so = orow + qo;
                FloatVector a00, a01, a10, a11, a20, a21, a30, a31, a40, a41, a50, a51;
                if (accumulate) {
                    a00 = FloatVector.fromArray(F, out, so);
                    a01 = FloatVector.fromArray(F, out, so + L);
                    a10 = FloatVector.fromArray(F, out, so + BQ);
                    a11 = FloatVector.fromArray(F, out, so + BQ + L);
                    a20 = FloatVector.fromArray(F, out, so + 2 * BQ);
                    a21 = FloatVector.fromArray(F, out, so + 2 * BQ + L);
                    a30 = FloatVector.fromArray(F, out, so + 3 * BQ);
                    a31 = FloatVector.fromArray(F, out, so + 3 * BQ + L);
                    a40 = FloatVector.fromArray(F, out, so + 4 * BQ);
                    a41 = FloatVector.fromArray(F, out, so + 4 * BQ + L);
                    a50 = FloatVector.fromArray(F, out, so + 5 * BQ);
                    a51 = FloatVector.fromArray(F, out, so + 5 * BQ + L);
                } else {
                    a00 = a01 = a10 = a11 = a20 = a21 = a30 = a31 = a40 = a41 = a50 = a51 = FloatVector.zero(F);
                }
                for (int c = 0; c < kLen; c++) {
                    int bi = c * BQ + qo, ai = ab + c * MR;
                    FloatVector b0 = FloatVector.fromArray(F, b, bi);
                    FloatVector b1 = FloatVector.fromArray(F, b, bi + L);
                    FloatVector x = FloatVector.broadcast(F, a[ai]);
                    a00 = x.fma(b0, a00);
                    a01 = x.fma(b1, a01);
                    x = FloatVector.broadcast(F, a[ai + 1]);
                    a10 = x.fma(b0, a10);
                    a11 = x.fma(b1, a11);
                    x = FloatVector.broadcast(F, a[ai + 2]);
                    a20 = x.fma(b0, a20);
                    a21 = x.fma(b1, a21);
                    x = FloatVector.broadcast(F, a[ai + 3]);
                    a30 = x.fma(b0, a30);
                    a31 = x.fma(b1, a31);
                    x = FloatVector.broadcast(F, a[ai + 4]);
                    a40 = x.fma(b0, a40);
                    a41 = x.fma(b1, a41);
                    x = FloatVector.broadcast(F, a[ai + 5]);
                    a50 = x.fma(b0, a50);
                    a51 = x.fma(b1, a51);
                }
                a00.intoArray(out, so);
                a01.intoArray(out, so + L);
                a10.intoArray(out, so + BQ);
                a11.intoArray(out, so + BQ + L);
                a20.intoArray(out, so + 2 * BQ);
                a21.intoArray(out, so + 2 * BQ + L);
                a30.intoArray(out, so + 3 * BQ);
                a31.intoArray(out, so + 3 * BQ + L);
                a40.intoArray(out, so + 4 * BQ);
                a41.intoArray(out, so + 4 * BQ + L);
                a50.intoArray(out, so + 5 * BQ);
                a51.intoArray(out, so + 5 * BQ + L);
            }
        }
    }

    /**
     * {@link #panelTile} for the single query vector at {@code qo}: MR x 1 vector (6 accumulators, latency-bound,
     * but cheaper than computing a whole 2-vector tile of padding). A separate method so the main kernel's
     * register allocation is unaffected.
     */
    private static void panelHalfTile(float[] a, int aOff, int aStride, int groups, int kLen, float[] b, float[] out,
                                      int qo, boolean accumulate) {
        for (int g = 0; g < groups; g++) {
            int ab = aOff + g * aStride;
            int so = g * MR * BQ + qo;
            FloatVector a0, a1, a2, a3, a4, a5;
            if (accumulate) {
                a0 = FloatVector.fromArray(F, out, so);
                a1 = FloatVector.fromArray(F, out, so + BQ);
                a2 = FloatVector.fromArray(F, out, so + 2 * BQ);
                a3 = FloatVector.fromArray(F, out, so + 3 * BQ);
                a4 = FloatVector.fromArray(F, out, so + 4 * BQ);
                a5 = FloatVector.fromArray(F, out, so + 5 * BQ);
            } else {
                a0 = a1 = a2 = a3 = a4 = a5 = FloatVector.zero(F);
            }
            for (int c = 0; c < kLen; c++) {
                int ai = ab + c * MR;
                FloatVector b0 = FloatVector.fromArray(F, b, c * BQ + qo);
                a0 = FloatVector.broadcast(F, a[ai]).fma(b0, a0);
                a1 = FloatVector.broadcast(F, a[ai + 1]).fma(b0, a1);
                a2 = FloatVector.broadcast(F, a[ai + 2]).fma(b0, a2);
                a3 = FloatVector.broadcast(F, a[ai + 3]).fma(b0, a3);
                a4 = FloatVector.broadcast(F, a[ai + 4]).fma(b0, a4);
                a5 = FloatVector.broadcast(F, a[ai + 5]).fma(b0, a5);
            }
            a0.intoArray(out, so);
            a1.intoArray(out, so + BQ);
            a2.intoArray(out, so + 2 * BQ);
            a3.intoArray(out, so + 3 * BQ);
            a4.intoArray(out, so + 4 * BQ);
            a5.intoArray(out, so + 5 * BQ);
        }
    }

    /**
     * Online softmax step over a {@code bk x (nvec*L)} score tile, both passes row by row (sequential over the
     * tile, 2-4% faster at N = 3137 on Zen 5 than column by column): new running max, P = exp(S - max) in place,
     * running sum, and alpha = exp(oldMax - newMax) for rescaling the output accumulator (1 without computing
     * an exp when the max did not change, the common case after the first key blocks). A max of -Infinity
     * (all keys so far masked) is replaced by 0 in the exponent so nothing becomes NaN.
     */
    private static void onlineSoftmax(Tile t, int bk, int nvec) {
        float[] s = t.s, m = t.m, l = t.l, alpha = t.alpha, rowSum = t.rowSum;
        // new max per query, row by row (sequential reads of the tile); alpha keeps the old max for now
        int n = nvec * L;
        System.arraycopy(m, 0, alpha, 0, n);
        for (int jj = 0; jj < bk; jj++) {
            for (int o = 0, x = jj * BQ; o < n; o += L, x += L) {
                larger(FloatVector.fromArray(F, m, o), FloatVector.fromArray(F, s, x)).intoArray(m, o);
            }
        }
        for (int o = 0; o < n; o += L) {
            FloatVector mx = FloatVector.fromArray(F, m, o);
            mx.blend(0f, mx.eq(Float.NEGATIVE_INFINITY)).intoArray(t.mSafe, o);
        }
        // P = exp(S - max) row by row: the tile is read and written sequentially
        Arrays.fill(rowSum, 0, n, 0f);
        for (int jj = 0; jj < bk; jj++) {
            for (int o = 0, x = jj * BQ; o < n; o += L, x += L) {
                FloatVector p = VectorMath.expSoftmax(FloatVector.fromArray(F, s, x).sub(FloatVector.fromArray(F, t.mSafe, o)));
                p.intoArray(s, x);
                FloatVector.fromArray(F, rowSum, o).add(p).intoArray(rowSum, o);
            }
        }
        for (int qv = 0; qv < nvec; qv++) {
            int o = qv * L;
            FloatVector mOld = FloatVector.fromArray(F, alpha, o);
            boolean moved = mOld.compare(VectorOperators.NE, FloatVector.fromArray(F, m, o)).anyTrue();
            t.moved[qv] = moved;
            if (moved) {
                rescaleFactors(alpha, m, l, rowSum, o);
            } else { // the common case after the first key blocks: alpha = 1 without computing an exp
                FloatVector.broadcast(F, 1f).intoArray(alpha, o);
                FloatVector.fromArray(F, l, o).add(FloatVector.fromArray(F, rowSum, o)).intoArray(l, o);
            }
        }
    }

    /**
     * alpha = e^(oldMax - newMax) and l = alpha * l + rowSum for the L queries at o, with alpha holding the
     * old max on entry. Scalar: a second inlined vector exp exceeds C2's node budget for {@link #onlineSoftmax},
     * and a vector method called this rarely would reach C2 late (boxing every vector until then).
     */
    private static void rescaleFactors(float[] alpha, float[] m, float[] l, float[] rowSum, int o) {
        for (int i = o; i < o + L; i++) {
            float mOld = alpha[i], mNew = m[i];
            float a;
            if (mOld == mNew) {
                a = 1f; // also -Inf == -Inf: O and l are still 0
            } else {
                a = VectorMath.exp(mOld - (mNew == Float.NEGATIVE_INFINITY ? 0f : mNew));
            }
            alpha[i] = a;
            l[i] = l[i] * a + rowSum[i];
        }
    }

    /**
     * Lane-wise max by compare and blend: FloatVector.max implements Math.max (NaN and -0.0 rules), which C2
     * expands on x86 to a sequence with ~13 cycles latency (measured 3.6 ns per vector in the max pass on Zen 5,
     * vs 1.3 ns for this form in a column-wise pass). A NaN score is skipped here but still makes its P and the
     * output NaN.
     */
    private static FloatVector larger(FloatVector a, FloatVector x) {
        return a.blend(x, a.lt(x));
    }

    /**
     * O[c][i] = alpha[i] * O[c][i] for c < d, for the query vectors whose max moved (alpha = 1 elsewhere): the
     * rescale before P.V accumulates into O.
     */
    private static void rescale(float[] o, float[] alpha, boolean[] moved, int d, int nvec) {
        for (int qv = 0; qv < nvec; qv++) {
            if (!moved[qv]) continue;
            FloatVector a = FloatVector.fromArray(F, alpha, qv * L);
            for (int c = 0, x = qv * L; c < d; c++, x += BQ) FloatVector.fromArray(F, o, x).mul(a).intoArray(o, x);
        }
    }

    /** O[c][i] = alpha[i] * O[c][i] + OT[c][i] for c < d, i < active (alpha = 1 where the max did not change). */
    private static void merge(float[] o, float[] ot, float[] alpha, int d, int active) {
        for (int c = 0; c < d; c++) {
            for (int i = 0, x = c * BQ; i < active; i += L, x += L) {
                FloatVector a = FloatVector.fromArray(F, alpha, i);
                FloatVector.fromArray(F, o, x).fma(a, FloatVector.fromArray(F, ot, x)).intoArray(o, x);
            }
        }
    }
}
