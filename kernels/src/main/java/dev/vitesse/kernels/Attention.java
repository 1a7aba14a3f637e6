package dev.vitesse.kernels;

import dev.vitesse.kernels.gemm.ThreadScratch;

import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
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
 *       materialised: per thread there are bounded tiles (a query block, a score block of at most 792 keys, the
 *       output accumulator: at most ~460 KiB for headDim 64, L2-resident) plus K and V of one head packed into panels
 *       (O(N d)), all cached per thread, so memory grows linearly with N, never with N^2. Both products run on
 *       one GEMM-style broadcast-FMA register-tile micro-kernel over the packed panels; tiles are kept
 *       transposed (queries in the vector lanes), so the softmax statistics (running max, running sum) are
 *       vectors over queries and there are no horizontal reductions. Details: {@code FlashAttention}.</li>
 *   <li>{@link #explicit}: S = scale Q K^T with {@link Gemm#sgemm}, row softmax ({@link Softmax}), then
 *       O = P V with {@link Gemm#sgemm}; optionally returns the probabilities (attention maps).</li>
 * </ul>
 *
 * <h2>Conventions</h2>
 * Masked positions are large negative biases or -Infinity. A query row whose scores are all -Infinity
 * (fully masked) gets an output row of <b>zeros</b> (and probabilities of zeros), never NaN; NaN inputs
 * propagate to NaN. {@code out} must not overlap q, k, v (checked) or the bias (not checked).
 * Work is split over {@link Parallel} by (batch, head) and, when there are fewer of those than needed to
 * keep every thread busy, also by blocks of query rows.
 */
public final class Attention {
    private Attention() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();

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
        if (FlashAttention.panelFloats(nkv, headDim) > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("nkv*headDim = " + (long) nkv * headDim + " too large for the flash K/V panels");
        }
        FlashAttention.run(batch, heads, nq, nkv, headDim, scale, q, k, v, out, terms);
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

    /**
     * Explicit attention: materialises the probabilities. When {@code probs} is not null they are written to
     * {@code probs[probsOff + ((b * heads + h) * nq + i) * nkv + j]} (layout [batch][heads][nq][nkv]).
     * Scratch is {@code nq * nkv} floats per thread working on a (batch, head) when probs is null, kept per thread
     * (softly referenced) and reused by later calls.
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

    /**
     * Per-thread score buffer of the explicit path, reused across heads and calls: allocating nq x nkv floats per
     * head (2.4 MB at N = 785) made young-GC pauses dominate and the timing erratic (19-117 ms per call, measured).
     */
    private static final ThreadLocal<ThreadScratch> SCORES = ThreadLocal.withInitial(ThreadScratch::new);

    private static void explicitHead(int p, int heads, int nq, int nkv, int d, float scale,
                                     AttentionView q, AttentionView k, AttentionView v, AttentionView out,
                                     BiasTerms terms, float[] probs, int probsOff) {
        int b = p / heads, h = p % heads;
        if (d == 0 && probs == null) return; // empty output rows (the view was not range-checked: do not index it)
        int oBase = d == 0 ? 0 : out.index(b, h, 0), oRow = Math.max(out.rowStride(), d);
        if (nkv == 0) {
            if (d > 0) for (int i = 0; i < nq; i++) Arrays.fill(out.data(), oBase + i * out.rowStride(), oBase + i * out.rowStride() + d, 0f);
            return;
        }
        ThreadScratch scratch = probs == null ? SCORES.get() : null;
        float[] s = probs != null ? probs : scratch.take((long) nq * nkv);
        int so = probs != null ? probsOff + p * nq * nkv : 0;
        try {
            scoresSoftmaxValues(b, h, p, nq, nkv, d, scale, q, k, v, out, oBase, oRow, terms, s, so);
        } finally {
            if (scratch != null) scratch.give(s);
        }
    }

    /** S = scale Q K^T (+ bias terms), softmax by rows, O = P V, for one (batch, head) with S at s[so..]. */
    private static void scoresSoftmaxValues(int b, int h, int p, int nq, int nkv, int d, float scale,
                                            AttentionView q, AttentionView k, AttentionView v, AttentionView out,
                                            int oBase, int oRow, BiasTerms terms, float[] s, int so) {
        if (d == 0) { // headDim 0 (probabilities requested): scores are all 0 before the bias; q, k, v, out are empty
            for (int i = 0; i < nq; i++) Arrays.fill(s, so + i * nkv, so + (i + 1) * nkv, 0f);
        } else {
            Gemm.sgemm(false, true, nq, nkv, d, scale, q.data(), q.index(b, h, 0), Math.max(q.rowStride(), d),
                    k.data(), k.index(b, h, 0), Math.max(k.rowStride(), d), 0f, s, so, nkv);
        }
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
        if (d == 0) return;
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
        // out is written while q, k and v are still read, and two heads writing one element race
        if (!out.rowsDisjoint(batch, heads, nq, headDim))
            throw new IllegalArgumentException("out view writes some elements twice (its rows overlap): " + out);
        String[] names = {"q", "k", "v"};
        AttentionView[] ins = {q, k, v};
        for (int t = 0; t < 3; t++) {
            if (out.sharesElementsWith(ins[t], batch, heads, nq, t == 0 ? nq : nkv, headDim))
                throw new IllegalArgumentException("out view overlaps the " + names[t] + " view in the same array");
        }
        return BiasTerms.resolve(bias, batch, heads, nq, nkv);
    }
}
