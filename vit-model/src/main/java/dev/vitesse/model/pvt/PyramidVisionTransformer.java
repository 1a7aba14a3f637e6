package dev.vitesse.model.pvt;

import dev.vitesse.kernels.Attention;
import dev.vitesse.kernels.AttentionView;
import dev.vitesse.kernels.Conv2d;
import dev.vitesse.kernels.DepthwiseConv2d;
import dev.vitesse.kernels.Gelu;
import dev.vitesse.kernels.Pooling;
import dev.vitesse.kernels.Profiler;
import dev.vitesse.model.fam1.Fam1Config;
import dev.vitesse.model.fam1.Fam1Model;
import dev.vitesse.model.fam1.FeatureObserver;
import dev.vitesse.model.io.TensorMap;
import dev.vitesse.model.layers.Bilinear;
import dev.vitesse.model.layers.Dense;
import dev.vitesse.model.layers.Norm;
import dev.vitesse.model.layers.Scratch;

/**
 * Pyramid Vision Transformer v1 and v2 (incl. v2-li), channels-last {@code [H*W][C]} tokens throughout.
 *
 * <p>Spatial-reduction attention: queries from all N tokens, keys/values from a reduced map (strided
 * {@code sr} conv + LN, or for v2-li adaptive-avg-pool to 7x7 + 1x1 conv + LN + GELU), so the flash kernel
 * runs with {@code nkv < nq} reading k and v straight out of the {@code kv} GEMM output {@code [M][2C]}.
 * v2's MLP is fc1 -> (ReLU for -li) -> depthwise 3x3 on the token map -> GELU -> fc2 (+ residual, fused).
 * v1 adds per-stage position embeddings (bilinearly resized when the input differs from {@code img_size},
 * as the repo does) and a class token in stage 4, classifying from it; v2 averages the tokens.
 */
public final class PyramidVisionTransformer extends Fam1Model {
    private final PvtConfig cfg;
    private final Stage[] stages;
    private final Dense head;
    private final Norm finalNorm;   // v1 only
    private final float[] clsToken;  // v1 only
    private final long params;

    private record Embed(Conv2d proj, Norm norm, float[] pos, int posH, int posW) {}

    private record Block(Norm norm1, Dense q, Dense kv, Conv2d sr, Dense srLinear, Norm srNorm, Dense proj, Norm norm2,
                         Dense fc1, DepthwiseConv2d dw, Dense fc2) {}

    private record Stage(Embed embed, Block[] blocks, Norm norm, int dim, int heads) {}

    private PyramidVisionTransformer(PvtConfig cfg, Fam1Config.Preprocess pre, Stage[] stages, Dense head, Norm finalNorm,
                                     float[] clsToken, long params) {
        super(cfg.architecture(), pre);
        this.cfg = cfg;
        this.stages = stages;
        this.head = head;
        this.finalNorm = finalNorm;
        this.clsToken = clsToken;
        this.params = params;
    }

    public PvtConfig config() { return cfg; }

    /** Loads PVT v2 (timm or original names) or PVT v1 (original names). */
    public static PyramidVisionTransformer load(Fam1Config config, TensorMap tensors) {
        PvtConfig c = PvtConfig.from(config);
        TensorMap t = c.v2() ? PvtCheckpoint.v2ToTimm(tensors) : tensors;
        String headName = "head.weight";
        int numClasses = config.numClasses() >= 0 ? config.numClasses()
                : t.shapeOf(headName) != null ? t.shapeOf(headName)[0] : 1000;
        c = new PvtConfig(c.architecture(), c.v2(), c.linear(), c.imgSize(), c.patchSize(), c.embedDims(), c.numHeads(),
                c.depths(), c.srRatios(), c.mlpRatios(), c.qkvBias(), numClasses);
        long[] count = {0};
        Stage[] stages = new Stage[4];
        int posH = c.imgSize() / c.patchSize();
        for (int i = 0; i < 4; i++) {
            int dim = c.embedDims()[i], cin = i == 0 ? 3 : c.embedDims()[i - 1];
            Embed embed;
            String pfx;
            if (c.v2()) {
                pfx = i == 0 ? "patch_embed" : "stages." + i + ".downsample";
                int k = i == 0 ? 7 : 3, s = i == 0 ? 4 : 2;
                Conv2d proj = conv(t, pfx + ".proj", cin, dim, k, s, k / 2, true,
                        i == 0 ? Conv2d.InputLayout.NCHW : Conv2d.InputLayout.NHWC, count);
                embed = new Embed(proj, norm(t, pfx + ".norm", dim, PvtConfig.EPS_DEFAULT, count), null, 0, 0);
            } else {
                pfx = "patch_embed" + (i + 1);
                int p = i == 0 ? c.patchSize() : 2;
                if (i > 0) posH = posH / 2;
                Conv2d proj = conv(t, pfx + ".proj", cin, dim, p, p, 0, true,
                        i == 0 ? Conv2d.InputLayout.NCHW : Conv2d.InputLayout.NHWC, count);
                int npos = posH * posH + (i == 3 ? 1 : 0);
                float[] pos = t.take("pos_embed" + (i + 1), 1, npos, dim);
                count[0] += pos.length;
                embed = new Embed(proj, norm(t, pfx + ".norm", dim, PvtConfig.EPS_DEFAULT, count), pos, posH, posH);
            }
            int heads = c.numHeads()[i], sr = c.srRatios()[i], hidden = (int) (dim * c.mlpRatios()[i]);
            Block[] blocks = new Block[c.depths()[i]];
            for (int j = 0; j < blocks.length; j++) {
                String b = c.v2() ? "stages." + i + ".blocks." + j + "." : "block" + (i + 1) + "." + j + ".";
                Conv2d srConv = null;
                Dense srLin = null;
                Norm srNorm = null;
                if (c.linear()) {
                    srLin = new Dense(t.take(b + "attn.sr.weight", dim, dim, 1, 1), t.take(b + "attn.sr.bias", dim), dim, dim,
                            t.weightFormat());
                    count[0] += srLin.parameterCount();
                    srNorm = norm(t, b + "attn.norm", dim, PvtConfig.EPS_DEFAULT, count);
                } else if (sr > 1) {
                    srConv = conv(t, b + "attn.sr", dim, dim, sr, sr, 0, true, Conv2d.InputLayout.NHWC, count);
                    srNorm = norm(t, b + "attn.norm", dim, PvtConfig.EPS_DEFAULT, count);
                }
                DepthwiseConv2d dw = null;
                if (c.v2()) {
                    String dwName = b + "mlp.dwconv";
                    float[] dwW = t.take(dwName + ".weight", hidden, 1, 3, 3), dwB = t.take(dwName + ".bias", hidden);
                    count[0] += dwW.length + dwB.length;
                    dw = DepthwiseConv2d.of(dwW, dwB, hidden, 3, 3, 1, 1);
                }
                blocks[j] = new Block(norm(t, b + "norm1", dim, PvtConfig.EPS, count),
                        dense(t, b + "attn.q", dim, dim, c.qkvBias(), count), dense(t, b + "attn.kv", 2 * dim, dim, c.qkvBias(), count),
                        srConv, srLin, srNorm, dense(t, b + "attn.proj", dim, dim, true, count),
                        norm(t, b + "norm2", dim, PvtConfig.EPS, count), dense(t, b + "mlp.fc1", hidden, dim, true, count), dw,
                        dense(t, b + "mlp.fc2", dim, hidden, true, count));
            }
            Norm stageNorm = c.v2() ? norm(t, "stages." + i + ".norm", dim, PvtConfig.EPS, count) : null;
            stages[i] = new Stage(embed, blocks, stageNorm, dim, heads);
        }
        int nf = c.embedDims()[3];
        Norm fn = null;
        float[] cls = null;
        if (!c.v2()) {
            fn = norm(t, "norm", nf, PvtConfig.EPS, count);
            cls = t.take("cls_token", 1, 1, nf);
            count[0] += nf;
        }
        Dense hd = numClasses > 0 ? dense(t, "head", numClasses, nf, true, count) : null;
        t.requireAllUsed(c.architecture());
        return new PyramidVisionTransformer(c, config.preprocess(c.defaultPreprocess()), stages, hd, fn, cls, count[0]);
    }

    private static Conv2d conv(TensorMap t, String prefix, int cin, int cout, int k, int s, int p, boolean bias,
                               Conv2d.InputLayout layout, long[] count) {
        float[] w = t.take(prefix + ".weight", cout, cin, k, k);
        float[] b = bias ? t.take(prefix + ".bias", cout) : null;
        count[0] += w.length + (b == null ? 0 : b.length);
        return Conv2d.of(w, b, cin, cout, k, s, p, layout, t.weightFormat());
    }

    private static Norm norm(TensorMap t, String prefix, int dim, float eps, long[] count) {
        count[0] += 2L * dim;
        return Norm.load(t, prefix, dim, eps);
    }

    private static Dense dense(TensorMap t, String prefix, int out, int in, boolean bias, long[] count) {
        Dense d = Dense.load(t, prefix, out, in, bias);
        count[0] += d.parameterCount();
        return d;
    }

    @Override public int numClasses() { return cfg.numClasses(); }
    @Override public int numFeatures() { return cfg.embedDims()[3]; }
    @Override public long parameterCount() { return params; }

    @Override
    public double flopsPerImage() {
        double f = 0;
        int hh = inputHeight(), ww = inputWidth();
        for (int i = 0; i < 4; i++) {
            Stage st = stages[i];
            Conv2d pe = st.embed.proj;
            int oh = pe.outH(hh), ow = pe.outW(ww), c = st.dim, n = oh * ow + (!cfg.v2() && i == 3 ? 1 : 0);
            f += 2.0 * oh * ow * c * pe.inChannels() * pe.kernelH() * pe.kernelW();
            for (Block b : st.blocks) {
                double m = n;
                if (b.srLinear != null) {
                    m = 49;
                    f += 2.0 * 49 * c * c;
                } else if (b.sr != null) {
                    m = (double) b.sr.outH(oh) * b.sr.outW(ow);
                    f += 2.0 * m * c * c * b.sr.kernelH() * b.sr.kernelW();
                }
                int hid = b.fc1.out();
                f += 2.0 * n * c * c * 2 + 2.0 * m * c * 2 * c + 4.0 * n * m * c + 4.0 * n * c * hid + (b.dw != null ? 2.0 * n * hid * 9 : 0);
            }
            hh = oh;
            ww = ow;
        }
        return f + 2.0 * numFeatures() * Math.max(cfg.numClasses(), 0);
    }

    @Override
    public String describe() {
        return (cfg.v2() ? "PVT v2" + (cfg.linear() ? "-li" : "") : "PVT v1") + ": dims " + java.util.Arrays.toString(cfg.embedDims())
                + ", depths " + java.util.Arrays.toString(cfg.depths()) + ", heads " + java.util.Arrays.toString(cfg.numHeads())
                + ", sr " + java.util.Arrays.toString(cfg.srRatios()) + ", mlp " + java.util.Arrays.toString(cfg.mlpRatios())
                + (cfg.v2() ? "" : ", img " + cfg.imgSize()) + ", " + cfg.numClasses() + " classes";
    }

    @Override
    protected Dense classifier() { return head; }

    @Override
    protected float[] features(float[] x, int off, int h, int w, int image, FeatureObserver obs) {
        float[] tok = x;
        int tokOff = off, hh = h, ww = w;
        // this thread's buffers, kept from its previous pass (every one is written before it is read)
        try (Scratch scratch = Scratch.take(SLOTS)) {
            for (int i = 0; i < 4; i++) {
                Stage st = stages[i];
                Embed e = st.embed;
                int oh = e.proj.outH(hh), ow = e.proj.outW(ww), dim = st.dim;
                boolean cls = !cfg.v2() && i == 3;
                int prefix = cls ? 1 : 0, n = oh * ow;
                float[] y = new float[(prefix + n) * dim];
                long tc = Profiler.start();
                e.proj.apply(tok, tokOff, hh, ww, y, prefix * dim);
                Profiler.stop(Profiler.Kind.CONV, tc);
                e.norm.apply(y, prefix * dim, y, prefix * dim, n);
                long tp = Profiler.start();
                if (!cfg.v2()) addPositionEmbedding(e, y, prefix, oh, ow, dim, i);
                Profiler.stop(Profiler.Kind.DATA_MOVEMENT, tp);
                if (obs != null) {
                    obs.block(cfg.v2() ? (i == 0 ? "patch_embed" : "stages." + i + ".downsample") : "patch_embed" + (i + 1),
                            FeatureObserver.Kind.EMBEDDING, image, y, 0, prefix, oh, ow, dim);
                }
                for (int j = 0; j < st.blocks.length; j++) {
                    String name = cfg.v2() ? "stages." + i + ".blocks." + j : "block" + (i + 1) + "." + j;
                    block(st, st.blocks[j], y, prefix, oh, ow, obs, name, image, scratch);
                    if (obs != null) obs.block(name, FeatureObserver.Kind.MLP, image, y, 0, prefix, oh, ow, dim);
                }
                if (st.norm != null) {
                    st.norm.apply(y, 0, y, 0, n);
                    if (obs != null) obs.block("stages." + i + ".norm", FeatureObserver.Kind.NORM, image, y, 0, 0, oh, ow, dim);
                }
                tok = y;
                tokOff = 0;
                hh = oh;
                ww = ow;
            }
        }
        int c = numFeatures();
        float[] pooled = new float[c];
        if (cfg.v2()) {
            long tm = Profiler.start();
            Pooling.meanTokens(tok, 0, hh * ww, c, c, pooled, 0);
            Profiler.stop(Profiler.Kind.DATA_MOVEMENT, tm);
        } else {
            finalNorm.apply(tok, 0, tok, 0, 1 + hh * ww);
            if (obs != null) obs.block("norm", FeatureObserver.Kind.NORM, image, tok, 0, 1, hh, ww, c);
            long tm = Profiler.start();
            System.arraycopy(tok, 0, pooled, 0, c);
            Profiler.stop(Profiler.Kind.DATA_MOVEMENT, tm);
        }
        return pooled;
    }

    /** v1: y[prefix..] += pos (resized bilinearly when the map differs), class token + its embedding in stage 4. */
    private void addPositionEmbedding(Embed e, float[] y, int prefix, int oh, int ow, int dim, int stage) {
        float[] pos = e.pos;
        int posOff = prefix * dim;
        float[] grid;
        int gridOff;
        // the repo compares with stage 1's patch count: H*W == num_patches1 means "use as stored"
        boolean asStored = stage == 0 ? oh * ow == e.posH * e.posW : (oh == e.posH && ow == e.posW);
        if (asStored) {
            grid = pos;
            gridOff = posOff;
        } else {
            grid = Bilinear.resizeChannelsLast(pos, posOff, e.posH, e.posW, dim, oh, ow);
            gridOff = 0;
        }
        int n = oh * ow * dim;
        for (int i = 0; i < n; i++) y[posOff + i] += grid[gridOff + i];
        if (prefix == 1) {
            for (int ch = 0; ch < dim; ch++) y[ch] = clsToken[ch] + pos[ch];
        }
    }

    // Scratch slots of one forward pass (see block)
    private static final int T = 0, Q = 1, POOLED = 2, SRC = 3, KV = 4, MID = 5, CONV = 6, SLOTS = 7;

    private void block(Stage st, Block b, float[] x, int prefix, int h, int w, FeatureObserver obs, String name, int image,
                       Scratch scratch) {
        int dim = st.dim, heads = st.heads, hd = dim / heads;
        int n = prefix + h * w;
        float[] t = scratch.get(T, n * dim);
        b.norm1.apply(x, 0, t, 0, n);
        float[] q = scratch.get(Q, n * dim);
        b.q.apply(n, t, 0, q, 0);
        // keys/values source: the reduced map (spatial tokens only; v1's class token is not reduced)
        float[] src = t;
        int m = n;
        if (b.srLinear != null) {
            float[] pooled = scratch.get(POOLED, 49 * dim);
            long tp = Profiler.start();
            Pooling.adaptiveAvgPool(t, prefix * dim, h, w, dim, 7, 7, pooled, 0);
            Profiler.stop(Profiler.Kind.DATA_MOVEMENT, tp);
            src = scratch.get(SRC, 49 * dim);
            b.srLinear.apply(49, pooled, 0, src, 0);
            b.srNorm.apply(src, 0, src, 0, 49);
            long ta = Profiler.start();
            Gelu.apply(src, 0, 49 * dim);
            Profiler.stop(Profiler.Kind.ACTIVATION, ta);
            m = 49;
        } else if (b.sr != null) {
            if (prefix != 0) throw new IllegalStateException("spatial reduction with a class token");
            int rh = b.sr.outH(h), rw = b.sr.outW(w);
            m = rh * rw;
            src = scratch.get(SRC, m * dim);
            long tc = Profiler.start();
            b.sr.apply(t, 0, h, w, src, 0);
            Profiler.stop(Profiler.Kind.CONV, tc);
            b.srNorm.apply(src, 0, src, 0, m);
        }
        float[] kv = scratch.get(KV, m * 2 * dim);
        b.kv.apply(m, src, 0, kv, 0);
        float[] o = t; // normed input consumed by q and the reduction: reuse for the attention output
        long tat = Profiler.start();
        Attention.flash(1, heads, n, m, hd, (float) Math.pow(hd, -0.5),
                AttentionView.tokenMajor(q, 0, n, heads, hd),
                new AttentionView(kv, 0, m * 2 * dim, 2 * dim, hd), new AttentionView(kv, dim, m * 2 * dim, 2 * dim, hd),
                AttentionView.tokenMajor(o, 0, n, heads, hd), null);
        Profiler.stop(Profiler.Kind.ATTENTION, tat);
        b.proj.applyAdd(n, o, 0, x, 0);
        if (obs != null) obs.block(name + ".attn", FeatureObserver.Kind.ATTENTION, image, x, 0, prefix, h, w, dim);
        b.norm2.apply(x, 0, t, 0, n);
        int hidden = b.fc1.out();
        float[] mid = scratch.get(MID, n * hidden);
        if (b.dw == null) {
            b.fc1.applyGelu(n, t, 0, mid, 0);
        } else {
            b.fc1.apply(n, t, 0, mid, 0);
            float[] conv = scratch.get(CONV, n * hidden);
            long ta = Profiler.start();
            if (cfg.linear()) relu(mid, n * hidden);
            Profiler.stop(Profiler.Kind.ACTIVATION, ta);
            long tc = Profiler.start();
            b.dw.applyNhwc(mid, 0, h, w, conv, 0, true);   // GELU fused, row by row
            Profiler.stop(Profiler.Kind.CONV, tc);
            mid = conv;
        }
        b.fc2.applyAdd(n, mid, 0, x, 0);
    }

    private static void relu(float[] a, int len) {
        for (int i = 0; i < len; i++) if (a[i] < 0f) a[i] = 0f;
    }
}
