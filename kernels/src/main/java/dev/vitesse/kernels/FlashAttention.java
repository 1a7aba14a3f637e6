package dev.vitesse.kernels;

import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The flash-attention kernel behind {@link Attention#flash} (arguments already validated there).
 *
 * <p>BLIS-style split: the driver ({@link #run}) cuts the work into (batch, head, query block) items and
 * schedules them on {@link Parallel}; {@link #block} handles one query block of at most {@link #BQ} rows,
 * looping over key blocks of {@link #BK} keys; packing routines copy Q, K and V into contiguous panels; two
 * broadcast-FMA register-tile micro-kernels ({@link #scores}, {@link #accumulate}, 12 accumulators each, the
 * same 6 x 2-vector shape as the GEMM's) do the arithmetic, and an online softmax between them keeps the
 * running max and sum per query.
 *
 * <p>Layouts (per thread, in {@link Tile}):
 * <ul>
 *   <li>{@code qp[c][BQ]}: scale * Q transposed (queries contiguous: the vector lanes of the score tile);</li>
 *   <li>{@code kp[g][c][MR]}: K of the head in micro-panels of MR keys (contiguous broadcasts), packed once
 *       per (batch, head) and task;</li>
 *   <li>{@code s[key][SLD]}: scores, then probabilities, transposed (keys x queries), so the softmax
 *       statistics are vectors over queries and need no horizontal reduction;</li>
 *   <li>{@code vp[key][dPad]}: V of the head, channels zero-padded to a multiple of the register tile;</li>
 *   <li>{@code o[query][dPad]}: the unnormalised output accumulator (channels in vector lanes: P.V is a
 *       plain GEMM tile that broadcasts MR probabilities, which are contiguous in {@code s}, and loads V rows).</li>
 * </ul>
 * All of this is O(headDim * BQ + BK * BQ) floats per thread (about 140 KiB for headDim 64), independent of N,
 * and stays in L2; the working set of one key block (K and V panels, the S tile) is L1/L2 resident.
 *
 * <p>Determinism: the block partition depends only on nq, and every block is computed the same way whichever
 * thread runs it, so results do not depend on the thread count.
 */
final class FlashAttention {
    private FlashAttention() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    /** Query vectors per score register tile (QT = QV * L queries wide). */
    private static final int QV = 2;
    private static final int QT = QV * L;
    /** Keys per score register tile and queries per P.V register tile (MR x 2 vectors = 12 accumulators). */
    static final int MR = 6;
    /** Channel vectors per P.V register tile (NT = NV * L channels). */
    private static final int NV = 2;
    private static final int NT = NV * L;
    /**
     * Maximum query rows per block: every block streams (and packs) all of K and V of its head once, so
     * larger blocks cut that traffic; qp, s and o grow with BQ and must stay in L2. A multiple of QT.
     */
    static final int BQ = roundUp(Math.max(128, 2 * QT), QT);
    /** Keys per block (a multiple of MR): the K and V panels (2 x BK x headDim floats) stay in L1/L2. */
    static final int BK = 12 * MR;
    /** Row stride of the S tile: room for the P.V kernel's last MR-query group past the last score tile. */
    private static final int SLD = BQ + MR;
    /** Target number of tasks per thread (load balance vs per-task overhead). */
    private static final int TASKS_PER_THREAD = 8;

    static int roundUp(int x, int m) {
        return (x + m - 1) / m * m;
    }

    /** Channels of the padded V panel and O accumulator for head dim d. */
    static int paddedDim(int d) {
        return roundUp(Math.max(d, 1), NT);
    }

    /** Bytes of scratch per thread for head dim d. */
    static long scratchBytes(int d) {
        int dp = paddedDim(d);
        return 4L * ((long) d * BQ + (long) BK * d + (long) BK * dp + (long) BK * SLD + (long) (2 * BQ + MR) * dp + 4L * BQ);
    }

    static void run(int batch, int heads, int nq, int nkv, int d, float scale, AttentionView q, AttentionView k,
                    AttentionView v, AttentionView out, BiasTerms terms) {
        int bh = batch * heads;
        int qBlocks = (nq + BQ - 1) / BQ;
        // balanced blocks (197 -> 2 x 112 rather than 128 + 69), rounded to whole score tiles
        int blockRows = Math.min(BQ, roundUp((nq + qBlocks - 1) / qBlocks, QT));
        int threads = Parallel.threads();
        int target = threads * TASKS_PER_THREAD;
        int splits = bh >= target ? 1 : Math.min(qBlocks, (target + bh - 1) / bh);
        int items = bh * splits;
        int chunks = threads == 1 ? 1 : Math.min(items, target);
        Parallel.forEach(chunks, chunk -> {
            Tile tile = Tile.forThread(d);
            int it0 = (int) ((long) items * chunk / chunks), it1 = (int) ((long) items * (chunk + 1) / chunks);
            for (int it = it0; it < it1; it++) {
                int p = it / splits, sp = it % splits;
                int b = p / heads, h = p % heads;
                int blk0 = qBlocks * sp / splits, blk1 = qBlocks * (sp + 1) / splits;
                if (blk0 < blk1) tile.packKV(k.data(), k.index(b, h, 0), k.rowStride(), v.data(), v.index(b, h, 0), v.rowStride(), nkv);
                for (int blk = blk0; blk < blk1; blk++) {
                    int i0 = blk * blockRows;
                    int rows = Math.min(blockRows, nq - i0);
                    if (rows > 0) block(tile, b, h, heads, i0, rows, nkv, d, scale, q, k, v, out, terms);
                }
            }
        });
    }

    /**
     * Per-thread scratch, independent of N. Cached per thread (one set per worker, reused across calls) so
     * steady-state calls allocate nothing; a call with a larger head dim replaces the cached set.
     */
    private static final class Tile {
        private static final ThreadLocal<Tile> CACHE = new ThreadLocal<>();

        final int d, dPad;
        final float[] qp;     // [d][BQ]            scale * Q^T
        float[] kp = new float[0]; // [nkv/MR][d][MR]  K of the current head in micro-panels of MR keys
        float[] vp = new float[0]; // [nkv][dPad]      V of the current head, zero-padded channels
        final float[] s;      // [BK][SLD]          scores, then probabilities (keys x queries)
        final float[] o;      // [BQ][dPad]         unnormalised output accumulator
        final float[] ot;     // [BQ + MR][dPad]    P.V of the current key block
        final float[] m = new float[BQ];      // running max per query
        final float[] l = new float[BQ];      // running sum per query
        final float[] alpha = new float[BQ];  // rescale factor of the current key block
        final float[] rowSum = new float[BQ]; // sum of P over the current key block

        static Tile forThread(int d) {
            Tile t = CACHE.get();
            if (t == null || t.d != d) {
                t = new Tile(d);
                CACHE.set(t);
            }
            return t;
        }

        /**
         * Packs K and V of one (batch, head) once for all its query blocks: every block then reads contiguous,
         * prefetch-friendly panels instead of re-gathering 256-byte rows spread over the fused qkv activation
         * (which missed the caches on every block). O(nkv * headDim): grows with N, not N^2.
         */
        void packKV(float[] kd, int kBase, int kRow, float[] vd, int vBase, int vRow, int nkv) {
            int kLen = roundUp(nkv, MR) * d, vLen = nkv * dPad;
            if (kp.length < kLen) kp = new float[kLen];
            if (vp.length < vLen) vp = new float[vLen]; // padding channels are never written: stay zero
            packK(kd, kBase, kRow, nkv, d, kp);
            packV(vd, vBase, vRow, nkv, d, dPad, vp);
        }

        Tile(int d) {
            this.d = d;
            this.dPad = paddedDim(d);
            qp = new float[d * BQ];
            s = new float[BK * SLD];
            o = new float[BQ * dPad];
            ot = new float[(BQ + MR) * dPad];
        }
    }

    private static void block(Tile t, int b, int h, int heads, int i0, int rows, int nkv, int d, float scale,
                              AttentionView q, AttentionView k, AttentionView v, AttentionView out, BiasTerms terms) {
        int active = roundUp(rows, QT);   // queries in score tiles (padding queries are zero)
        int pvRows = roundUp(rows, MR);   // queries in P.V tiles
        int dPad = t.dPad;
        packQ(q.data(), q.index(b, h, i0), q.rowStride(), rows, active, d, scale, t.qp);
        Arrays.fill(t.m, 0, active, Float.NEGATIVE_INFINITY);
        Arrays.fill(t.l, 0, active, 0f);
        Arrays.fill(t.o, 0, rows * dPad, 0f);

        float[] s = t.s;
        int bhIndex = b * heads + h;
        for (int j0 = 0; j0 < nkv; j0 += BK) {
            int bk = Math.min(BK, nkv - j0);
            scores(t.qp, t.kp, j0 * d, bk, d, s, active / QT);
            for (int term = 0; term < terms.size(); term++) {
                float[] bd = terms.data[term];
                int ld = terms.ld[term];
                int base = terms.offsets[term][bhIndex] + i0 * ld + j0;
                for (int i = 0; i < rows; i++) {
                    int src = base + i * ld;
                    for (int jj = 0; jj < bk; jj++) s[jj * SLD + i] += bd[src + jj];
                }
            }
            onlineSoftmax(t, bk, active / L);
            // queries in [active, pvRows) have no score tile: P = 0 there (their O rows are never output)
            if (pvRows > active) for (int jj = 0; jj < bk; jj++) Arrays.fill(s, jj * SLD + active, jj * SLD + pvRows, 0f);
            accumulate(s, bk, t.vp, j0 * dPad, dPad, t.ot, pvRows);
            merge(t.o, t.ot, t.alpha, rows, dPad);
        }
        float[] od = out.data(), o = t.o, l = t.l;
        int oBase = out.index(b, h, i0), oRow = out.rowStride();
        for (int i = 0; i < rows; i++) {
            // l == 0 only for a fully masked row (or nkv == 0): defined as zero output. NaN stays NaN.
            float inv = l[i] == 0f ? 0f : 1f / l[i];
            int dst = oBase + i * oRow, src = i * dPad;
            for (int c = 0; c < d; c++) od[dst + c] = o[src + c] * inv;
        }
    }

    /** qp[c][i] = scale * Q[i][c] for i < rows, 0 for rows <= i < active. */
    private static void packQ(float[] qd, int qBase, int qRow, int rows, int active, int d, float scale, float[] qp) {
        for (int i = 0; i < rows; i++) {
            int src = qBase + i * qRow;
            for (int c = 0; c < d; c++) qp[c * BQ + i] = scale * qd[src + c];
        }
        if (active > rows) for (int c = 0; c < d; c++) Arrays.fill(qp, c * BQ + rows, c * BQ + active, 0f);
    }

    /** kp[g][c][r] = K[g*MR + r][c]; keys past n in the last micro-panel are zero (their scores are not read). */
    private static void packK(float[] kd, int kOff, int kRow, int bk, int d, float[] kp) {
        int groups = (bk + MR - 1) / MR;
        for (int g = 0; g < groups; g++) {
            int dst = g * MR * d;
            for (int r = 0; r < MR; r++) {
                int key = g * MR + r;
                if (key < bk) {
                    int src = kOff + key * kRow;
                    for (int c = 0; c < d; c++) kp[dst + c * MR + r] = kd[src + c];
                } else {
                    for (int c = 0; c < d; c++) kp[dst + c * MR + r] = 0f;
                }
            }
        }
    }

    /** vp[jj][c] = V[jj][c] for c < d (channels d..dPad stay zero from allocation). */
    private static void packV(float[] vd, int vOff, int vRow, int bk, int d, int dPad, float[] vp) {
        for (int jj = 0; jj < bk; jj++) System.arraycopy(vd, vOff + jj * vRow, vp, jj * dPad, d);
    }

    /**
     * S[jj][i] = sum_c K[jj][c] * Qp[c][i] for the key micro-panels covering bk keys and i < qtCount * QT,
     * in register tiles of MR keys x QV query vectors (12 accumulators).
     */
    static void scores(float[] qp, float[] kp, int kOff, int bk, int d, float[] s, int qtCount) {
        int groups = (bk + MR - 1) / MR;
        for (int g = 0; g < groups; g++) {
            int kb = kOff + g * MR * d;
            int sRow = g * MR * SLD;
            for (int qt = 0; qt < qtCount; qt++) {
                int qo = qt * QT;
                FloatVector a00 = FloatVector.zero(F), a01 = FloatVector.zero(F);
                FloatVector a10 = FloatVector.zero(F), a11 = FloatVector.zero(F);
                FloatVector a20 = FloatVector.zero(F), a21 = FloatVector.zero(F);
                FloatVector a30 = FloatVector.zero(F), a31 = FloatVector.zero(F);
                FloatVector a40 = FloatVector.zero(F), a41 = FloatVector.zero(F);
                FloatVector a50 = FloatVector.zero(F), a51 = FloatVector.zero(F);
                for (int c = 0; c < d; c++) {
                    int qi = c * BQ + qo, ki = kb + c * MR;
                    FloatVector q0 = FloatVector.fromArray(F, qp, qi);
                    FloatVector q1 = FloatVector.fromArray(F, qp, qi + L);
                    FloatVector x = FloatVector.broadcast(F, kp[ki]);
                    a00 = x.fma(q0, a00);
                    a01 = x.fma(q1, a01);
                    x = FloatVector.broadcast(F, kp[ki + 1]);
                    a10 = x.fma(q0, a10);
                    a11 = x.fma(q1, a11);
                    x = FloatVector.broadcast(F, kp[ki + 2]);
                    a20 = x.fma(q0, a20);
                    a21 = x.fma(q1, a21);
                    x = FloatVector.broadcast(F, kp[ki + 3]);
                    a30 = x.fma(q0, a30);
                    a31 = x.fma(q1, a31);
                    x = FloatVector.broadcast(F, kp[ki + 4]);
                    a40 = x.fma(q0, a40);
                    a41 = x.fma(q1, a41);
                    x = FloatVector.broadcast(F, kp[ki + 5]);
                    a50 = x.fma(q0, a50);
                    a51 = x.fma(q1, a51);
                }
                int so = sRow + qo;
                a00.intoArray(s, so);
                a01.intoArray(s, so + L);
                a10.intoArray(s, so + SLD);
                a11.intoArray(s, so + SLD + L);
                a20.intoArray(s, so + 2 * SLD);
                a21.intoArray(s, so + 2 * SLD + L);
                a30.intoArray(s, so + 3 * SLD);
                a31.intoArray(s, so + 3 * SLD + L);
                a40.intoArray(s, so + 4 * SLD);
                a41.intoArray(s, so + 4 * SLD + L);
                a50.intoArray(s, so + 5 * SLD);
                a51.intoArray(s, so + 5 * SLD + L);
            }
        }
    }

    /**
     * Online softmax step over a {@code bk x (nvec*L)} score tile: new running max, P = exp(S - max) in place,
     * running sum, and alpha = exp(oldMax - newMax) for rescaling the output accumulator (1 without computing
     * an exp when the max did not change, the common case after the first key blocks). A max of -Infinity
     * (all keys so far masked) is replaced by 0 in the exponent so nothing becomes NaN.
     */
    static void onlineSoftmax(Tile t, int bk, int nvec) {
        float[] s = t.s, m = t.m, l = t.l, alpha = t.alpha, rowSum = t.rowSum;
        for (int qv = 0; qv < nvec; qv++) {
            int o = qv * L;
            FloatVector mOld = FloatVector.fromArray(F, m, o);
            FloatVector mx = mOld;
            for (int jj = 0; jj < bk; jj++) mx = mx.max(FloatVector.fromArray(F, s, jj * SLD + o));
            FloatVector mSafe = mx.blend(0f, mx.eq(Float.NEGATIVE_INFINITY));
            FloatVector sum = FloatVector.zero(F);
            for (int jj = 0; jj < bk; jj++) {
                FloatVector p = VectorMath.expSoftmax(FloatVector.fromArray(F, s, jj * SLD + o).sub(mSafe));
                p.intoArray(s, jj * SLD + o);
                sum = sum.add(p);
            }
            mOld.intoArray(alpha, o);
            mx.intoArray(m, o);
            sum.intoArray(rowSum, o);
        }
        // scalar: a second inlined vector exp exceeds C2's node budget for this method, and a non-inlined one
        // would box vectors; it is skipped when the max is unchanged anyway
        for (int i = 0, n = nvec * L; i < n; i++) {
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

    /** O[i][:] = alpha[i] * O[i][:] + OT[i][:] for i < rows (no multiply where the max did not change). */
    private static void merge(float[] o, float[] ot, float[] alpha, int rows, int dPad) {
        for (int i = 0; i < rows; i++) {
            float a = alpha[i];
            int c = i * dPad, end = c + dPad;
            if (a == 1f) {
                for (; c < end; c += L) FloatVector.fromArray(F, o, c).add(FloatVector.fromArray(F, ot, c)).intoArray(o, c);
            } else {
                FloatVector av = FloatVector.broadcast(F, a);
                for (; c < end; c += L) FloatVector.fromArray(F, o, c).fma(av, FloatVector.fromArray(F, ot, c)).intoArray(o, c);
            }
        }
    }

    /**
     * OT[i][c] = sum_jj P[jj][i] * V[jj][c] for i < pvRows (a multiple of MR), c < dPad: register tiles of
     * MR queries x NV channel vectors, broadcasting MR contiguous probabilities and loading two V vectors.
     * The tile starts from zero and is stored to a separate buffer (merged by {@link #merge}): loading the
     * running accumulator into the registers instead makes C2 spill one accumulator inside the loop on AVX2
     * (16 registers), a store-forwarding chain that halves the kernel's speed (measured 41 vs 87 GFLOP/s).
     */
    static void accumulate(float[] s, int bk, float[] vp, int vOff, int dPad, float[] ot, int pvRows) {
        for (int q0 = 0; q0 < pvRows; q0 += MR) {
            for (int c0 = 0; c0 < dPad; c0 += NT) {
                int oo = q0 * dPad + c0;
                FloatVector a00 = FloatVector.zero(F), a01 = FloatVector.zero(F);
                FloatVector a10 = FloatVector.zero(F), a11 = FloatVector.zero(F);
                FloatVector a20 = FloatVector.zero(F), a21 = FloatVector.zero(F);
                FloatVector a30 = FloatVector.zero(F), a31 = FloatVector.zero(F);
                FloatVector a40 = FloatVector.zero(F), a41 = FloatVector.zero(F);
                FloatVector a50 = FloatVector.zero(F), a51 = FloatVector.zero(F);
                for (int jj = 0; jj < bk; jj++) {
                    int vi = vOff + jj * dPad + c0, pi = jj * SLD + q0;
                    FloatVector v0 = FloatVector.fromArray(F, vp, vi);
                    FloatVector v1 = FloatVector.fromArray(F, vp, vi + L);
                    FloatVector x = FloatVector.broadcast(F, s[pi]);
                    a00 = x.fma(v0, a00);
                    a01 = x.fma(v1, a01);
                    x = FloatVector.broadcast(F, s[pi + 1]);
                    a10 = x.fma(v0, a10);
                    a11 = x.fma(v1, a11);
                    x = FloatVector.broadcast(F, s[pi + 2]);
                    a20 = x.fma(v0, a20);
                    a21 = x.fma(v1, a21);
                    x = FloatVector.broadcast(F, s[pi + 3]);
                    a30 = x.fma(v0, a30);
                    a31 = x.fma(v1, a31);
                    x = FloatVector.broadcast(F, s[pi + 4]);
                    a40 = x.fma(v0, a40);
                    a41 = x.fma(v1, a41);
                    x = FloatVector.broadcast(F, s[pi + 5]);
                    a50 = x.fma(v0, a50);
                    a51 = x.fma(v1, a51);
                }
                a00.intoArray(ot, oo);
                a01.intoArray(ot, oo + L);
                a10.intoArray(ot, oo + dPad);
                a11.intoArray(ot, oo + dPad + L);
                a20.intoArray(ot, oo + 2 * dPad);
                a21.intoArray(ot, oo + 2 * dPad + L);
                a30.intoArray(ot, oo + 3 * dPad);
                a31.intoArray(ot, oo + 3 * dPad + L);
                a40.intoArray(ot, oo + 4 * dPad);
                a41.intoArray(ot, oo + 4 * dPad + L);
                a50.intoArray(ot, oo + 5 * dPad);
                a51.intoArray(ot, oo + 5 * dPad + L);
            }
        }
    }
}
