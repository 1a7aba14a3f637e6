package dev.vitesse.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AttentionTest {
    /**
     * Output bound vs the double reference, with q, k, v uniform in [-1, 1] and scale = 1/sqrt(d): a score
     * carries at most ~d * 2^-24 * sum|q k| * scale of float rounding (~1e-6 for d = 64), exp adds 1.5e-7
     * relative, the weighted sum of |v| <= 1 over nkv keys adds ~nkv^0.5 * 2^-24. 1e-6 leaves a 5x margin
     * over the largest error measured (printed by the test).
     */
    private static final double TOL = 1e-6;
    private static final float SENTINEL = 777f;

    private final int savedThreads = Parallel.threads();
    private static double worst = 0;

    @AfterEach
    void restore() {
        Parallel.setThreads(savedThreads);
    }

    enum Layout { QKV, SEPARATE }

    /** A test problem: inputs in views, a bias, and the double reference output + probabilities. */
    static final class Problem {
        final int batch, heads, nq, nkv, d;
        final float scale;
        AttentionView q, k, v;
        float[] outData;
        int outOff;
        AttentionBias bias;
        double[][][][] refOut;  // [b][h][i][c]
        double[][][][] refProb; // [b][h][i][j]

        Problem(int batch, int heads, int nq, int nkv, int d, Layout layout, int biasKind, long seed) {
            this.batch = batch;
            this.heads = heads;
            this.nq = nq;
            this.nkv = nkv;
            this.d = d;
            this.scale = (float) (1 / Math.sqrt(Math.max(d, 1)));
            SplittableRandom rnd = new SplittableRandom(seed);
            int dim = heads * d;
            if (layout == Layout.QKV) {
                if (nq != nkv) throw new IllegalStateException();
                int off = 5;
                float[] qkv = random(rnd, off + batch * nq * 3 * dim + 3);
                q = AttentionView.qkv(qkv, off, nq, heads, d, 0);
                k = AttentionView.qkv(qkv, off, nq, heads, d, 1);
                v = AttentionView.qkv(qkv, off, nq, heads, d, 2);
            } else {
                float[] qd = random(rnd, 2 + batch * heads * nq * d);
                q = AttentionView.headMajor(qd, 2, nq, heads, d);
                int kvOff = 1;
                float[] kv = random(rnd, kvOff + batch * nkv * 2 * dim + 4);
                k = new AttentionView(kv, kvOff, nkv * 2 * dim, 2 * dim, d);
                v = new AttentionView(kv, kvOff + dim, nkv * 2 * dim, 2 * dim, d);
            }
            outOff = 3;
            outData = new float[outOff + batch * nq * dim + 4];
            Arrays.fill(outData, SENTINEL);
            if (biasKind == 4) {
                // a per-head bias rising with the key index, so the running max moves in every key block (the
                // output is rescaled each time), and every third row starting with -Infinity keys for the first key
                // block and 28 keys more, or all keys but the last (its max stays -Infinity through the first key
                // block, then becomes finite)
                float[] table = new float[heads * nq * nkv];
                for (int h = 0; h < heads; h++) {
                    for (int i = 0; i < nq; i++) {
                        for (int j = 0; j < nkv; j++) {
                            boolean masked = i % 3 == 0 && j < Math.min(FlashAttention.keyBlock(nkv) + 28, nkv - 1);
                            table[(h * nq + i) * nkv + j] = masked ? Float.NEGATIVE_INFINITY
                                    : 0.05f * j + (float) rnd.nextDouble(-0.5, 0.5);
                        }
                    }
                }
                bias = AttentionBias.perHead(table, nq, nkv);
            } else if (biasKind >= 1) { // per-head table (like Swin's relative position bias)
                float[] table = random(rnd, heads * nq * nkv);
                for (int i = 0; i < table.length; i++) table[i] *= 3;
                bias = AttentionBias.perHead(table, nq, nkv);
                if (biasKind >= 2) { // plus a per-window mask with -100 / -1e9 / -inf entries, 2 windows
                    float[] mask = new float[2 * nq * nkv];
                    for (int i = 0; i < mask.length; i++) {
                        double u = rnd.nextDouble();
                        mask[i] = u < 0.2 ? -100f : u < 0.3 ? -1e9f : u < 0.35 ? Float.NEGATIVE_INFINITY : 0f;
                    }
                    if (biasKind >= 3 && nq > 2) { // fully masked query rows in window 1 (row 1) and 0 (last row)
                        Arrays.fill(mask, nq * nkv + nkv, nq * nkv + 2 * nkv, Float.NEGATIVE_INFINITY);
                        Arrays.fill(mask, (nq - 1) * nkv, nq * nkv, Float.NEGATIVE_INFINITY);
                    }
                    bias = bias.plus(AttentionBias.perWindow(mask, 2, nq, nkv));
                }
            }
            reference();
        }

        private static float[] random(SplittableRandom rnd, int n) {
            float[] a = new float[n];
            for (int i = 0; i < n; i++) a[i] = (float) rnd.nextDouble(-1, 1);
            return a;
        }

        AttentionView out() {
            return AttentionView.tokenMajor(outData, outOff, nq, heads, d);
        }

        private void reference() {
            refOut = new double[batch][heads][nq][d];
            refProb = new double[batch][heads][nq][];
            for (int b = 0; b < batch; b++) {
                for (int h = 0; h < heads; h++) {
                    for (int i = 0; i < nq; i++) {
                        double[] z = new double[nkv];
                        for (int j = 0; j < nkv; j++) {
                            double s = 0;
                            for (int c = 0; c < d; c++) {
                                s += (double) q.data()[q.index(b, h, i) + c] * k.data()[k.index(b, h, j) + c];
                            }
                            z[j] = scale * s;
                            for (AttentionBias t = bias; t != null; t = t.next()) z[j] += t.data()[t.offset(b, h) + i * t.ld() + j];
                        }
                        double[] p = Ref.softmax(z);
                        refProb[b][h][i] = p;
                        for (int c = 0; c < d; c++) {
                            double o = 0;
                            for (int j = 0; j < nkv; j++) o += p[j] * v.data()[v.index(b, h, j) + c];
                            refOut[b][h][i][c] = o;
                        }
                    }
                }
            }
        }

        double compareOut(String what) {
            double max = 0;
            AttentionView o = out();
            for (int b = 0; b < batch; b++) {
                for (int h = 0; h < heads; h++) {
                    for (int i = 0; i < nq; i++) {
                        for (int c = 0; c < d; c++) {
                            float got = outData[o.index(b, h, i) + c];
                            double err = Math.abs(got - refOut[b][h][i][c]);
                            if (!(err <= TOL)) {
                                throw new AssertionError(what + ": out[" + b + "][" + h + "][" + i + "][" + c + "] = " + got
                                        + ", reference " + refOut[b][h][i][c] + " (" + this + ")");
                            }
                            max = Math.max(max, err);
                        }
                    }
                }
            }
            for (int i = 0; i < outOff; i++) assertThat(outData[i]).as("before out offset").isEqualTo(SENTINEL);
            for (int i = outData.length - 4; i < outData.length; i++) assertThat(outData[i]).as("after out").isEqualTo(SENTINEL);
            return max;
        }

        @Override
        public String toString() {
            return "batch=" + batch + " heads=" + heads + " nq=" + nq + " nkv=" + nkv + " d=" + d + " bias=" + (bias != null);
        }
    }

    private static void runAll(Problem pr, int threads) {
        Parallel.setThreads(threads);
        Attention.flash(pr.batch, pr.heads, pr.nq, pr.nkv, pr.d, pr.scale, pr.q, pr.k, pr.v, pr.out(), pr.bias);
        double ef = pr.compareOut("flash, " + threads + " threads");
        Arrays.fill(pr.outData, SENTINEL);
        Attention.explicit(pr.batch, pr.heads, pr.nq, pr.nkv, pr.d, pr.scale, pr.q, pr.k, pr.v, pr.out(), pr.bias, null, 0);
        double ee = pr.compareOut("explicit, " + threads + " threads");
        Arrays.fill(pr.outData, SENTINEL);
        int probsOff = 2;
        float[] probs = new float[probsOff + pr.batch * pr.heads * pr.nq * pr.nkv + 1];
        probs[probs.length - 1] = SENTINEL;
        Attention.explicit(pr.batch, pr.heads, pr.nq, pr.nkv, pr.d, pr.scale, pr.q, pr.k, pr.v, pr.out(), pr.bias, probs, probsOff);
        pr.compareOut("explicit with probs, " + threads + " threads");
        int idx = probsOff;
        for (int b = 0; b < pr.batch; b++) {
            for (int h = 0; h < pr.heads; h++) {
                for (int i = 0; i < pr.nq; i++) {
                    for (int j = 0; j < pr.nkv; j++) {
                        double ref = pr.refProb[b][h][i][j];
                        float got = probs[idx++];
                        if (!(Math.abs(got - ref) <= 1e-7 + 4e-6 * ref)) { // plain check: millions of elements
                            throw new AssertionError("prob[" + b + "][" + h + "][" + i + "][" + j + "] = " + got + ", reference " + ref);
                        }
                    }
                }
            }
        }
        assertThat(probs[probs.length - 1]).isEqualTo(SENTINEL);
        synchronized (AttentionTest.class) {
            worst = Math.max(worst, Math.max(ef, ee));
        }
    }

    /** Flash only against the reference (shapes aimed at the flash tiling); returns the max error. */
    private static double runFlash(Problem pr, int threads) {
        Parallel.setThreads(threads);
        Arrays.fill(pr.outData, SENTINEL);
        Attention.flash(pr.batch, pr.heads, pr.nq, pr.nkv, pr.d, pr.scale, pr.q, pr.k, pr.v, pr.out(), pr.bias);
        double e = pr.compareOut("flash, " + threads + " threads");
        synchronized (AttentionTest.class) {
            worst = Math.max(worst, e);
        }
        return e;
    }

    @Test
    void flashTilingEdges() {
        // sizes on both sides of the flash tiles: register tile (2 vectors = 16 queries on AVX2, 6 keys / 6 channels),
        // key block (72 keys with 256-bit vectors, 792 with 512-bit ones: one block up to it, then 2 or 3 equal
        // blocks), query block (128; 257 -> 3 balanced blocks), head dims that are not multiples of the
        // 6-channel V panels (32, 64, 80) or are (48, 96), and a large one (128)
        int[][] shapes = { // batch, heads, nq, nkv, d
            {1, 2, 5, 6, 32}, {1, 1, 16, 71, 80}, {1, 1, 17, 72, 96}, {2, 1, 33, 73, 64}, {1, 1, 127, 145, 80},
            {1, 1, 128, 144, 32}, {1, 2, 129, 79, 96}, {1, 1, 257, 150, 64}, {1, 1, 300, 13, 48}, {1, 1, 40, 90, 128},
            {1, 1, 20, 792, 64}, {1, 2, 17, 793, 32}, {1, 1, 9, 1585, 48}};
        long seed = 100;
        for (int[] s : shapes) {
            Problem p = new Problem(s[0], s[1], s[2], s[3], s[4], Layout.SEPARATE, (int) (seed % 2) * 3, seed++);
            runFlash(p, 1);
            runFlash(p, 2);
        }
        System.out.println("flash tiling edges, max abs error: " + worst);
    }

    @Test
    void flashRescalesWhenTheMaxMovesLate() {
        runFlash(new Problem(1, 2, 150, 300, 64, Layout.SEPARATE, 4, 31), 2);
        runFlash(new Problem(2, 1, 40, 217, 80, Layout.SEPARATE, 4, 32), 1);
        runAll(new Problem(1, 1, 50, 150, 32, Layout.SEPARATE, 4, 33), 1);
        runFlash(new Problem(1, 1, 40, 1000, 64, Layout.SEPARATE, 4, 34), 2); // first of 2 key blocks (512-bit) masked
    }

    @Test
    void flashResultsDoNotDependOnThreadCount() {
        int[][] shapes = {{1, 1, 600, 600, 64}, {2, 3, 197, 197, 64}, {3, 4, 49, 49, 32}}; // batch, heads, nq, nkv, d
        long seed = 40;
        for (int[] s : shapes) {
            Problem p = new Problem(s[0], s[1], s[2], s[3], s[4], Layout.QKV, 0, seed++);
            float[] first = null;
            for (int threads : new int[] {1, 2, 3}) {
                runFlash(p, threads);
                if (first == null) first = p.outData.clone();
                else assertThat(p.outData).as("flash output with " + threads + " threads vs 1 thread, " + p).isEqualTo(first);
            }
        }
    }

    @Test
    void smallAwkwardShapes() {
        int[][] shapes = { // batch, heads, nq, nkv, d
            {1, 1, 1, 1, 64}, {1, 1, 1, 197, 64}, {1, 2, 7, 1, 24}, {2, 3, 7, 7, 24}, {1, 2, 17, 17, 20},
            {2, 1, 17, 7, 3}, {1, 1, 33, 65, 5}, {3, 2, 40, 129, 8}};
        long seed = 1;
        for (int[] s : shapes) {
            for (int biasKind = 0; biasKind <= 3; biasKind++) {
                Layout layout = s[2] == s[3] && biasKind % 2 == 0 ? Layout.QKV : Layout.SEPARATE;
                Problem p = new Problem(s[0], s[1], s[2], s[3], s[4], layout, biasKind, seed++);
                runAll(p, 1);
                runAll(p, 2);
            }
        }
        System.out.println("attention small shapes, max abs error: " + worst);
    }

    @Test
    void vitAndSwinAndPvtShapes() {
        runAll(new Problem(1, 3, 197, 197, 64, Layout.QKV, 0, 11), 2);       // ViT-like
        runAll(new Problem(2, 2, 197, 197, 64, Layout.QKV, 0, 12), 1);
        runAll(new Problem(4, 3, 49, 49, 32, Layout.SEPARATE, 3, 13), 2);   // Swin windows: table + shifted mask
        runAll(new Problem(1, 2, 197, 49, 64, Layout.SEPARATE, 1, 14), 2);  // PVT-like spatial reduction
        System.out.println("attention ViT/Swin/PVT shapes, max abs error: " + worst);
    }

    @Test
    void longSequences() {
        runAll(new Problem(1, 1, 3137, 49, 64, Layout.SEPARATE, 0, 21), 2);  // PVT stage 1: 3136 tokens (+1), 49 reduced
        runAll(new Problem(1, 1, 3137, 3137, 8, Layout.QKV, 0, 22), 2);     // long N x N, small head dim
        System.out.println("attention long sequences, max abs error: " + worst);
    }

    @Test
    void fullyMaskedRowsGiveZeros() {
        Problem p = new Problem(2, 2, 9, 11, 16, Layout.SEPARATE, 3, 5);
        Attention.flash(p.batch, p.heads, p.nq, p.nkv, p.d, p.scale, p.q, p.k, p.v, p.out(), p.bias);
        p.compareOut("flash");
        AttentionView o = p.out();
        // batch 1 = window 1: row 1 fully masked; batch 0 = window 0: last row
        for (int h = 0; h < 2; h++) {
            for (int c = 0; c < 16; c++) {
                assertThat(p.outData[o.index(1, h, 1) + c]).isEqualTo(0f);
                assertThat(p.outData[o.index(0, h, 8) + c]).isEqualTo(0f);
            }
        }
        // nkv = 0: nothing to attend to, zeros as well
        Arrays.fill(p.outData, SENTINEL);
        Attention.flash(p.batch, p.heads, p.nq, 0, p.d, p.scale, p.q, p.k, p.v, p.out(), null);
        Attention.explicit(p.batch, p.heads, p.nq, 0, p.d, p.scale, p.q, p.k, p.v, p.out(), null, null, 0);
        for (int b = 0; b < 2; b++) for (int h = 0; h < 2; h++) for (int i = 0; i < 9; i++) for (int c = 0; c < 16; c++) {
            assertThat(p.outData[o.index(b, h, i) + c]).isEqualTo(0f);
        }
    }

    @Test
    void badArgumentsAreRejectedBeforeAnyAccess() {
        Problem p = new Problem(1, 2, 7, 7, 8, Layout.QKV, 0, 3);
        AttentionView o = p.out();
        assertThatThrownBy(() -> Attention.flash(-1, 2, 7, 7, 8, 1f, p.q, p.k, p.v, o, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batch");
        assertThatThrownBy(() -> Attention.flash(1, 2, -7, 7, 8, 1f, p.q, p.k, p.v, o, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nq");
        assertThatThrownBy(() -> Attention.explicit(1, 2, 7, 7, -8, 1f, p.q, p.k, p.v, o, null, null, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("headDim");
        assertThatThrownBy(() -> Attention.flash(1, 2, 7, 7, 8, 1f, null, p.k, p.v, o, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("q view is null");
        assertThatThrownBy(() -> Attention.flash(1, 2, 8, 7, 8, 1f, p.q, p.k, p.v, o, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("view q too short");
        assertThatThrownBy(() -> Attention.flash(1, 2, 7, 8, 8, 1f, p.q, p.k, p.v, o, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("view k too short");
        assertThatThrownBy(() -> Attention.flash(1, 3, 7, 7, 8, 1f, p.q, p.k, p.v, o, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too short");
        assertThatThrownBy(() -> Attention.flash(1, 2, 7, 7, 8, Float.NaN, p.q, p.k, p.v, o, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scale");
        AttentionBias shortBias = AttentionBias.perHead(new float[2 * 7 * 7 - 1], 7, 7);
        assertThatThrownBy(() -> Attention.flash(1, 2, 7, 7, 8, 1f, p.q, p.k, p.v, o, shortBias))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bias term 0");
        AttentionBias twoTerms = AttentionBias.perHead(new float[2 * 49], 7, 7).plus(AttentionBias.perWindow(new float[48], 1, 7, 7));
        assertThatThrownBy(() -> Attention.flash(1, 2, 7, 7, 8, 1f, p.q, p.k, p.v, o, twoTerms))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bias term 1");
        assertThatThrownBy(() -> Attention.explicit(1, 2, 7, 7, 8, 1f, p.q, p.k, p.v, o, null, new float[2 * 49 - 1], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("probs");
        assertThatThrownBy(() -> new AttentionView(new float[4], -1, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offset");
        assertThatThrownBy(() -> new AttentionView(null, 0, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null");
        assertThatThrownBy(() -> new AttentionView(new float[4], 0, 0, -3, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("strides");
        // the output was never touched
        for (float f : p.outData) assertThat(f).isEqualTo(SENTINEL);
    }

    @Test
    void headDimZeroGivesSoftmaxOfTheBiasAndNeverIndexesTheViews() {
        int b = 2, h = 2, n = 5;
        float[] probs = new float[b * h * n * n];
        Arrays.fill(probs, SENTINEL);
        AttentionView empty = AttentionView.tokenMajor(new float[0], 0, n, h, 0);
        // scores are all 0: every probability is 1/n (they were left unwritten)
        Attention.explicit(b, h, n, n, 0, 1f, empty, empty, empty, empty, null, probs, 0);
        for (float p : probs) assertThat(p).isCloseTo(1f / n, org.assertj.core.data.Offset.offset(1e-6f));
        // an empty view is never range-checked, so it must never be indexed (Arrays.fill at offset 5 of 2 threw AIOOBE)
        AttentionView beyond = new AttentionView(new float[2], 5, 0, 0, 0);
        Attention.explicit(b, h, n, n, 0, 1f, beyond, beyond, beyond, beyond, null, null, 0);
        Attention.flash(b, h, n, n, 0, 1f, beyond, beyond, beyond, beyond, null);
    }

    @Test
    void outOverlappingQkvOrItselfIsRejectedButDisjointColumnsOfOneArrayWork() {
        int n = 7, h = 2, d = 5, dim = h * d;
        SplittableRandom rnd = new SplittableRandom(3);
        // one buffer [n, 4 * dim]: q | k | v | out columns; disjoint although the views' spans interleave
        float[] buf = new float[n * 4 * dim];
        for (int i = 0; i < buf.length; i++) buf[i] = (float) rnd.nextDouble(-1, 1);
        AttentionView q = new AttentionView(buf, 0, n * 4 * dim, 4 * dim, d);
        AttentionView k = new AttentionView(buf, dim, n * 4 * dim, 4 * dim, d);
        AttentionView v = new AttentionView(buf, 2 * dim, n * 4 * dim, 4 * dim, d);
        AttentionView out = new AttentionView(buf, 3 * dim, n * 4 * dim, 4 * dim, d);
        float[] separate = new float[n * dim];
        Attention.flash(1, h, n, n, d, 0.4f, q, k, v, AttentionView.tokenMajor(separate, 0, n, h, d), null);
        Attention.flash(1, h, n, n, d, 0.4f, q, k, v, out, null);
        for (int i = 0; i < n; i++)
            for (int c = 0; c < dim; c++) assertThat(buf[i * 4 * dim + 3 * dim + c]).isEqualTo(separate[i * dim + c]);

        // out on v's columns shifted by one element: overlaps v (and would overwrite it while it is read)
        AttentionView onV = new AttentionView(buf, 2 * dim + 1, n * 4 * dim, 4 * dim, d);
        assertThatThrownBy(() -> Attention.flash(1, h, n, n, d, 0.4f, q, k, v, onV, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlaps the v view");
        assertThatThrownBy(() -> Attention.explicit(1, h, n, n, d, 0.4f, q, k, v, q, null, null, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlaps the q view");
        // two heads writing the same elements (head stride 0), and rows closer than headDim
        AttentionView sameHeads = new AttentionView(separate, 0, 0, dim, 0);
        assertThatThrownBy(() -> Attention.flash(1, h, n, n, d, 0.4f, q, k, v, sameHeads, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("writes some elements twice");
        AttentionView interleaved = new AttentionView(separate, 0, 0, dim, d - 1);
        assertThatThrownBy(() -> Attention.flash(1, h, n, n, d, 0.4f, q, k, v, interleaved, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("writes some elements twice");
        // not nested (head stride 25 inside the rows' span 0..65) but disjoint: head 1's rows fall in head 0's gaps;
        // the exact check accepts it and the result is right
        float[] other = new float[100];
        AttentionView gaps = new AttentionView(other, 0, 0, 2 * d, 5 * d);
        Attention.flash(1, h, n, n, d, 0.4f, q, k, v, gaps, null);
        for (int i = 0; i < n; i++)
            for (int hh = 0; hh < h; hh++)
                for (int c = 0; c < d; c++)
                    assertThat(other[i * 2 * d + hh * 5 * d + c]).isEqualTo(separate[i * dim + hh * d + c]);
    }

    @Test
    void viewAndBiasFactoriesRejectNegativeOrOverflowingShapes() {
        float[] d = new float[16];
        // 1864136 * 3 * 768 wraps to 2048: a plausible batch stride that silently read the wrong rows
        assertThatThrownBy(() -> AttentionView.qkv(d, 0, 1864136, 12, 64, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("qkv batch stride");
        assertThatThrownBy(() -> AttentionView.qkv(d, 0, 1, 65536, 65536, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit in an int");
        assertThatThrownBy(() -> AttentionView.qkv(d, Integer.MAX_VALUE, 1, 1, 1, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("qkv view offset");
        assertThatThrownBy(() -> AttentionView.tokenMajor(d, 0, 2796203, 768, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token-major batch stride");
        assertThatThrownBy(() -> AttentionView.headMajor(d, 0, 65536, 65536, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("head-major");
        assertThatThrownBy(() -> AttentionView.tokenMajor(d, 0, -1, 2, 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tokens must be >= 0");
        assertThatThrownBy(() -> AttentionView.headMajor(d, 0, 1, 2, -4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("headDim must be >= 0");
        // 65536 * 65536 wraps to 0: every head read the same plane
        assertThatThrownBy(() -> AttentionBias.perHead(d, 65536, 65536))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bias plane nq*nkv");
        assertThatThrownBy(() -> AttentionBias.perHead(d, -1, 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nq must be >= 0");
        assertThatThrownBy(() -> AttentionBias.perWindow(d, 1, 4, -4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nkv must be >= 0");
        assertThatThrownBy(() -> AttentionBias.perBatchHead(d, -1, 1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heads must be >= 0");
    }
}
