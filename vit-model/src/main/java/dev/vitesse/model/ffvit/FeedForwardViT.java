package dev.vitesse.model.ffvit;

import dev.vitesse.kernels.Conv2d;
import dev.vitesse.kernels.LayerNorm;
import dev.vitesse.kernels.Profiler;
import dev.vitesse.model.analysis.BlockKind;
import dev.vitesse.model.analysis.FeatureMap;
import dev.vitesse.model.analysis.FeatureTap;
import dev.vitesse.model.family2.Family2Model;
import dev.vitesse.model.io.TensorMap;
import dev.vitesse.model.layers.Bilinear;
import dev.vitesse.model.layers.Dense;
import dev.vitesse.model.layers.Scratch;

/**
 * The feed-forward-only ViT of "Do You Even Need Attention?" (Melas-Kyriazi, 2021), loaded from the original
 * repository's state_dict names. Each block is
 * {@code x += mlp1(norm1(x)); x = x^T; x += mlp2(norm2(x)); x = x^T}: a channel MLP over D features, then a
 * token-mixing MLP over all {@code T = 1 + (img/p)^2} tokens (class token included), so the model only runs at
 * its training resolution. Output: {@code head(norm(x)[0])}.
 */
public final class FeedForwardViT extends Family2Model {
    private static final float EPS = 1e-6f;

    private final FfVitConfig cfg;
    private final Conv2d patchEmbed;
    private final float[] clsRow;   // cls_token + cls_pos_embed [D]
    private final float[] posRows;  // [G*G][D] position embedding (resized if needed), channels-last
    private final Block[] blocks;
    private final float[] normW, normB;
    private final Dense head;

    private record Block(float[] n1w, float[] n1b, Dense fc1, Dense fc2,
                         float[] n2w, float[] n2b, Dense tfc1, Dense tfc2) {}

    private FeedForwardViT(FfVitConfig cfg, TensorMap t) {
        super("ffvit:" + cfg.variant(), cfg.numClasses(), cfg.imgSize());
        this.cfg = cfg;
        int d = cfg.embedDim(), p = cfg.patchSize(), g = cfg.grid(), tok = cfg.tokens();
        patchEmbed = Conv2d.of(t.take("patch_embed.proj.weight", d, 3, p, p), t.take("patch_embed.proj.bias", d),
                3, d, p, p, 0, Conv2d.InputLayout.NCHW, t.weightFormat());
        float[] cls = t.take("cls_token", 1, 1, d);
        float[] clsPos = t.take("pos_encoding.cls_pos_embed", 1, 1, d);
        clsRow = new float[d];
        for (int i = 0; i < d; i++) clsRow[i] = cls[i] + clsPos[i];
        int[] ps = t.shapeOf("pos_encoding.pos_embed");
        if (ps != null && (ps.length != 4 || ps[0] != 1 || ps[1] != d)) {
            throw new IllegalArgumentException("tensor 'pos_encoding.pos_embed' in " + t.source() + " has shape "
                    + java.util.Arrays.toString(ps) + ", expected [1, " + d + ", "
                    + cfg.posSize() + ", " + cfg.posSize() + "]");
        }
        float[] pos = t.take("pos_encoding.pos_embed", 1, d, cfg.posSize(), cfg.posSize());
        if (cfg.posSize() != g) pos = Bilinear.resizePlanar(pos, d, cfg.posSize(), cfg.posSize(), g, g);
        posRows = new float[g * g * d];
        for (int c = 0; c < d; c++) {
            for (int q = 0; q < g * g; q++) posRows[q * d + c] = pos[c * g * g + q];
        }
        int hid = d * cfg.mlpRatio(), thid = tok * cfg.mlpRatio();
        int[] n2 = t.shapeOf("blocks.0.norm2.weight");
        if (n2 != null && n2.length == 1 && n2[0] != tok) {
            throw new IllegalArgumentException("checkpoint " + t.source() + " has a token-mixing MLP over " + n2[0]
                    + " tokens (blocks.0.norm2.weight), but " + cfg.imgSize() + "x" + cfg.imgSize() + " input with patch "
                    + p + " gives " + tok + " tokens: the feed-forward ViT only runs at the resolution it was built for");
        }
        blocks = new Block[cfg.depth()];
        for (int i = 0; i < blocks.length; i++) {
            String b = "blocks." + i + ".";
            blocks[i] = new Block(t.take(b + "norm1.weight", d), t.take(b + "norm1.bias", d),
                    Dense.load(t, b + "mlp1.fc1", hid, d, true), Dense.load(t, b + "mlp1.fc2", d, hid, true),
                    t.take(b + "norm2.weight", tok), t.take(b + "norm2.bias", tok),
                    Dense.load(t, b + "mlp2.fc1", thid, tok, true), Dense.load(t, b + "mlp2.fc2", tok, thid, true));
        }
        normW = t.take("norm.weight", d);
        normB = t.take("norm.bias", d);
        head = Dense.load(t, "head", cfg.numClasses(), d, true);
        finishLoading(t);
    }

    /** Builds the model from a checkpoint's tensors (strict: every tensor must be consumed). */
    public static FeedForwardViT load(FfVitConfig cfg, TensorMap t) {
        return new FeedForwardViT(cfg, t);
    }

    public FfVitConfig config() {
        return cfg;
    }

    @Override
    public int numFeatures() {
        return cfg.embedDim();
    }

    @Override
    public double flopsPerImage() {
        double d = cfg.embedDim(), t = cfg.tokens(), r = cfg.mlpRatio(), p = cfg.patchSize(), g = cfg.grid();
        double block = 2 * t * d * (r * d) + 2 * d * t * (r * t);
        return 2 * (g * g * d * 3 * p * p + cfg.depth() * block + d * cfg.numClasses());
    }

    @Override
    public String describe() {
        return "feed-forward-only ViT " + cfg.variant() + ": dim " + cfg.embedDim() + ", depth " + cfg.depth()
                + ", patch " + cfg.patchSize() + ", " + cfg.tokens() + " tokens (token-mixing MLP " + cfg.tokens() + " -> "
                + cfg.tokens() * cfg.mlpRatio() + "), position table " + cfg.posSize() + "x" + cfg.posSize()
                + (cfg.posSize() != cfg.grid() ? " resized to " + cfg.grid() + "x" + cfg.grid() : "")
                + ", " + cfg.numClasses() + " classes";
    }

    // Scratch slots of a forward pass
    private static final int X = 0, T = 1, H = 2, XT = 3, SLOTS = 4;

    @Override
    protected float[] run(float[] image, FeatureTap tap, boolean featuresOnly) {
        // this thread's buffers, kept from its previous pass (every one is written before it is read)
        try (Scratch scratch = Scratch.take(SLOTS)) {
            return run(image, tap, featuresOnly, scratch);
        }
    }

    private float[] run(float[] image, FeatureTap tap, boolean featuresOnly, Scratch scratch) {
        int d = cfg.embedDim(), g = cfg.grid(), tok = cfg.tokens(), r = cfg.mlpRatio();
        float[] x = scratch.get(X, tok * d);
        long tc = Profiler.start();
        patchEmbed.apply(image, 0, cfg.imgSize(), cfg.imgSize(), x, d, d, false);
        Profiler.stop(Profiler.Kind.CONV, tc);
        long tp = Profiler.start();
        System.arraycopy(clsRow, 0, x, 0, d);
        for (int i = 0; i < g * g * d; i++) x[d + i] += posRows[i];
        Profiler.stop(Profiler.Kind.DATA_MOVEMENT, tp);
        int idx = 0;
        if (tap != null) tap.accept(FeatureMap.fromTokens(idx++, "embed", BlockKind.EMBEDDING, x, 0, 1, d, g, g));
        float[] t = scratch.get(T, tok * d);
        float[] h = scratch.get(H, tok * d * r);
        float[] xt = scratch.get(XT, d * tok);
        for (int bi = 0; bi < blocks.length; bi++) {
            Block b = blocks[bi];
            // channel MLP over the D features of every token
            long tn = Profiler.start();
            LayerNorm.apply(x, 0, t, 0, tok, d, b.n1w(), b.n1b(), EPS);
            Profiler.stop(Profiler.Kind.NORM, tn);
            b.fc1().apply(tok, t, 0, d, h, 0, d * r, b.fc1().epilogue().withGelu());
            b.fc2().apply(tok, h, 0, d * r, x, 0, d, b.fc2().epilogue().accumulate());
            if (tap != null) tap.accept(FeatureMap.fromTokens(idx++, "blocks." + bi + ".mlp1", BlockKind.MLP, x, 0, 1, d, g, g));
            // token-mixing MLP over the T tokens of every feature (on the transposed activations)
            long tt = Profiler.start();
            transpose(x, tok, d, xt);
            Profiler.stop(Profiler.Kind.DATA_MOVEMENT, tt);
            long tn2 = Profiler.start();
            LayerNorm.apply(xt, 0, t, 0, d, tok, b.n2w(), b.n2b(), EPS);
            Profiler.stop(Profiler.Kind.NORM, tn2);
            b.tfc1().apply(d, t, 0, tok, h, 0, tok * r, b.tfc1().epilogue().withGelu());
            b.tfc2().apply(d, h, 0, tok * r, xt, 0, tok, b.tfc2().epilogue().accumulate());
            long tt2 = Profiler.start();
            transpose(xt, d, tok, x);
            Profiler.stop(Profiler.Kind.DATA_MOVEMENT, tt2);
            if (tap != null) tap.accept(FeatureMap.fromTokens(idx++, "blocks." + bi + ".mlp2", BlockKind.TOKEN_MLP, x, 0, 1, d, g, g));
        }
        float[] cls = new float[d];
        long tn = Profiler.start();
        LayerNorm.apply(x, 0, cls, 0, 1, d, normW, normB, EPS);
        Profiler.stop(Profiler.Kind.NORM, tn);
        if (featuresOnly) return cls;
        float[] out = new float[cfg.numClasses()];
        head.apply(1, cls, out);
        return out;
    }

    /** dst[c][r] = src[r][c] for a rows x cols matrix. */
    private static void transpose(float[] src, int rows, int cols, float[] dst) {
        final int tile = 32;
        for (int r0 = 0; r0 < rows; r0 += tile) {
            int r1 = Math.min(rows, r0 + tile);
            for (int c0 = 0; c0 < cols; c0 += tile) {
                int c1 = Math.min(cols, c0 + tile);
                for (int r = r0; r < r1; r++) {
                    for (int c = c0; c < c1; c++) dst[c * rows + r] = src[r * cols + c];
                }
            }
        }
    }
}
