package dev.vitesse.model.refiner;

import dev.vitesse.kernels.Attention;
import dev.vitesse.kernels.AttentionView;
import dev.vitesse.kernels.BatchNorm;
import dev.vitesse.kernels.Conv2d;
import dev.vitesse.kernels.DepthwiseConv2d;
import dev.vitesse.kernels.Gemm;
import dev.vitesse.kernels.LayerNorm;
import dev.vitesse.kernels.Parallel;
import dev.vitesse.kernels.Profiler;
import dev.vitesse.model.analysis.BlockKind;
import dev.vitesse.model.analysis.FeatureMap;
import dev.vitesse.model.analysis.FeatureTap;
import dev.vitesse.model.family2.Convs;
import dev.vitesse.model.family2.Family2Model;
import dev.vitesse.model.io.TensorMap;
import dev.vitesse.model.layers.Dense;
import dev.vitesse.model.layers.Scratch;

/**
 * Refiner-ViT ("Refiner: Refining Self-attention for Vision Transformers", Zhou et al. 2021) from the original
 * repository's state_dict names.
 *
 * <ul>
 *   <li>Stem: conv 7x7/2 + BN + ReLU, two conv 3x3 + BN + ReLU (BN folded into the convs at load time), then an
 *       8x8/8 projection; class token and learned position embedding.</li>
 *   <li>Block: {@code x += attn(LN(x/2)) * 2; x += (scale_channel * mlp(LN(x/2))) * 2} (the factor 2 is folded
 *       into {@code proj} and {@code scale_channel}; exact in floating point).</li>
 *   <li>Normal block: {@code A = softmax(q k^T * s) [+ A_prev * s]} on the explicit attention kernel (the maps
 *       are needed); it passes A on.</li>
 *   <li>Shared block: computes only v and uses {@code A' = adapt_bn(DLA(A_prev)) * s} without softmax, where DLA
 *       treats the [heads, N, N] map as a heads-channel image: 1x1 expansion to 3*heads + BN + ReLU6, depthwise 3x3
 *       + BN + ReLU6, 1x1 projection + BN, plus the input. It passes A_prev on unchanged.</li>
 *   <li>Output (the repo's eval mode): {@code head(x[0]) + 0.5 * max_over_tokens(aux_head(x[1:]))}.</li>
 * </ul>
 */
public final class RefinerViT extends Family2Model {
    private static final float LN_EPS = 1e-6f;

    private final RefinerConfig cfg;
    private final Conv2d conv1, conv2, conv3, proj;
    private final float[] clsRow, pos; // cls_token + pos_embed[0]; pos_embed rows 1.. [G*G][D]
    private final Block[] blocks;
    private final float[] normW, normB;
    private final Dense head, auxHead;

    private record Dla(Conv2d exp, DepthwiseConv2d dw, Conv2d pro, float[] outScale, float[] outShift) {}

    private record Block(boolean shared, float[] n1w, float[] n1b, Dense qkv, Dense proj, Dla dla,
                         float[] n2w, float[] n2b, Dense fc1, Dense fc2, float[] mlpScale) {}

    private RefinerViT(RefinerConfig cfg, TensorMap t) {
        super("refiner:" + cfg.variant(), cfg.numClasses(), cfg.imgSize());
        this.cfg = cfg;
        int d = cfg.embedDim(), g = cfg.grid(), n = cfg.tokens(), heads = cfg.numHeads();
        int[] sw = cfg.stemWidths();
        String pe = "patch_embed.";
        conv1 = Convs.convBn(t, pe + "conv1", pe + "bn1", 3, sw[0], 7, 2, 3, Conv2d.InputLayout.NCHW);
        conv2 = Convs.convBn(t, pe + "conv2", pe + "bn2", sw[0], sw[1], 3, 1, 1, Conv2d.InputLayout.NHWC);
        conv3 = Convs.convBn(t, pe + "conv3", pe + "bn3", sw[1], sw[2], 3, 1, 1, Conv2d.InputLayout.NHWC);
        proj = Convs.conv(t, pe + "proj", sw[2], d, 8, 8, 0, true, Conv2d.InputLayout.NHWC);
        int[] posShape = t.shapeOf("pos_embed");
        if (posShape != null && posShape.length == 3 && posShape[1] != n) {
            throw new IllegalArgumentException("checkpoint " + t.source() + " has pos_embed for " + posShape[1]
                    + " tokens but " + cfg.imgSize() + "x" + cfg.imgSize() + " input gives " + n
                    + " tokens: Refiner-ViT only runs at the resolution it was trained for");
        }
        float[] posAll = t.take("pos_embed", 1, n, d);
        float[] cls = t.take("cls_token", 1, 1, d);
        clsRow = new float[d];
        for (int i = 0; i < d; i++) clsRow[i] = cls[i] + posAll[i];
        pos = java.util.Arrays.copyOfRange(posAll, d, n * d);
        int hid = d * cfg.mlpRatio();
        float scale = (float) Math.pow((double) (d / heads), -0.5);
        blocks = new Block[cfg.depth()];
        for (int i = 0; i < blocks.length; i++) {
            String b = "blocks." + i + ".";
            boolean shared = cfg.shared(i);
            Dense qkv = Dense.load(t, b + "attn.qkv", shared ? d : 3 * d, d, true);
            Dla dla = shared ? loadDla(t, b + "attn.", heads, scale) : null;
            float[] ms = t.take(b + "mlp.scale_channel", d).clone();
            for (int j = 0; j < d; j++) ms[j] *= 2f;
            blocks[i] = new Block(shared, t.take(b + "norm1.weight", d), t.take(b + "norm1.bias", d), qkv,
                    Dense.loadScaled(t, b + "attn.proj", d, d, 2f), dla,
                    t.take(b + "norm2.weight", d), t.take(b + "norm2.bias", d),
                    Dense.load(t, b + "mlp.fc1", hid, d, true), Dense.load(t, b + "mlp.fc2", d, hid, true), ms);
        }
        normW = t.take("norm.weight", d);
        normB = t.take("norm.bias", d);
        head = Dense.load(t, "head", cfg.numClasses(), d, true);
        auxHead = Dense.load(t, "aux_head", cfg.numClasses(), d, true);
        finishLoading(t);
    }

    /** DLA of a shared block with adapt_bn and the attention scale folded into one per-head affine map. */
    private static Dla loadDla(TensorMap t, String a, int heads, float scale) {
        int hid = heads * RefinerConfig.DLA_EXPAND;
        String p = a + "DLA.";
        Conv2d exp = Convs.convBn(t, p + "conv_exp", p + "bn1", heads, hid, 1, 1, 0, Conv2d.InputLayout.NCHW);
        DepthwiseConv2d dw = Convs.depthwiseBn(t, p + "depth_sep_conv", p + "bn2", hid, 3, 1);
        Conv2d pro = Convs.convBn(t, p + "conv_pro", p + "bn3", hid, heads, 1, 1, 0, Conv2d.InputLayout.NHWC);
        BatchNorm abn = Convs.batchNorm(t, a + "adapt_bn", heads);
        float[] s = abn.scale(), sh = abn.shift();
        for (int h = 0; h < heads; h++) {
            s[h] *= scale;
            sh[h] *= scale;
        }
        return new Dla(exp, dw, pro, s, sh);
    }

    public static RefinerViT load(RefinerConfig cfg, TensorMap t) {
        return new RefinerViT(cfg, t);
    }

    @Override
    public float[] mean() {
        return new float[] {0.5f, 0.5f, 0.5f};
    }

    @Override
    public float[] std() {
        return new float[] {0.5f, 0.5f, 0.5f};
    }

    @Override
    public double cropPct() {
        return cfg.cropPct();
    }

    @Override
    public int numFeatures() {
        return cfg.embedDim();
    }

    @Override
    public double flopsPerImage() {
        double d = cfg.embedDim(), n = cfg.tokens(), h = cfg.numHeads(), hid = d * cfg.mlpRatio(), g = cfg.grid();
        int[] w = cfg.stemWidths();
        double s1 = cfg.imgSize() / 2.0;
        double stem = s1 * s1 * (w[0] * 3 * 49.0 + w[1] * w[0] * 9.0 + w[2] * w[1] * 9.0) + g * g * d * w[2] * 64.0;
        double mlp = 2 * n * d * hid, proj = n * d * d, av = n * n * d;
        double total = stem;
        for (int i = 0; i < cfg.depth(); i++) {
            if (cfg.shared(i)) {
                double e = RefinerConfig.DLA_EXPAND * h;
                total += n * d * d + n * n * (h * e + 9 * e + e * h) + av + proj + mlp;
            } else {
                total += n * d * 3 * d + 2 * n * n * d + (i > 0 ? av : 0) + proj + mlp;
            }
        }
        return 2 * (total + n * d * cfg.numClasses());
    }

    @Override
    public String describe() {
        return "Refiner-ViT " + cfg.variant() + ": dim " + cfg.embedDim() + ", depth " + cfg.depth() + " (normal/shared"
                + " alternating), heads " + cfg.numHeads() + ", mlp ratio " + cfg.mlpRatio() + ", conv stem "
                + java.util.Arrays.toString(cfg.stemWidths()) + ", " + cfg.tokens() + " tokens, " + cfg.numClasses()
                + " classes (head + 0.5 * max aux_head); features = normalised class token";
    }

    // Scratch slots of a forward pass: conv stem, tokens, block buffers, the two attention maps, DLA intermediates
    private static final int S1 = 0, S2 = 1, S3 = 2, X = 3, T = 4, QKV = 5, O = 6, HBUF = 7, MAP_A = 8, MAP_B = 9,
            E = 10, F = 11, P = 12, REFINED = 13, SLOTS = 14;

    @Override
    protected float[] run(float[] image, FeatureTap tap, boolean featuresOnly) {
        // this thread's buffers, kept from its previous pass (every one is written before it is read)
        try (Scratch scratch = Scratch.take(SLOTS)) {
            return run(image, tap, featuresOnly, scratch);
        }
    }

    private float[] run(float[] image, FeatureTap tap, boolean featuresOnly, Scratch scratch) {
        int d = cfg.embedDim(), g = cfg.grid(), n = cfg.tokens(), heads = cfg.numHeads(), hd = d / heads;
        int img = cfg.imgSize();
        // conv stem, channels-last
        int h1 = conv1.outH(img), w1 = conv1.outW(img);
        float[] s1 = Convs.convRelu(conv1, image, img, img, scratch, S1);
        float[] s2 = Convs.convRelu(conv2, s1, h1, w1, scratch, S2);
        float[] s3 = Convs.convRelu(conv3, s2, h1, w1, scratch, S3);
        if (proj.outH(h1) != g || proj.outW(w1) != g) {
            throw new IllegalStateException("stem produced " + proj.outH(h1) + "x" + proj.outW(w1) + " patches, expected " + g + "x" + g);
        }
        float[] x = scratch.get(X, n * d);
        long tc = Profiler.start();
        proj.apply(s3, 0, h1, w1, x, d, d, false);
        Profiler.stop(Profiler.Kind.CONV, tc);
        long tp = Profiler.start();
        System.arraycopy(clsRow, 0, x, 0, d);
        for (int i = 0; i < pos.length; i++) x[d + i] += pos[i];
        Profiler.stop(Profiler.Kind.DATA_MOVEMENT, tp);
        int idx = 0;
        if (tap != null) tap.accept(FeatureMap.fromTokens(idx++, "embed", BlockKind.EMBEDDING, x, 0, 1, d, g, g));

        float scale = (float) Math.pow((double) hd, -0.5);
        float[] t = scratch.get(T, n * d);
        float[] qkv = scratch.get(QKV, n * 3 * d);
        float[] o = scratch.get(O, n * d);
        float[] hbuf = scratch.get(HBUF, n * d * cfg.mlpRatio());
        int mapLen = heads * n * n;
        float[] prev = null;                              // attention map passed between blocks [heads][n][n]
        float[] mapBuf = scratch.get(MAP_A, mapLen);      // a fresh map from a normal block
        float[] spare = scratch.get(MAP_B, mapLen);
        for (int bi = 0; bi < blocks.length; bi++) {
            Block b = blocks[bi];
            halfLayerNorm(x, t, n, d, b.n1w(), b.n1b());
            if (!b.shared()) {
                b.qkv().apply(n, t, 0, d, qkv, 0, 3 * d, b.qkv().epilogue());
                long ta = Profiler.start();
                Attention.explicit(1, heads, n, n, hd, scale,
                        AttentionView.qkv(qkv, 0, n, heads, hd, 0), AttentionView.qkv(qkv, 0, n, heads, hd, 1),
                        AttentionView.qkv(qkv, 0, n, heads, hd, 2), AttentionView.tokenMajor(o, 0, n, heads, hd),
                        null, mapBuf, 0);
                Profiler.stop(Profiler.Kind.ATTENTION, ta);
                if (prev != null) {
                    // A = softmax(...) + A_prev * s, so out += s * (A_prev @ v)
                    long tr = Profiler.start();
                    final float[] pv = prev;
                    Parallel.forEach(heads, h -> Gemm.sgemm(false, false, n, hd, n, scale, pv, h * n * n, n,
                            qkv, 2 * d + h * hd, 3 * d, 1f, o, h * hd, d));
                    for (int i = 0; i < mapLen; i++) mapBuf[i] += prev[i] * scale;
                    Profiler.stop(Profiler.Kind.ATTENTION, tr);
                }
                // the fresh map becomes A_prev; recycle the old buffer
                float[] old = prev == null ? spare : prev;
                prev = mapBuf;
                mapBuf = old;
            } else {
                if (prev == null) throw new IllegalStateException("shared block " + bi + " has no previous attention map");
                b.qkv().apply(n, t, 0, d, qkv, 0, d, b.qkv().epilogue()); // v only, [n][d]
                float[] refined = refine(b.dla(), prev, n, heads, scratch);
                long tv = Profiler.start();
                Parallel.forEach(heads, h -> Gemm.sgemm(false, false, n, hd, n, 1f, refined, h * n * n, n,
                        qkv, h * hd, d, 0f, o, h * hd, d));
                Profiler.stop(Profiler.Kind.ATTENTION, tv);
            }
            b.proj().apply(n, o, 0, d, x, 0, d, b.proj().epilogue().accumulate());
            if (tap != null) tap.accept(FeatureMap.fromTokens(idx++, "blocks." + bi + ".attn", BlockKind.ATTENTION, x, 0, 1, d, g, g));
            halfLayerNorm(x, t, n, d, b.n2w(), b.n2b());
            int hid = d * cfg.mlpRatio();
            b.fc1().apply(n, t, 0, d, hbuf, 0, hid, b.fc1().epilogue().withGelu());
            b.fc2().apply(n, hbuf, 0, hid, x, 0, d, b.fc2().epilogue().withColumnScale(b.mlpScale()).accumulate());
            if (tap != null) tap.accept(FeatureMap.fromTokens(idx++, "blocks." + bi + ".mlp", BlockKind.MLP, x, 0, 1, d, g, g));
        }
        long tn = Profiler.start();
        LayerNorm.apply(x, 0, x, 0, n, d, normW, normB, LN_EPS);
        Profiler.stop(Profiler.Kind.NORM, tn);
        if (featuresOnly) return java.util.Arrays.copyOf(x, d);
        int k = cfg.numClasses();
        float[] out = new float[k];
        head.apply(1, x, out);
        float[] aux = new float[(n - 1) * k];
        auxHead.apply(n - 1, x, d, d, aux, 0, k, auxHead.epilogue());
        long tm = Profiler.start();
        for (int c = 0; c < k; c++) {
            float m = Float.NEGATIVE_INFINITY;
            for (int r = 0; r < n - 1; r++) m = Math.max(m, aux[r * k + c]);
            out[c] += 0.5f * m;
        }
        Profiler.stop(Profiler.Kind.DATA_MOVEMENT, tm);
        return out;
    }

    /** t = LayerNorm(0.5 * x) (the repo's adjust_ratio). */
    private static void halfLayerNorm(float[] x, float[] t, int n, int d, float[] w, float[] b) {
        long tn = Profiler.start();
        for (int i = 0; i < n * d; i++) t[i] = 0.5f * x[i];
        LayerNorm.apply(t, 0, t, 0, n, d, w, b, LN_EPS);
        Profiler.stop(Profiler.Kind.NORM, tn);
    }

    /** adapt_bn(DLA(A)) * scale for a [heads][n][n] map; returns the planar map (a scratch buffer). */
    private static float[] refine(Dla dla, float[] a, int n, int heads, Scratch scratch) {
        int hid = dla.exp().outChannels();
        int nn = n * n;
        float[] e = scratch.get(E, nn * hid);
        long t1 = Profiler.start();
        dla.exp().apply(a, 0, n, n, e, 0);          // planar in, channels-last out
        Profiler.stop(Profiler.Kind.CONV, t1);
        Convs.relu6(e, 0, nn * hid);
        float[] f = scratch.get(F, nn * hid);
        long t3 = Profiler.start();
        dla.dw().applyNhwc(e, 0, n, n, f, 0);
        Profiler.stop(Profiler.Kind.CONV, t3);
        Convs.relu6(f, 0, nn * hid);
        float[] p = scratch.get(P, nn * heads);
        long t5 = Profiler.start();
        dla.pro().apply(f, 0, n, n, p, 0);
        Profiler.stop(Profiler.Kind.CONV, t5);
        float[] out = scratch.get(REFINED, heads * nn);
        float[] s = dla.outScale(), sh = dla.outShift();
        long t6 = Profiler.start();
        for (int i = 0; i < nn; i++) {
            for (int h = 0; h < heads; h++) {
                out[h * nn + i] = (p[i * heads + h] + a[h * nn + i]) * s[h] + sh[h];
            }
        }
        Profiler.stop(Profiler.Kind.NORM, t6);
        return out;
    }
}
