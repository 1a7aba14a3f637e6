package dev.vitesse.model.mixer;

import dev.vitesse.kernels.Conv2d;
import dev.vitesse.kernels.Pooling;
import dev.vitesse.kernels.Profiler;
import dev.vitesse.model.fam1.Fam1Config;
import dev.vitesse.model.fam1.Fam1Model;
import dev.vitesse.model.fam1.FeatureObserver;
import dev.vitesse.model.layers.Norm;
import dev.vitesse.model.layers.Scratch;
import dev.vitesse.model.io.TensorMap;
import dev.vitesse.model.layers.Dense;

/**
 * MLP-Mixer (timm layout: {@code stem.proj}, {@code blocks.{i}.{norm1,mlp_tokens.fc1/fc2,norm2,mlp_channels.fc1/fc2}},
 * {@code norm}, {@code head}). Tokens are kept {@code [N][C]}; the token-mixing MLP works on the transposed
 * normalised tokens {@code [C][N]} and its output is transposed back while being added to the residual.
 * The token count is fixed by the checkpoint, so only the trained resolution runs.
 */
public final class MlpMixer extends Fam1Model {
    private final MixerConfig cfg;
    private final Conv2d stem;
    private final Block[] blocks;
    private final Norm norm;
    private final Dense head;
    private final int grid;
    private final long params;

    private record Block(Norm norm1, Dense tok1, Dense tok2, Norm norm2, Dense ch1, Dense ch2) {}

    private MlpMixer(MixerConfig cfg, Fam1Config.Preprocess pre, Conv2d stem, Block[] blocks, Norm norm, Dense head, long params) {
        super(cfg.architecture(), pre);
        this.cfg = cfg;
        this.stem = stem;
        this.blocks = blocks;
        this.norm = norm;
        this.head = head;
        this.grid = cfg.imgSize() / cfg.patchSize();
        this.params = params;
    }

    public MixerConfig config() { return cfg; }

    public static MlpMixer load(Fam1Config config, TensorMap t) {
        MixerConfig c = MixerConfig.from(config);
        int nc = config.numClasses() >= 0 ? config.numClasses()
                : t.shapeOf("head.weight") != null ? t.shapeOf("head.weight")[0] : c.numClasses();
        c = new MixerConfig(c.architecture(), c.imgSize(), c.patchSize(), c.numBlocks(), c.embedDim(), c.tokenRatio(),
                c.channelRatio(), nc);
        int d = c.embedDim(), p = c.patchSize(), g = c.imgSize() / p, n = g * g;
        int tokHidden = (int) (c.tokenRatio() * d), chHidden = (int) (c.channelRatio() * d);
        long count = 0;
        float[] sw = t.take("stem.proj.weight", d, 3, p, p), sb = t.take("stem.proj.bias", d);
        count += sw.length + sb.length;
        Conv2d stem = Conv2d.of(sw, sb, 3, d, p, p, 0, Conv2d.InputLayout.NCHW, t.weightFormat());
        Block[] blocks = new Block[c.numBlocks()];
        for (int i = 0; i < blocks.length; i++) {
            String b = "blocks." + i + ".";
            blocks[i] = new Block(Norm.load(t, b + "norm1", d, MixerConfig.EPS),
                    Dense.load(t, b + "mlp_tokens.fc1", tokHidden, n, true), Dense.load(t, b + "mlp_tokens.fc2", n, tokHidden, true),
                    Norm.load(t, b + "norm2", d, MixerConfig.EPS),
                    Dense.load(t, b + "mlp_channels.fc1", chHidden, d, true), Dense.load(t, b + "mlp_channels.fc2", d, chHidden, true));
            count += 4L * d + blocks[i].tok1.parameterCount() + blocks[i].tok2.parameterCount()
                    + blocks[i].ch1.parameterCount() + blocks[i].ch2.parameterCount();
        }
        Norm norm = Norm.load(t, "norm", d, MixerConfig.EPS);
        count += 2L * d;
        Dense head = null;
        if (nc > 0) {
            head = Dense.load(t, "head", nc, d, true);
            count += head.parameterCount();
        }
        t.requireAllUsed(c.architecture());
        return new MlpMixer(c, config.preprocess(c.defaultPreprocess()), stem, blocks, norm, head, count);
    }

    @Override public int numClasses() { return cfg.numClasses(); }
    @Override public int numFeatures() { return cfg.embedDim(); }
    @Override public long parameterCount() { return params; }

    @Override
    public double flopsPerImage() {
        int d = cfg.embedDim(), p = cfg.patchSize(), n = grid * grid;
        double f = 2.0 * n * d * 3 * p * p;
        for (Block b : blocks) f += 4.0 * d * n * b.tok1.out() + 4.0 * n * d * b.ch1.out();
        return f + 2.0 * d * Math.max(cfg.numClasses(), 0);
    }

    @Override
    public String describe() {
        return "MLP-Mixer: img " + cfg.imgSize() + ", patch " + cfg.patchSize() + ", " + cfg.numBlocks() + " blocks, dim "
                + cfg.embedDim() + ", token/channel mlp ratio " + cfg.tokenRatio() + "/" + cfg.channelRatio() + ", "
                + cfg.numClasses() + " classes";
    }

    @Override
    protected Dense classifier() { return head; }

    // Scratch slots of a forward pass
    private static final int TOK = 0, T = 1, TT = 2, MIXED = 3, HID = 4, HC = 5, SLOTS = 6;

    @Override
    protected float[] features(float[] x, int off, int h, int w, int image, FeatureObserver obs) {
        int gh = stem.outH(h), gw = stem.outW(w);
        if (gh != grid || gw != grid) {
            throw new IllegalArgumentException(cfg.architecture() + ": the token-mixing MLPs are trained for " + grid + "x" + grid
                    + " patches (" + cfg.imgSize() + "x" + cfg.imgSize() + " input); got " + h + "x" + w);
        }
        int d = cfg.embedDim(), n = gh * gw;
        // this thread's buffers, kept from its previous pass (every one is written before it is read)
        try (Scratch scratch = Scratch.take(SLOTS)) {
            float[] tok = scratch.get(TOK, n * d);
            long t0 = Profiler.start();
            stem.apply(x, off, h, w, tok, 0);
            Profiler.stop(Profiler.Kind.CONV, t0);
            if (obs != null) obs.block("stem", FeatureObserver.Kind.EMBEDDING, image, tok, 0, 0, gh, gw, d);
            float[] t = scratch.get(T, n * d), tt = scratch.get(TT, d * n);
            float[] mixed = scratch.get(MIXED, d * n);
            for (int i = 0; i < blocks.length; i++) {
                Block b = blocks[i];
                b.norm1.apply(tok, 0, t, 0, n);
                long t1 = Profiler.start();
                transpose(t, n, d, tt);                       // [C][N]
                Profiler.stop(Profiler.Kind.DATA_MOVEMENT, t1);
                float[] hid = scratch.get(HID, d * b.tok1.out());
                b.tok1.applyGelu(d, tt, 0, hid, 0);           // [C][Ht]
                b.tok2.apply(d, hid, 0, mixed, 0);            // [C][N]
                long t2 = Profiler.start();
                for (int c = 0; c < d; c++) {                  // residual add of the transposed result
                    for (int j = 0; j < n; j++) tok[j * d + c] += mixed[c * n + j];
                }
                Profiler.stop(Profiler.Kind.DATA_MOVEMENT, t2);
                if (obs != null) obs.block("blocks." + i + ".mlp_tokens", FeatureObserver.Kind.TOKEN_MLP, image, tok, 0, 0, gh, gw, d);
                b.norm2.apply(tok, 0, t, 0, n);
                float[] hc = scratch.get(HC, n * b.ch1.out());
                b.ch1.applyGelu(n, t, 0, hc, 0);
                b.ch2.applyAdd(n, hc, 0, tok, 0);
                if (obs != null) obs.block("blocks." + i, FeatureObserver.Kind.MLP, image, tok, 0, 0, gh, gw, d);
            }
            norm.apply(tok, 0, tok, 0, n);
            if (obs != null) obs.block("norm", FeatureObserver.Kind.NORM, image, tok, 0, 0, gh, gw, d);
            float[] pooled = new float[d];
            long t3 = Profiler.start();
            Pooling.meanTokens(tok, 0, n, d, d, pooled, 0);
            Profiler.stop(Profiler.Kind.DATA_MOVEMENT, t3);
            return pooled;
        }
    }

    private static void transpose(float[] a, int rows, int cols, float[] out) {
        final int blk = 32; // cache blocking
        for (int i0 = 0; i0 < rows; i0 += blk) {
            for (int j0 = 0; j0 < cols; j0 += blk) {
                for (int i = i0; i < Math.min(rows, i0 + blk); i++) {
                    for (int j = j0; j < Math.min(cols, j0 + blk); j++) out[j * rows + i] = a[i * cols + j];
                }
            }
        }
    }
}
