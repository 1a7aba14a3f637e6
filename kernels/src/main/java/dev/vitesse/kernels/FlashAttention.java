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
 * items and schedules them on {@link Parallel}; each item packs K and V of its head once, then {@link #block}
 * handles one query block of at most {@link #BQ} rows, looping over key blocks ({@link #keyBlock}). Both products
 * run through broadcast-FMA register tiles, with an online softmax between them keeping the running max and sum
 * per query:
 * <ul>
 *   <li>S = K Q^T ({@link #panelTile}): MR = 6 broadcast keys x 2 query vectors = 12 accumulators, the queries in
 *       the vector lanes, so the softmax statistics are vectors over queries and need no horizontal reduction.
 *       (A 12-key tile for 512-bit vectors measured only 0.5-3% faster on Zen 5 and its C2 compile took long
 *       enough to leave short warm-ups in C1 code.)</li>
 *   <li>O += P V ({@link #pvTile12}, {@link #pvTile6}): MQ broadcast queries x 2 channel vectors (MQ = 12, 24
 *       accumulators, with 512-bit vectors; 6 with 256-bit ones), the channels in the lanes. V is then used in its
 *       natural row layout and O comes out row by row, so neither needs a transposition.</li>
 * </ul>
 * Layouts:
 * <ul>
 *   <li>{@code qp[c][BQ]}: scale * Q^T of the block;</li>
 *   <li>{@code kp[g][c][MR]}: K of the head in micro-panels of MR keys (the S tile's broadcast operand);</li>
 *   <li>{@code s[key][BQ]}: scores, then probabilities P (keys x queries): the vector operand of the S tile's
 *       output and, read MQ queries at a time, the broadcast operand of P V;</li>
 *   <li>{@code vp[key][dv]}: V of the head, rows padded with zeros to dv = d rounded up to a vector;</li>
 *   <li>{@code o[query][dv]}: the unnormalised output. With 512-bit vectors ({@link #ACCUMULATE}) P V accumulates
 *       into it directly, after {@link #rescale} multiplied the rows whose max moved by the rescale factor; with
 *       256-bit vectors the tile starts from zero into {@code ot} (the current key block's P V) and {@link #merge}
 *       folds that in with the rescale factor.</li>
 * </ul>
 * Scratch per thread: O(headDim * BQ + keyBlock * BQ) for the tiles (with 512-bit vectors and headDim 64: ~170 KiB
 * at N = 197, ~460 KiB from N = 785 up; L2-resident) plus O(nkv * headDim) for the K/V panels: it grows linearly
 * with N, never with N^2.
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
    /** Broadcast keys per S register tile: MR x QV = 12 accumulators. */
    static final int MR = 6;
    /**
     * Maximum query rows per block, a multiple of QT: every block reads all of K and V of its head once, so
     * larger blocks cut that traffic, while qp, s, o and ot (each BQ wide) must stay in L2.
     */
    static final int BQ = roundUp(Math.max(128, 2 * QT), QT);
    /**
     * With 32 vector registers (512-bit vectors), P V accumulates straight into the output accumulator O (a
     * loaded start costs no spills there), after rescaling only the rows whose max moved; with 16 (AVX2) it starts
     * from zero into OT, merged afterwards, as a loaded start spills (see {@link #pvTile6}).
     */
    static final boolean ACCUMULATE = L >= 16;
    /** Broadcast queries per P V register tile: 12 x 2 channel vectors = 24 accumulators with 32 registers, else 6. */
    static final int MQ = ACCUMULATE ? 12 : 6;
    /** Rows of O: the block's rows rounded up to whole P V tiles. */
    static final int BQP = roundUp(BQ, MQ);
    /** Keys per block on the 256-bit path, a multiple of MR: the S tile (BK x BQ floats, 36 KiB) stays in L1. */
    static final int BK = 12 * MR;
    /**
     * Most keys per key block; longer key sets are cut into equal blocks of at most this many keys. With 512-bit
     * vectors up to 792 keys are one block (ViT's 197 and 785 tokens: a plain two-pass softmax, no rescaling) and
     * N = 3137 is 4 blocks of 786: every key block reloads, rescales and stores the O accumulators and computes the
     * rescale factors, and the S tile (<= 396 KiB) still sits in L2. Measured on Zen 5 against 72-key blocks
     * (in-process A/B, 1 thread): 1.15x at N = 197, 1.19x at 785, 1.10x at 3137; 528 or 1056 at N = 3137 within
     * 1 %. On the 256-bit path it made no difference here, and machines with such vectors have smaller L2 caches.
     */
    static final int KEY_BLOCK_MAX = ACCUMULATE ? 792 : BK;
    /** Target number of tasks per thread (load balance vs per-task overhead). */
    private static final int TASKS_PER_THREAD = 8;

    static int roundUp(int x, int m) {
        return (x + m - 1) / m * m;
    }

    /** Keys per block for nkv keys: equal blocks of at most KEY_BLOCK_MAX keys, rounded up to a multiple of MR. */
    static int keyBlock(int nkv) {
        int blocks = Math.max(1, (nkv + KEY_BLOCK_MAX - 1) / KEY_BLOCK_MAX);
        return roundUp(Math.max(1, (nkv + blocks - 1) / blocks), MR);
    }

    /** Floats of the larger of the K and V panels of one head (each is one Java array). */
    static long panelFloats(int nkv, int d) {
        return Math.max((long) roundUp(nkv, MR) * d, (long) nkv * roundUp(d, L));
    }

    /** Bytes of scratch per thread for head dim d and nkv keys (tiles plus K/V panels). */
    static long scratchBytes(int d, int nkv) {
        long dv = roundUp(d, L);
        long tiles = (long) d * BQ + (long) keyBlock(nkv) * BQ + (BQP - BQ) + (ACCUMULATE ? 1L : 2L) * BQP * dv + 5L * BQ;
        long panels = (long) roundUp(nkv, MR) * d + (long) nkv * dv;
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
                tile.ensureScores(keyBlock(nkv));
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

        final int d, dv;                       // head dim, and head dim rounded up to a vector
        final float[] qp;                      // [d][BQ]       scale * Q^T
        float[] s = new float[0];              // [bk][BQ]      scores, then probabilities (+ BQP - BQ: see pv)
        final float[] o;                       // [BQP][dv]     unnormalised output accumulator
        final float[] ot;                      // [BQP][dv]     P V of the current key block (unless ACCUMULATE)
        final float[] m = new float[BQ];       // running max per query
        final float[] l = new float[BQ];       // running sum per query
        final float[] alpha = new float[BQ];   // rescale factor of the current key block
        final float[] rowSum = new float[BQ];  // sum of P over the current key block
        final float[] mSafe = new float[BQ];   // max used in the exponent (0 for -Infinity)
        final boolean[] moved = new boolean[BQ / L]; // query vectors whose max moved in the current key block
        float[] kp = new float[0];             // [nkv/MR][d][MR]   K of the current head
        float[] vp = new float[0];             // [nkv][dv]         V of the current head

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
            this.dv = roundUp(d, L);
            qp = new float[d * BQ];
            o = new float[BQP * dv];
            ot = new float[ACCUMULATE ? 0 : BQP * dv];
        }

        /** Grows the score tile to bk keys x BQ queries (+ the P V tail, see {@link #pv}). */
        void ensureScores(int bk) {
            int len = bk * BQ + BQP - BQ;
            if (s.length < len) s = new float[len];
        }

        /**
         * Packs K and V of one (batch, head) once for all its query blocks: the blocks then read contiguous,
         * prefetch-friendly panels instead of re-gathering 256-byte rows spread over the fused qkv activation
         * (which missed the caches on every block). V keeps its row layout, only made contiguous.
         */
        void packKV(float[] kd, int kBase, int kRow, float[] vd, int vBase, int vRow, int nkv) {
            int kLen = roundUp(nkv, MR) * d, vLen = nkv * dv;
            if (kp.length < kLen) kp = new float[kLen];
            if (vp.length < vLen) vp = new float[vLen];
            packK(kd, kBase, kRow, nkv, d, kp);
            for (int j = 0; j < nkv; j++) { // rows of V, zero-padded to dv (the panels are reused across calls)
                System.arraycopy(vd, vBase + j * vRow, vp, j * dv, d);
                if (dv > d) Arrays.fill(vp, j * dv + d, (j + 1) * dv, 0f);
            }
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
        // P V tiles cover the rows rounded up to MQ (<= BQP); rows past `rows` are computed and discarded
        int qEnd = roundUp(rows, MQ);
        if (!ACCUMULATE || nkv == 0) Arrays.fill(t.o, 0, qEnd * t.dv, 0f); // else the first key block overwrites O

        float[] s = t.s;
        int bhIndex = b * heads + h;
        int kb = keyBlock(nkv);
        for (int j0 = 0; j0 < nkv; j0 += kb) {
            int bk = Math.min(kb, nkv - j0);
            // S[key][query] = K Qp: key groups of MR, reduction over the d channels
            panelTile(t.kp, j0 * d, MR * d, (bk + MR - 1) / MR, d, t.qp, s, qtCount);
            if (half) panelHalfTile(t.kp, j0 * d, MR * d, (bk + MR - 1) / MR, d, t.qp, s, qtCount * QT);
            for (int term = 0; term < terms.size(); term++) {
                float[] bd = terms.data[term];
                int ld = terms.ld[term];
                int base = terms.offsets[term][bhIndex] + i0 * ld + j0;
                for (int i = 0; i < rows; i++) {
                    int src = base + i * ld;
                    for (int jj = 0; jj < bk; jj++) s[jj * BQ + i] += bd[src + jj];
                }
            }
            onlineSoftmax(t, bk, active / L, j0 == 0);
            // P V tiles past the softmax's columns read zeros, not stale scores (within the block's BQ columns; past
            // BQ they read the next key row's P, or the zero tail of s: finite either way, in discarded rows)
            for (int jj = 0, e = Math.min(qEnd, BQ); active < e && jj < bk; jj++) Arrays.fill(s, jj * BQ + active, jj * BQ + e, 0f);
            if (ACCUMULATE) {
                // O = alpha O + P V; the first key block starts from zero (alpha = 0 there)
                boolean acc = j0 > 0;
                if (acc) rescale(t.o, t.dv, t.alpha, t.moved, active / L);
                pv(t, j0, bk, qEnd, t.o, acc);
            } else {
                pv(t, j0, bk, qEnd, t.ot, false);
                merge(t.o, t.ot, t.alpha, t.dv, Math.min(qEnd, active));
            }
        }
        // out[i][c] = O[i][c] / l[i]
        float[] o = t.o, od = out.data();
        int oBase = out.index(b, h, i0), oRow = out.rowStride(), dv = t.dv;
        for (int i = 0; i < rows; i++) {
            float inv = inverse(t.l[i]);
            FloatVector iv = FloatVector.broadcast(F, inv);
            int src = i * dv, dst = oBase + i * oRow, c = 0;
            for (; c + L <= d; c += L) FloatVector.fromArray(F, o, src + c).mul(iv).intoArray(od, dst + c);
            for (; c < d; c++) od[dst + c] = o[src + c] * inv;
        }
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
     * The S micro-kernel: for g &lt; groups, r &lt; MR, query i &lt; qtCount * QT,
     * {@code out[(g*MR + r)*BQ + i] = sum_{c < kLen} a[aOff + g*aStride + c*MR + r] * b[c*BQ + i]}, in register tiles
     * of MR broadcast keys x QV query vectors (12 accumulators, zero start: fits AVX2's 16 registers).
     */
    private static void panelTile(float[] a, int aOff, int aStride, int groups, int kLen, float[] b, float[] out,
                                  int qtCount) {
        for (int g = 0; g < groups; g++) {
            int ab = aOff + g * aStride;
            int orow = g * MR * BQ;
            for (int qt = 0; qt < qtCount; qt++) {
                int qo = qt * QT, so = orow + qo;
                FloatVector a00, a01, a10, a11, a20, a21, a30, a31, a40, a41, a50, a51;
                a00 = a01 = a10 = a11 = a20 = a21 = a30 = a31 = a40 = a41 = a50 = a51 = FloatVector.zero(F);
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
                                      int qo) {
        for (int g = 0; g < groups; g++) {
            int ab = aOff + g * aStride;
            int so = g * MR * BQ + qo;
            FloatVector a0, a1, a2, a3, a4, a5;
            a0 = a1 = a2 = a3 = a4 = a5 = FloatVector.zero(F);
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
    private static void onlineSoftmax(Tile t, int bk, int nvec, boolean first) {
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
        if (first) { // nothing to rescale yet (O is overwritten, or zero): alpha = 1, l = rowSum, no exps
            FloatVector one = FloatVector.broadcast(F, 1f);
            for (int qv = 0; qv < nvec; qv++) {
                int o = qv * L;
                t.moved[qv] = false;
                one.intoArray(alpha, o);
                FloatVector.fromArray(F, rowSum, o).intoArray(l, o);
            }
            return;
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
     * O[q][:] = alpha[q] * O[q][:] for the rows of the query vectors whose max moved (alpha = 1 elsewhere): the
     * rescale before P V accumulates into O.
     */
    private static void rescale(float[] o, int dv, float[] alpha, boolean[] moved, int nvec) {
        for (int qv = 0; qv < nvec; qv++) {
            if (!moved[qv]) continue;
            for (int q = qv * L; q < qv * L + L; q++) {
                FloatVector a = FloatVector.broadcast(F, alpha[q]);
                for (int c = q * dv; c < q * dv + dv; c += L) FloatVector.fromArray(F, o, c).mul(a).intoArray(o, c);
            }
        }
    }

    /** O[q][:] = alpha[q] * O[q][:] + OT[q][:] for q &lt; rows (alpha = 1 where the max did not change). */
    private static void merge(float[] o, float[] ot, float[] alpha, int dv, int rows) {
        for (int q = 0; q < rows; q++) {
            FloatVector a = FloatVector.broadcast(F, alpha[q]);
            for (int c = q * dv; c < q * dv + dv; c += L)
                FloatVector.fromArray(F, o, c).fma(a, FloatVector.fromArray(F, ot, c)).intoArray(o, c);
        }
    }

    /**
     * {@code out[q][c] (+)= sum_{j < bk} P[j][q] * V[j0 + j][c]} for q &lt; qEnd, c &lt; dv: register tiles of MQ
     * queries x 2 channel vectors, then a 1-vector tile when dv is an odd number of vectors (e.g. head dim 48 with
     * 512-bit vectors). Query tiles outer: the block's V rows (bk x dv) stay in L1 across them.
     */
    private static void pv(Tile t, int j0, int bk, int qEnd, float[] out, boolean accumulate) {
        int dv = t.dv, full = dv / (2 * L) * (2 * L);
        float[] p = t.s, v = t.vp;
        for (int q0 = 0; q0 < qEnd; q0 += MQ) {
            for (int c0 = 0; c0 < full; c0 += 2 * L) {
                if (ACCUMULATE) pvTile12(p, q0, v, j0 * dv + c0, dv, bk, out, q0 * dv + c0, accumulate);
                else pvTile6(p, q0, v, j0 * dv + c0, dv, bk, out, q0 * dv + c0, accumulate);
            }
            if (full < dv) {
                for (int r0 = 0; r0 < MQ; r0 += 6)
                    pvHalf6(p, q0 + r0, v, j0 * dv + full, dv, bk, out, (q0 + r0) * dv + full, accumulate);
            }
        }
    }

    /**
     * P V register tile, 12 queries x 2 channel vectors (24 accumulators; 512-bit vectors only): broadcasts
     * {@code p[j*BQ + q0 + r]}, vector operand {@code v[vo + j*dv ..]}, rows {@code o[oo + r*dv ..]}.
     */
    private static void pvTile12(float[] p, int q0, float[] v, int vo, int dv, int keys, float[] o, int oo,
                                 boolean accumulate) {
        FloatVector c00, c01;
        FloatVector c10, c11;
        FloatVector c20, c21;
        FloatVector c30, c31;
        FloatVector c40, c41;
        FloatVector c50, c51;
        FloatVector c60, c61;
        FloatVector c70, c71;
        FloatVector c80, c81;
        FloatVector c90, c91;
        FloatVector c100, c101;
        FloatVector c110, c111;
        if (accumulate) {
            c00 = FloatVector.fromArray(F, o, oo + 0 * dv);
            c01 = FloatVector.fromArray(F, o, oo + 0 * dv + L);
            c10 = FloatVector.fromArray(F, o, oo + 1 * dv);
            c11 = FloatVector.fromArray(F, o, oo + 1 * dv + L);
            c20 = FloatVector.fromArray(F, o, oo + 2 * dv);
            c21 = FloatVector.fromArray(F, o, oo + 2 * dv + L);
            c30 = FloatVector.fromArray(F, o, oo + 3 * dv);
            c31 = FloatVector.fromArray(F, o, oo + 3 * dv + L);
            c40 = FloatVector.fromArray(F, o, oo + 4 * dv);
            c41 = FloatVector.fromArray(F, o, oo + 4 * dv + L);
            c50 = FloatVector.fromArray(F, o, oo + 5 * dv);
            c51 = FloatVector.fromArray(F, o, oo + 5 * dv + L);
            c60 = FloatVector.fromArray(F, o, oo + 6 * dv);
            c61 = FloatVector.fromArray(F, o, oo + 6 * dv + L);
            c70 = FloatVector.fromArray(F, o, oo + 7 * dv);
            c71 = FloatVector.fromArray(F, o, oo + 7 * dv + L);
            c80 = FloatVector.fromArray(F, o, oo + 8 * dv);
            c81 = FloatVector.fromArray(F, o, oo + 8 * dv + L);
            c90 = FloatVector.fromArray(F, o, oo + 9 * dv);
            c91 = FloatVector.fromArray(F, o, oo + 9 * dv + L);
            c100 = FloatVector.fromArray(F, o, oo + 10 * dv);
            c101 = FloatVector.fromArray(F, o, oo + 10 * dv + L);
            c110 = FloatVector.fromArray(F, o, oo + 11 * dv);
            c111 = FloatVector.fromArray(F, o, oo + 11 * dv + L);
        } else {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = c60 = c61 = c70 = c71 = c80 = c81 = c90 = c91 = c100 = c101 = c110 = c111 = FloatVector.zero(F);
        }
        for (int j = 0; j < keys; j++) {
            int vi = vo + j * dv, pi = j * BQ + q0;
            FloatVector v0 = FloatVector.fromArray(F, v, vi);
            FloatVector v1 = FloatVector.fromArray(F, v, vi + L);
            FloatVector x = FloatVector.broadcast(F, p[pi + 0]);
            c00 = x.fma(v0, c00);
            c01 = x.fma(v1, c01);
            x = FloatVector.broadcast(F, p[pi + 1]);
            c10 = x.fma(v0, c10);
            c11 = x.fma(v1, c11);
            x = FloatVector.broadcast(F, p[pi + 2]);
            c20 = x.fma(v0, c20);
            c21 = x.fma(v1, c21);
            x = FloatVector.broadcast(F, p[pi + 3]);
            c30 = x.fma(v0, c30);
            c31 = x.fma(v1, c31);
            x = FloatVector.broadcast(F, p[pi + 4]);
            c40 = x.fma(v0, c40);
            c41 = x.fma(v1, c41);
            x = FloatVector.broadcast(F, p[pi + 5]);
            c50 = x.fma(v0, c50);
            c51 = x.fma(v1, c51);
            x = FloatVector.broadcast(F, p[pi + 6]);
            c60 = x.fma(v0, c60);
            c61 = x.fma(v1, c61);
            x = FloatVector.broadcast(F, p[pi + 7]);
            c70 = x.fma(v0, c70);
            c71 = x.fma(v1, c71);
            x = FloatVector.broadcast(F, p[pi + 8]);
            c80 = x.fma(v0, c80);
            c81 = x.fma(v1, c81);
            x = FloatVector.broadcast(F, p[pi + 9]);
            c90 = x.fma(v0, c90);
            c91 = x.fma(v1, c91);
            x = FloatVector.broadcast(F, p[pi + 10]);
            c100 = x.fma(v0, c100);
            c101 = x.fma(v1, c101);
            x = FloatVector.broadcast(F, p[pi + 11]);
            c110 = x.fma(v0, c110);
            c111 = x.fma(v1, c111);
        }
        c00.intoArray(o, oo + 0 * dv);
        c01.intoArray(o, oo + 0 * dv + L);
        c10.intoArray(o, oo + 1 * dv);
        c11.intoArray(o, oo + 1 * dv + L);
        c20.intoArray(o, oo + 2 * dv);
        c21.intoArray(o, oo + 2 * dv + L);
        c30.intoArray(o, oo + 3 * dv);
        c31.intoArray(o, oo + 3 * dv + L);
        c40.intoArray(o, oo + 4 * dv);
        c41.intoArray(o, oo + 4 * dv + L);
        c50.intoArray(o, oo + 5 * dv);
        c51.intoArray(o, oo + 5 * dv + L);
        c60.intoArray(o, oo + 6 * dv);
        c61.intoArray(o, oo + 6 * dv + L);
        c70.intoArray(o, oo + 7 * dv);
        c71.intoArray(o, oo + 7 * dv + L);
        c80.intoArray(o, oo + 8 * dv);
        c81.intoArray(o, oo + 8 * dv + L);
        c90.intoArray(o, oo + 9 * dv);
        c91.intoArray(o, oo + 9 * dv + L);
        c100.intoArray(o, oo + 10 * dv);
        c101.intoArray(o, oo + 10 * dv + L);
        c110.intoArray(o, oo + 11 * dv);
        c111.intoArray(o, oo + 11 * dv + L);
    }

    /**
     * {@link #pvTile12} for 6 queries (12 accumulators). {@code accumulate} is never set with 16 vector registers:
     * there a loaded start made C2 spill an accumulator inside the loop (a store-forwarding chain measured 2x
     * slower), so AVX2 starts from zero into OT and merges.
     */
    private static void pvTile6(float[] p, int q0, float[] v, int vo, int dv, int keys, float[] o, int oo,
                                 boolean accumulate) {
        FloatVector c00, c01;
        FloatVector c10, c11;
        FloatVector c20, c21;
        FloatVector c30, c31;
        FloatVector c40, c41;
        FloatVector c50, c51;
        if (accumulate) {
            c00 = FloatVector.fromArray(F, o, oo + 0 * dv);
            c01 = FloatVector.fromArray(F, o, oo + 0 * dv + L);
            c10 = FloatVector.fromArray(F, o, oo + 1 * dv);
            c11 = FloatVector.fromArray(F, o, oo + 1 * dv + L);
            c20 = FloatVector.fromArray(F, o, oo + 2 * dv);
            c21 = FloatVector.fromArray(F, o, oo + 2 * dv + L);
            c30 = FloatVector.fromArray(F, o, oo + 3 * dv);
            c31 = FloatVector.fromArray(F, o, oo + 3 * dv + L);
            c40 = FloatVector.fromArray(F, o, oo + 4 * dv);
            c41 = FloatVector.fromArray(F, o, oo + 4 * dv + L);
            c50 = FloatVector.fromArray(F, o, oo + 5 * dv);
            c51 = FloatVector.fromArray(F, o, oo + 5 * dv + L);
        } else {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = FloatVector.zero(F);
        }
        for (int j = 0; j < keys; j++) {
            int vi = vo + j * dv, pi = j * BQ + q0;
            FloatVector v0 = FloatVector.fromArray(F, v, vi);
            FloatVector v1 = FloatVector.fromArray(F, v, vi + L);
            FloatVector x = FloatVector.broadcast(F, p[pi + 0]);
            c00 = x.fma(v0, c00);
            c01 = x.fma(v1, c01);
            x = FloatVector.broadcast(F, p[pi + 1]);
            c10 = x.fma(v0, c10);
            c11 = x.fma(v1, c11);
            x = FloatVector.broadcast(F, p[pi + 2]);
            c20 = x.fma(v0, c20);
            c21 = x.fma(v1, c21);
            x = FloatVector.broadcast(F, p[pi + 3]);
            c30 = x.fma(v0, c30);
            c31 = x.fma(v1, c31);
            x = FloatVector.broadcast(F, p[pi + 4]);
            c40 = x.fma(v0, c40);
            c41 = x.fma(v1, c41);
            x = FloatVector.broadcast(F, p[pi + 5]);
            c50 = x.fma(v0, c50);
            c51 = x.fma(v1, c51);
        }
        c00.intoArray(o, oo + 0 * dv);
        c01.intoArray(o, oo + 0 * dv + L);
        c10.intoArray(o, oo + 1 * dv);
        c11.intoArray(o, oo + 1 * dv + L);
        c20.intoArray(o, oo + 2 * dv);
        c21.intoArray(o, oo + 2 * dv + L);
        c30.intoArray(o, oo + 3 * dv);
        c31.intoArray(o, oo + 3 * dv + L);
        c40.intoArray(o, oo + 4 * dv);
        c41.intoArray(o, oo + 4 * dv + L);
        c50.intoArray(o, oo + 5 * dv);
        c51.intoArray(o, oo + 5 * dv + L);
    }

    /** P V for 6 queries x 1 channel vector (the odd last vector of dv; 6 accumulators). */
    private static void pvHalf6(float[] p, int q0, float[] v, int vo, int dv, int keys, float[] o, int oo,
                                boolean accumulate) {
        FloatVector c0, c1, c2, c3, c4, c5;
        if (accumulate) {
            c0 = FloatVector.fromArray(F, o, oo + 0 * dv);
            c1 = FloatVector.fromArray(F, o, oo + 1 * dv);
            c2 = FloatVector.fromArray(F, o, oo + 2 * dv);
            c3 = FloatVector.fromArray(F, o, oo + 3 * dv);
            c4 = FloatVector.fromArray(F, o, oo + 4 * dv);
            c5 = FloatVector.fromArray(F, o, oo + 5 * dv);
        } else {
            c0 = c1 = c2 = c3 = c4 = c5 = FloatVector.zero(F);
        }
        for (int j = 0; j < keys; j++) {
            int pi = j * BQ + q0;
            FloatVector v0 = FloatVector.fromArray(F, v, vo + j * dv);
            c0 = FloatVector.broadcast(F, p[pi + 0]).fma(v0, c0);
            c1 = FloatVector.broadcast(F, p[pi + 1]).fma(v0, c1);
            c2 = FloatVector.broadcast(F, p[pi + 2]).fma(v0, c2);
            c3 = FloatVector.broadcast(F, p[pi + 3]).fma(v0, c3);
            c4 = FloatVector.broadcast(F, p[pi + 4]).fma(v0, c4);
            c5 = FloatVector.broadcast(F, p[pi + 5]).fma(v0, c5);
        }
        c0.intoArray(o, oo + 0 * dv);
        c1.intoArray(o, oo + 1 * dv);
        c2.intoArray(o, oo + 2 * dv);
        c3.intoArray(o, oo + 3 * dv);
        c4.intoArray(o, oo + 4 * dv);
        c5.intoArray(o, oo + 5 * dv);
    }
}
