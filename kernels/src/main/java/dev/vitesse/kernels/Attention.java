package dev.vitesse.kernels;

import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Multi-head, batched scaled-dot-product attention: for every batch entry b and head h,
 * {@code out[b,h] = softmax(scale * Q[b,h] K[b,h]^T + bias[b,h]) V[b,h]}, with Q of {@code nq} rows and K, V of
 * {@code nkv} rows (nkv may differ from nq: PVT's spatial reduction), all of width {@code headDim}.
 * Tensors are {@link AttentionView strided views}, so a fused qkv GEMM output is read in place and the result
 * is written token-major, ready for the output projection.
 *
 * <h2>Two paths</h2>
 * <ul>
 *   <li>{@link #flash}: FlashAttention-2-style tiling with an online softmax. The N x N score matrix is never
 *       materialised: per thread only a {@code headDim x BQ} query tile, a {@code BK x BQ} score tile and a
 *       {@code headDim x BQ} output accumulator exist (about 100 KiB for headDim 64, cached per thread), so
 *       memory is O(N d) for the inputs and outputs and O(1) in N for the scratch.
 *       The tiles are kept transposed (keys x queries): scores are computed by a broadcast-FMA micro-kernel
 *       that broadcasts K straight from its strided view and multiplies packed query vectors, and the
 *       softmax statistics (running max, running sum) are vectors over queries, so there are no
 *       horizontal reductions anywhere.</li>
 *   <li>{@link #explicit}: S = scale Q K^T with {@link Gemm#sgemm}, row softmax ({@link Softmax}), then
 *       O = P V with {@link Gemm#sgemm}; optionally returns the probabilities (attention maps).</li>
 * </ul>
 *
 * <h2>Conventions</h2>
 * Masked positions are large negative biases or -Infinity. A query row whose scores are all -Infinity
 * (fully masked) gets an output row of <b>zeros</b> (and probabilities of zeros), never NaN; NaN inputs
 * propagate to NaN. {@code out} must not overlap q, k, v or the bias.
 * Work is split over {@link Parallel} by (batch, head) and, when there are fewer of those than needed to
 * keep every thread busy, also by blocks of query rows.
 */
public final class Attention {
    private Attention() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    /** Query vectors per register tile (tile width QT = QV * L queries). */
    private static final int QV = 2;
    private static final int QT = QV * L;
    /**
     * Query rows per block (128 = 8 register tiles on AVX2): every query block streams all of K and V of its
     * head once, so large blocks cut that traffic. Measured at N = 3137 on AVX2: BQ = 32 ran at 0.9x the
     * explicit path, BQ = 128 at 1.5x; the tile buffers (~100 KiB for headDim 64) stay in L2.
     */
    static final int BQ = Math.max(2 * QT, 128);
    /** Keys per register tile of the score kernel (MR x QV = 12 accumulators). */
    private static final int MR = 6;
    /** Key rows per block (a multiple of MR so full blocks need no single-key remainder). */
    static final int BK = 12 * MR;
    /** Channels per register tile of the P.V kernel (6 spills on AVX2 with C2: measured 42 vs 63 GFLOP/s). */
    private static final int PV_MR = 4;
    /** Target number of tasks per thread (load balance vs per-task overhead). */
    private static final int TASKS_PER_THREAD = 8;

    /**
     * Flash attention (see class comment). {@code bias} is nullable.
     *
     * @throws IllegalArgumentException on negative sizes, null or too-short views or bias, non-finite scale
     */
    public static void flash(int batch, int heads, int nq, int nkv, int headDim, float scale,
                             AttentionView q, AttentionView k, AttentionView v, AttentionView out,
                             AttentionBias bias) {
        BiasTerms terms = validate(batch, heads, nq, nkv, headDim, scale, q, k, v, out, bias);
        if (batch == 0 || heads == 0 || nq == 0 || headDim == 0) return;
        FlashAttention.run(batch, heads, nq, nkv, headDim, scale, q, k, v, out, terms);
    }

    /** TEMPORARY: the previous flash kernel, for A/B benchmarking. */
    public static void flashV1(int batch, int heads, int nq, int nkv, int headDim, float scale,
                             AttentionView q, AttentionView k, AttentionView v, AttentionView out,
                             AttentionBias bias) {
        BiasTerms terms = validate(batch, heads, nq, nkv, headDim, scale, q, k, v, out, bias);
        if (batch == 0 || heads == 0 || nq == 0 || headDim == 0) return;
        int bh = batch * heads;
        int qBlocks = (nq + BQ - 1) / BQ;
        int threads = Parallel.threads();
        int target = threads * TASKS_PER_THREAD;
        int splits = bh >= target ? 1 : Math.min(qBlocks, (target + bh - 1) / bh);
        int items = bh * splits;
        int chunks = threads == 1 ? 1 : Math.min(items, target);
        Parallel.forEach(chunks, chunk -> {
            Tile tile = Tile.forThread(headDim);
            int it0 = (int) ((long) items * chunk / chunks), it1 = (int) ((long) items * (chunk + 1) / chunks);
            for (int it = it0; it < it1; it++) {
                int p = it / splits, s = it % splits;
                int b = p / heads, h = p % heads;
                int blk0 = qBlocks * s / splits, blk1 = qBlocks * (s + 1) / splits;
                for (int blk = blk0; blk < blk1; blk++) {
                    int i0 = blk * BQ;
                    flashBlock(tile, b, h, heads, i0, Math.min(BQ, nq - i0), nkv, headDim, scale, q, k, v, out, terms);
                }
            }
        });
    }

    /**
     * Per-thread scratch: everything a query block needs, O(headDim * BQ + BK * BQ) floats, independent of N.
     * Cached per thread (one set per worker, reused across calls) so steady-state calls allocate nothing;
     * a call with a larger headDim replaces the cached set.
     */
    private static final class Tile {
        private static final ThreadLocal<Tile> CACHE = new ThreadLocal<>();

        final int headDim;
        final float[] qp;     // [headDim][BQ]  scale * Q^T
        final float[] s;      // [BK][BQ]       scores, then probabilities (keys x queries)
        final float[] o;      // [headDim][BQ]  unnormalised output accumulator, transposed
        final float[] m = new float[BQ];      // running max per query
        final float[] l = new float[BQ];      // running sum per query
        final float[] alpha = new float[BQ];  // rescale factor of the current key block
        final float[] rowSum = new float[BQ]; // sum of P over the current key block

        static Tile forThread(int headDim) {
            Tile t = CACHE.get();
            if (t == null || t.headDim < headDim) {
                t = new Tile(headDim);
                CACHE.set(t);
            }
            return t;
        }

        Tile(int headDim) {
            this.headDim = headDim;
            qp = new float[headDim * BQ];
            s = new float[(BK + MR) * BQ]; // + MR rows: the padded last score tile
            o = new float[headDim * BQ];
        }
    }

    /**
     * Bytes of flash scratch one worker thread holds for this head dim and number of keys (for memory
     * accounting in benchmarks and docs): fixed-size tiles plus the K/V panels of one head, O(nkv * headDim).
     */
    public static long flashScratchBytes(int headDim, int nkv) {
        Checks.nonNegative("headDim", headDim);
        Checks.nonNegative("nkv", nkv);
        return FlashAttention.scratchBytes(headDim, nkv);
    }

    private static void flashBlock(Tile t, int b, int h, int heads, int i0, int rows, int nkv, int d, float scale,
                                   AttentionView q, AttentionView k, AttentionView v, AttentionView out,
                                   BiasTerms terms) {
        int qtCount = (rows + QT - 1) / QT;
        int active = qtCount * QT; // queries computed (rows rounded up to a register tile; padding is zero)
        float[] qp = t.qp;
        float[] qd = q.data();
        int qBase = q.index(b, h, i0), qRow = q.rowStride();
        for (int i = 0; i < rows; i++) {
            int src = qBase + i * qRow;
            for (int c = 0; c < d; c++) qp[c * BQ + i] = scale * qd[src + c];
        }
        for (int c = 0; c < d; c++) Arrays.fill(qp, c * BQ + rows, c * BQ + active, 0f);
        Arrays.fill(t.m, Float.NEGATIVE_INFINITY);
        Arrays.fill(t.l, 0f);
        Arrays.fill(t.o, 0, d * BQ, 0f);

        float[] kd = k.data(), vd = v.data();
        int kBase = k.index(b, h, 0), kRow = k.rowStride();
        int vBase = v.index(b, h, 0), vRow = v.rowStride();
        int bhIndex = b * heads + h;
        for (int j0 = 0; j0 < nkv; j0 += BK) {
            int bk = Math.min(BK, nkv - j0);
            scores(qp, kd, kBase + j0 * kRow, kRow, bk, d, t.s, qtCount);
            for (int term = 0; term < terms.size(); term++) {
                float[] bd = terms.data[term];
                int ld = terms.ld[term];
                int base = terms.offsets[term][bhIndex] + i0 * ld + j0;
                float[] s = t.s;
                for (int i = 0; i < rows; i++) {
                    int src = base + i * ld;
                    for (int jj = 0; jj < bk; jj++) s[jj * BQ + i] += bd[src + jj];
                }
            }
            onlineSoftmax(t, bk, qtCount * QV);
            accumulate(t.s, bk, vd, vBase + j0 * vRow, vRow, d, t.o, t.alpha, qtCount);
        }
        float[] od = out.data();
        int oBase = out.index(b, h, i0), oRow = out.rowStride();
        float[] o = t.o, l = t.l;
        for (int i = 0; i < rows; i++) {
            // l == 0 only for a fully masked row: defined as zero output. NaN stays NaN.
            float inv = l[i] == 0f ? 0f : 1f / l[i];
            int dst = oBase + i * oRow;
            for (int c = 0; c < d; c++) od[dst + c] = o[c * BQ + i] * inv;
        }
    }

    /**
     * S[jj][i] = sum_c K[jj][c] * Qp[c][i] for jj < bk, i < qtCount*QT, in register tiles of MR keys x QV query
     * vectors; K is broadcast straight from its strided view. A last partial tile repeats the last key in its
     * missing rows (valid data, no out-of-range read) and stores them past row bk of the tile buffer, where
     * nothing reads them: much faster than a latency-bound single-key loop.
     */
    private static void scores(float[] qp, float[] kd, int kOff, int kRow, int bk, int d, float[] s, int qtCount) {
        int last = kOff + (bk - 1) * kRow;
        for (int jj = 0; jj < bk; jj += MR) {
            int k0 = kOff + jj * kRow;
            int k1 = Math.min(k0 + kRow, last), k2 = Math.min(k1 + kRow, last), k3 = Math.min(k2 + kRow, last), k4 = Math.min(k3 + kRow, last), k5 = Math.min(k4 + kRow, last);
            for (int qt = 0; qt < qtCount; qt++) {
                int qo = qt * QT;
                FloatVector a00 = FloatVector.zero(F), a01 = FloatVector.zero(F);
                FloatVector a10 = FloatVector.zero(F), a11 = FloatVector.zero(F);
                FloatVector a20 = FloatVector.zero(F), a21 = FloatVector.zero(F);
                FloatVector a30 = FloatVector.zero(F), a31 = FloatVector.zero(F);
                FloatVector a40 = FloatVector.zero(F), a41 = FloatVector.zero(F);
                FloatVector a50 = FloatVector.zero(F), a51 = FloatVector.zero(F);
                for (int c = 0; c < d; c++) {
                    int qi = c * BQ + qo;
                    FloatVector q0 = FloatVector.fromArray(F, qp, qi);
                    FloatVector q1 = FloatVector.fromArray(F, qp, qi + L);
                    FloatVector b0 = FloatVector.broadcast(F, kd[k0 + c]);
                    a00 = b0.fma(q0, a00);
                    a01 = b0.fma(q1, a01);
                    FloatVector b1 = FloatVector.broadcast(F, kd[k1 + c]);
                    a10 = b1.fma(q0, a10);
                    a11 = b1.fma(q1, a11);
                    FloatVector b2 = FloatVector.broadcast(F, kd[k2 + c]);
                    a20 = b2.fma(q0, a20);
                    a21 = b2.fma(q1, a21);
                    FloatVector b3 = FloatVector.broadcast(F, kd[k3 + c]);
                    a30 = b3.fma(q0, a30);
                    a31 = b3.fma(q1, a31);
                    FloatVector b4 = FloatVector.broadcast(F, kd[k4 + c]);
                    a40 = b4.fma(q0, a40);
                    a41 = b4.fma(q1, a41);
                    FloatVector b5 = FloatVector.broadcast(F, kd[k5 + c]);
                    a50 = b5.fma(q0, a50);
                    a51 = b5.fma(q1, a51);
                }
                int so = jj * BQ + qo;
                a00.intoArray(s, so);
                a01.intoArray(s, so + L);
                a10.intoArray(s, so + 1 * BQ);
                a11.intoArray(s, so + 1 * BQ + L);
                a20.intoArray(s, so + 2 * BQ);
                a21.intoArray(s, so + 2 * BQ + L);
                a30.intoArray(s, so + 3 * BQ);
                a31.intoArray(s, so + 3 * BQ + L);
                a40.intoArray(s, so + 4 * BQ);
                a41.intoArray(s, so + 4 * BQ + L);
                a50.intoArray(s, so + 5 * BQ);
                a51.intoArray(s, so + 5 * BQ + L);
            }
        }
    }

    /**
     * Online softmax step over a {@code bk x (nvec*L)} score tile: new running max, P = exp(S - max) in place,
     * running sum, and alpha = exp(oldMax - newMax) for rescaling the output accumulator. A max of -Infinity
     * (all keys so far masked) is replaced by 0 in the exponent so nothing becomes NaN.
     */
    private static void onlineSoftmax(Tile t, int bk, int nvec) {
        float[] s = t.s, m = t.m, l = t.l, alpha = t.alpha, rowSum = t.rowSum;
        for (int qv = 0; qv < nvec; qv++) {
            int o = qv * L;
            FloatVector mOld = FloatVector.fromArray(F, m, o);
            FloatVector mx = mOld;
            for (int jj = 0; jj < bk; jj++) mx = mx.max(FloatVector.fromArray(F, s, jj * BQ + o));
            FloatVector mSafe = mx.blend(0f, mx.eq(Float.NEGATIVE_INFINITY));
            FloatVector sum = FloatVector.zero(F);
            for (int jj = 0; jj < bk; jj++) {
                FloatVector p = VectorMath.expSoftmax(FloatVector.fromArray(F, s, jj * BQ + o).sub(mSafe));
                p.intoArray(s, jj * BQ + o);
                sum = sum.add(p);
            }
            mOld.intoArray(alpha, o);
            mx.intoArray(m, o);
            sum.intoArray(rowSum, o);
        }
        // alpha = exp(oldMax - newMax) in scalar code: a second inlined vector exp exceeds C2's node budget
        // for this method, and a non-inlined one would box vectors (allocation in the hot path)
        for (int i = 0, n = nvec * L; i < n; i++) {
            float ms = m[i] == Float.NEGATIVE_INFINITY ? 0f : m[i];
            float a = VectorMath.exp(alpha[i] - ms);
            alpha[i] = a;
            l[i] = l[i] * a + rowSum[i];
        }
    }

    /**
     * O^T[c][i] = alpha[i] * O^T[c][i] + sum_jj V[jj][c] * P[jj][i]: register tiles of PV_MR channels x QV
     * vectors, then single channels.
     */
    private static void accumulate(float[] p, int bk, float[] vd, int vOff, int vRow, int d, float[] o,
                                   float[] alpha, int qtCount) {
        for (int qt = 0; qt < qtCount; qt++) {
            int qo = qt * QT;
            FloatVector al0 = FloatVector.fromArray(F, alpha, qo);
            FloatVector al1 = FloatVector.fromArray(F, alpha, qo + L);
            int c = 0;
            for (; c + PV_MR <= d; c += PV_MR) {
                int oo = c * BQ + qo;
                FloatVector a00 = FloatVector.fromArray(F, o, oo).mul(al0);
                FloatVector a01 = FloatVector.fromArray(F, o, oo + L).mul(al1);
                FloatVector a10 = FloatVector.fromArray(F, o, oo + 1 * BQ).mul(al0);
                FloatVector a11 = FloatVector.fromArray(F, o, oo + 1 * BQ + L).mul(al1);
                FloatVector a20 = FloatVector.fromArray(F, o, oo + 2 * BQ).mul(al0);
                FloatVector a21 = FloatVector.fromArray(F, o, oo + 2 * BQ + L).mul(al1);
                FloatVector a30 = FloatVector.fromArray(F, o, oo + 3 * BQ).mul(al0);
                FloatVector a31 = FloatVector.fromArray(F, o, oo + 3 * BQ + L).mul(al1);
                for (int jj = 0; jj < bk; jj++) {
                    int pi = jj * BQ + qo;
                    FloatVector p0 = FloatVector.fromArray(F, p, pi);
                    FloatVector p1 = FloatVector.fromArray(F, p, pi + L);
                    int vi = vOff + jj * vRow + c;
                    FloatVector b0 = FloatVector.broadcast(F, vd[vi]);
                    a00 = b0.fma(p0, a00);
                    a01 = b0.fma(p1, a01);
                    FloatVector b1 = FloatVector.broadcast(F, vd[vi + 1]);
                    a10 = b1.fma(p0, a10);
                    a11 = b1.fma(p1, a11);
                    FloatVector b2 = FloatVector.broadcast(F, vd[vi + 2]);
                    a20 = b2.fma(p0, a20);
                    a21 = b2.fma(p1, a21);
                    FloatVector b3 = FloatVector.broadcast(F, vd[vi + 3]);
                    a30 = b3.fma(p0, a30);
                    a31 = b3.fma(p1, a31);
                }
                a00.intoArray(o, oo);
                a01.intoArray(o, oo + L);
                a10.intoArray(o, oo + 1 * BQ);
                a11.intoArray(o, oo + 1 * BQ + L);
                a20.intoArray(o, oo + 2 * BQ);
                a21.intoArray(o, oo + 2 * BQ + L);
                a30.intoArray(o, oo + 3 * BQ);
                a31.intoArray(o, oo + 3 * BQ + L);
            }
            for (; c < d; c++) {
                int oo = c * BQ + qo;
                FloatVector a00 = FloatVector.fromArray(F, o, oo).mul(al0);
                FloatVector a01 = FloatVector.fromArray(F, o, oo + L).mul(al1);
                for (int jj = 0; jj < bk; jj++) {
                    int pi = jj * BQ + qo;
                    FloatVector p0 = FloatVector.fromArray(F, p, pi);
                    FloatVector p1 = FloatVector.fromArray(F, p, pi + L);
                    int vi = vOff + jj * vRow + c;
                    FloatVector b0 = FloatVector.broadcast(F, vd[vi]);
                    a00 = b0.fma(p0, a00);
                    a01 = b0.fma(p1, a01);
                }
                a00.intoArray(o, oo);
                a01.intoArray(o, oo + L);
            }
        }
    }

    /**
     * Explicit attention: materialises the probabilities. When {@code probs} is not null they are written to
     * {@code probs[probsOff + ((b * heads + h) * nq + i) * nkv + j]} (layout [batch][heads][nq][nkv]).
     * Scratch is {@code nq * nkv} floats per concurrently processed (batch, head) when probs is null.
     */
    public static void explicit(int batch, int heads, int nq, int nkv, int headDim, float scale,
                                AttentionView q, AttentionView k, AttentionView v, AttentionView out,
                                AttentionBias bias, float[] probs, int probsOff) {
        BiasTerms terms = validate(batch, heads, nq, nkv, headDim, scale, q, k, v, out, bias);
        long plane = (long) nq * nkv;
        if (probs != null) {
            long need = (long) batch * heads * plane;
            if (probsOff < 0 || probsOff + need > probs.length) {
                throw new IllegalArgumentException("probs too short: offset " + probsOff + " + batch*heads*nq*nkv " + need
                        + " > length " + probs.length);
            }
        }
        if (batch == 0 || heads == 0 || nq == 0) return;
        if (plane > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("nq*nkv = " + plane + " too large for the explicit path; use flash");
        }
        int bh = batch * heads;
        if (bh >= Parallel.threads()) {
            Parallel.forEach(bh, p -> explicitHead(p, heads, nq, nkv, headDim, scale, q, k, v, out, terms, probs, probsOff));
        } else {
            // few heads: run them one after the other and let GEMM and Softmax use the threads
            for (int p = 0; p < bh; p++) explicitHead(p, heads, nq, nkv, headDim, scale, q, k, v, out, terms, probs, probsOff);
        }
    }

    private static void explicitHead(int p, int heads, int nq, int nkv, int d, float scale,
                                     AttentionView q, AttentionView k, AttentionView v, AttentionView out,
                                     BiasTerms terms, float[] probs, int probsOff) {
        int b = p / heads, h = p % heads;
        int oBase = out.index(b, h, 0), oRow = Math.max(out.rowStride(), d);
        if (nkv == 0 || d == 0) {
            for (int i = 0; i < nq; i++) Arrays.fill(out.data(), oBase + i * out.rowStride(), oBase + i * out.rowStride() + d, 0f);
            return;
        }
        float[] s;
        int so;
        if (probs != null) {
            s = probs;
            so = probsOff + p * nq * nkv;
        } else {
            s = new float[nq * nkv];
            so = 0;
        }
        Gemm.sgemm(false, true, nq, nkv, d, scale, q.data(), q.index(b, h, 0), Math.max(q.rowStride(), d),
                k.data(), k.index(b, h, 0), Math.max(k.rowStride(), d), 0f, s, so, nkv);
        for (int term = 0; term < terms.size(); term++) {
            float[] bd = terms.data[term];
            int ld = terms.ld[term];
            int base = terms.offsets[term][p];
            for (int i = 0; i < nq; i++) {
                int src = base + i * ld, dst = so + i * nkv;
                int j = 0;
                for (int bound = F.loopBound(nkv); j < bound; j += L) {
                    FloatVector.fromArray(F, s, dst + j).add(FloatVector.fromArray(F, bd, src + j)).intoArray(s, dst + j);
                }
                for (; j < nkv; j++) s[dst + j] += bd[src + j];
            }
        }
        Softmax.rows(s, so, nq, nkv, nkv);
        Gemm.sgemm(false, false, nq, d, nkv, 1f, s, so, nkv, v.data(), v.index(b, h, 0), Math.max(v.rowStride(), d),
                0f, out.data(), oBase, oRow);
    }

    private static BiasTerms validate(int batch, int heads, int nq, int nkv, int headDim, float scale,
                                      AttentionView q, AttentionView k, AttentionView v, AttentionView out,
                                      AttentionBias bias) {
        Checks.nonNegative("batch", batch);
        Checks.nonNegative("heads", heads);
        Checks.nonNegative("nq", nq);
        Checks.nonNegative("nkv", nkv);
        Checks.nonNegative("headDim", headDim);
        if ((long) batch * heads > Integer.MAX_VALUE) throw new IllegalArgumentException("batch*heads too large");
        if (!Float.isFinite(scale)) throw new IllegalArgumentException("scale must be finite, found " + scale);
        if (q == null) throw new IllegalArgumentException("q view is null");
        if (k == null) throw new IllegalArgumentException("k view is null");
        if (v == null) throw new IllegalArgumentException("v view is null");
        if (out == null) throw new IllegalArgumentException("out view is null");
        q.check("q", batch, heads, nq, headDim);
        k.check("k", batch, heads, nkv, headDim);
        v.check("v", batch, heads, nkv, headDim);
        out.check("out", batch, heads, nq, headDim);
        return BiasTerms.resolve(bias, batch, heads, nq, nkv);
    }
}
