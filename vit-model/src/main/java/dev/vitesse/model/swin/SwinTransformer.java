package dev.vitesse.model.swin;

import dev.vitesse.kernels.Attention;
import dev.vitesse.kernels.AttentionBias;
import dev.vitesse.kernels.AttentionView;
import dev.vitesse.kernels.Conv2d;
import dev.vitesse.kernels.Pooling;
import dev.vitesse.kernels.Profiler;
import dev.vitesse.model.layers.Scratch;
import dev.vitesse.kernels.WindowPartition;
import dev.vitesse.model.fam1.Fam1Config;
import dev.vitesse.model.fam1.Fam1Model;
import dev.vitesse.model.fam1.FeatureObserver;
import dev.vitesse.model.layers.Norm;
import dev.vitesse.model.io.TensorMap;
import dev.vitesse.model.layers.Dense;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Swin Transformer v1 in timm's or torchvision's semantics (see {@link SwinConfig}).
 *
 * <p>Tokens stay channels-last {@code [H*W][C]} throughout. A block runs: LayerNorm -> one gather that
 * rolls, pads and partitions into windows ({@link WindowPartition}) -> qkv GEMM over all windows -> flash
 * attention with batch = windows and an additive bias = relative-position bias (per head) + shifted-window
 * mask (-100 across regions, per distinct window pattern) -> proj GEMM -> one scatter that un-partitions,
 * crops, rolls back and adds the residual -> LayerNorm -> MLP (GELU fused into fc1, residual into fc2).
 * Window geometry and biases depend on the feature-map size and are cached per input resolution.
 */
public final class SwinTransformer extends Fam1Model {
    private final SwinConfig cfg;
    private final Conv2d patchEmbed;
    private final Norm patchNorm;
    private final Stage[] stages;
    private final Norm norm;
    private final Dense head;
    private final long params;
    private final Map<Long, Geometry[][]> geometryCache = new ConcurrentHashMap<>();

    private record Merge(Norm norm, Dense reduction) {}

    private record Block(Norm norm1, Dense qkv, float[] relTable, int tableWindow, Dense proj, Norm norm2, Dense fc1, Dense fc2) {}

    private record Stage(Merge merge, Block[] blocks, int dim, int heads) {}

    /** Per (stage, block) window layout at one resolution. */
    private record Geometry(WindowPartition part, AttentionBias bias) {}

    private SwinTransformer(SwinConfig cfg, Fam1Config.Preprocess pre, Conv2d patchEmbed, Norm patchNorm, Stage[] stages,
                            Norm norm, Dense head, long params) {
        super(cfg.architecture(), pre);
        this.cfg = cfg;
        this.patchEmbed = patchEmbed;
        this.patchNorm = patchNorm;
        this.stages = stages;
        this.norm = norm;
        this.head = head;
        this.params = params;
    }

    public SwinConfig config() { return cfg; }

    /** Builds the model from a checkpoint in timm (current or pre-0.9) or torchvision names. */
    public static SwinTransformer load(Fam1Config config, TensorMap tensors) {
        SwinConfig c = SwinConfig.from(config);
        TensorMap t = SwinCheckpoint.toTimm(tensors, c.torchvision());
        int numClasses = config.numClasses() >= 0 ? config.numClasses()
                : t.shapeOf("head.fc.weight") != null ? t.shapeOf("head.fc.weight")[0] : 1000;
        if (numClasses != c.numClasses()) {
            c = new SwinConfig(c.architecture(), c.torchvision(), c.imgSize(), c.patchSize(), c.embedDim(), c.depths(),
                    c.numHeads(), c.window(), c.mlpRatio(), numClasses, c.eps());
        }
        long[] count = {0};
        int p = c.patchSize(), d0 = c.embedDim();
        float[] pw = t.take("patch_embed.proj.weight", d0, 3, p, p);
        float[] pb = t.take("patch_embed.proj.bias", d0);
        count[0] += pw.length + pb.length;
        Conv2d pe = Conv2d.of(pw, pb, 3, d0, p, p, 0, Conv2d.InputLayout.NCHW, t.weightFormat());
        Norm pn = norm(t, "patch_embed.norm", d0, c.eps(), count);
        int grid = c.imgSize() / p;
        Stage[] stages = new Stage[c.stages()];
        int res = grid;
        for (int s = 0; s < c.stages(); s++) {
            int dim = c.dim(s), heads = c.numHeads()[s];
            Merge merge = null;
            if (s > 0) {
                int din = c.dim(s - 1);
                Norm mn = norm(t, "layers." + s + ".downsample.norm", 4 * din, c.eps(), count);
                Dense red = dense(t, "layers." + s + ".downsample.reduction", dim, 4 * din, false, count);
                merge = new Merge(mn, red);
                res = res / 2;
            }
            // timm builds the relative-position table for the window clamped to the stage's map at img_size,
            // using its nominal resolution (floor halving) even where PatchMerging pads an odd map
            int tw = c.torchvision() ? c.window() : Math.min(c.window(), res);
            int hidden = (int) (dim * c.mlpRatio());
            Block[] blocks = new Block[c.depths()[s]];
            for (int j = 0; j < blocks.length; j++) {
                String b = "layers." + s + ".blocks." + j + ".";
                float[] table = t.take(b + "attn.relative_position_bias_table", (2 * tw - 1) * (2 * tw - 1), heads);
                count[0] += table.length;
                blocks[j] = new Block(norm(t, b + "norm1", dim, c.eps(), count), dense(t, b + "attn.qkv", 3 * dim, dim, true, count),
                        table, tw, dense(t, b + "attn.proj", dim, dim, true, count), norm(t, b + "norm2", dim, c.eps(), count),
                        dense(t, b + "mlp.fc1", hidden, dim, true, count), dense(t, b + "mlp.fc2", dim, hidden, true, count));
            }
            stages[s] = new Stage(merge, blocks, dim, heads);
        }
        int nf = c.dim(c.stages() - 1);
        Norm fn = norm(t, "norm", nf, c.eps(), count);
        Dense hd = numClasses > 0 ? dense(t, "head.fc", numClasses, nf, true, count) : null;
        t.requireAllUsed(c.architecture());
        return new SwinTransformer(c, config.preprocess(c.defaultPreprocess()), pe, pn, stages, fn, hd, count[0]);
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
    @Override public int numFeatures() { return cfg.dim(cfg.stages() - 1); }
    @Override public long parameterCount() { return params; }

    @Override
    public double flopsPerImage() {
        int p = cfg.patchSize(), gh = inputHeight() / p, gw = inputWidth() / p;
        Geometry[][] geo = geometry(gh, gw);
        double f = 2.0 * gh * gw * cfg.embedDim() * 3 * p * p;
        int hh = gh, ww = gw;
        Scratch scratch = new Scratch(SLOTS);
        for (int s = 0; s < stages.length; s++) {
            int c = stages[s].dim;
            if (s > 0) {
                hh = (hh + 1) / 2;
                ww = (ww + 1) / 2;
                f += 2.0 * hh * ww * 2 * c * c; // 4(C/2) -> C reduction
            }
            for (int j = 0; j < stages[s].blocks.length; j++) {
                WindowPartition part = geo[s][j].part;
                double rows = (double) part.windows() * part.tokensPerWindow();
                f += 2.0 * rows * c * 4 * c + 4.0 * rows * part.tokensPerWindow() * c
                        + 4.0 * hh * ww * c * stages[s].blocks[j].fc1.out();
            }
        }
        return f + 2.0 * numFeatures() * Math.max(cfg.numClasses(), 0);
    }

    @Override
    public String describe() {
        return "Swin (" + (cfg.torchvision() ? "torchvision" : "timm") + " layout): img " + cfg.imgSize() + ", patch " + cfg.patchSize()
                + ", embed " + cfg.embedDim() + ", depths " + java.util.Arrays.toString(cfg.depths()) + ", heads "
                + java.util.Arrays.toString(cfg.numHeads()) + ", window " + cfg.window() + ", mlp ratio " + cfg.mlpRatio()
                + ", " + cfg.numClasses() + " classes";
    }

    @Override
    protected Dense classifier() { return head; }

    @Override
    protected float[] features(float[] x, int off, int h, int w, int image, FeatureObserver obs) {
        int p = cfg.patchSize();
        if (h < p || w < p) throw new IllegalArgumentException(cfg.architecture() + ": input " + h + "x" + w + " smaller than the patch " + p);
        int gh = h / p, gw = w / p;
        Geometry[][] geo = geometry(gh, gw);
        int d0 = cfg.embedDim();
        float[] tok = new float[gh * gw * d0];
        // torchvision / timm conv: floor((h - p) / p) + 1 = h / p rows, trailing pixels dropped like PyTorch
        long t0 = Profiler.start();
        patchEmbed.apply(x, off, h, w, tok, 0);
        Profiler.stop(Profiler.Kind.CONV, t0);
        patchNorm.apply(tok, 0, tok, 0, gh * gw);
        if (obs != null) obs.block(cfg.torchvision() ? "features.0" : "patch_embed", FeatureObserver.Kind.EMBEDDING, image, tok, 0, 0, gh, gw, d0);
        int hh = gh, ww = gw;
        // this thread's buffers, kept from its previous pass (every one is written before it is read)
        try (Scratch scratch = Scratch.take(SLOTS)) {
            for (int s = 0; s < stages.length; s++) {
                Stage st = stages[s];
                if (st.merge != null) {
                    int nh = (hh + 1) / 2, nw = (ww + 1) / 2;
                    tok = merge(st, tok, hh, ww, nh, nw, scratch);
                    hh = nh;
                    ww = nw;
                    if (obs != null && cfg.torchvision()) obs.block("features." + (2 * s), FeatureObserver.Kind.DOWNSAMPLE, image, tok, 0, 0, hh, ww, st.dim);
                }
                for (int j = 0; j < st.blocks.length; j++) {
                    String name = cfg.torchvision() ? "features." + (2 * s + 1) + "." + j : "layers." + s + ".blocks." + j;
                    block(st, st.blocks[j], geo[s][j], tok, hh, ww, obs, name, image, scratch);
                    if (obs != null) obs.block(name, FeatureObserver.Kind.MLP, image, tok, 0, 0, hh, ww, st.dim);
                }
            }
        }
        int c = numFeatures();
        norm.apply(tok, 0, tok, 0, hh * ww);
        if (obs != null) obs.block("norm", FeatureObserver.Kind.NORM, image, tok, 0, 0, hh, ww, c);
        float[] pooled = new float[c];
        long t1 = Profiler.start();
        Pooling.meanTokens(tok, 0, hh * ww, c, c, pooled, 0);
        Profiler.stop(Profiler.Kind.DATA_MOVEMENT, t1);
        return pooled;
    }

    /** PatchMerging: [x(2i,2j), x(2i+1,2j), x(2i,2j+1), x(2i+1,2j+1)] (zero-padded when odd) -> LN(4C) -> Linear(4C, 2C). */
    private static float[] merge(Stage st, float[] x, int h, int w, int nh, int nw, Scratch scratch) {
        int c = st.dim / 2;
        float[] cat = scratch.get(CAT, nh * nw * 4 * c);
        if (h % 2 != 0 || w % 2 != 0) java.util.Arrays.fill(cat, 0, nh * nw * 4 * c, 0f);   // zero padding
        long t0 = Profiler.start();
        for (int i = 0; i < nh; i++) {
            for (int j = 0; j < nw; j++) {
                int dst = (i * nw + j) * 4 * c;
                for (int q = 0; q < 4; q++) {
                    int y = 2 * i + (q & 1), xx = 2 * j + (q >> 1);
                    if (y < h && xx < w) System.arraycopy(x, (y * w + xx) * c, cat, dst + q * c, c);
                }
            }
        }
        Profiler.stop(Profiler.Kind.DATA_MOVEMENT, t0);
        st.merge.norm.apply(cat, 0, cat, 0, nh * nw);
        float[] out = new float[nh * nw * st.dim];
        st.merge.reduction.apply(nh * nw, cat, 0, out, 0);
        return out;
    }

    // Scratch slots of one forward pass, reused across blocks
    private static final int T = 0, WIN = 1, QKV = 2, MID = 3, CAT = 4, SLOTS = 5;

    private void block(Stage st, Block b, Geometry g, float[] x, int h, int w, FeatureObserver obs, String name, int image,
                       Scratch scratch) {
        int dim = st.dim, heads = st.heads, hd = dim / heads;
        WindowPartition part = g.part;
        int n = part.tokensPerWindow(), nw = part.windows(), rows = nw * n;
        float[] t = scratch.get(T, h * w * dim);
        b.norm1.apply(x, 0, t, 0, h * w);
        float[] win = scratch.get(WIN, rows * dim);
        long t0 = Profiler.start();
        part.partition(t, 0, dim, win, 0);
        Profiler.stop(Profiler.Kind.DATA_MOVEMENT, t0);
        float[] qkv = scratch.get(QKV, rows * 3 * dim);
        b.qkv.apply(rows, win, 0, qkv, 0);
        float[] att = win; // the windows are consumed by the qkv GEMM: reuse the buffer for the attention output
        long t1 = Profiler.start();
        Attention.flash(nw, heads, n, n, hd, (float) Math.pow(hd, -0.5),
                AttentionView.qkv(qkv, 0, n, heads, hd, 0), AttentionView.qkv(qkv, 0, n, heads, hd, 1),
                AttentionView.qkv(qkv, 0, n, heads, hd, 2), AttentionView.tokenMajor(att, 0, n, heads, hd), g.bias);
        Profiler.stop(Profiler.Kind.ATTENTION, t1);
        float[] o = qkv; // qkv consumed: reuse for the projection output [rows][dim]
        b.proj.apply(rows, att, 0, o, 0);
        long t2 = Profiler.start();
        part.merge(o, 0, dim, x, 0, true);
        Profiler.stop(Profiler.Kind.DATA_MOVEMENT, t2);
        if (obs != null) obs.block(name + ".attn", FeatureObserver.Kind.ATTENTION, image, x, 0, 0, h, w, dim);
        b.norm2.apply(x, 0, t, 0, h * w);
        int hidden = b.fc1.out();
        float[] mid = scratch.get(MID, h * w * hidden);
        b.fc1.applyGelu(h * w, t, 0, mid, 0);
        b.fc2.applyAdd(h * w, mid, 0, x, 0);
    }

    private Geometry[][] geometry(int gh, int gw) {
        return geometryCache.computeIfAbsent(((long) gh << 32) | gw, k -> buildGeometry(gh, gw));
    }

    private Geometry[][] buildGeometry(int gh, int gw) {
        Geometry[][] g = new Geometry[stages.length][];
        int hh = gh, ww = gw, nomH = gh, nomW = gw;
        for (int s = 0; s < stages.length; s++) {
            if (s > 0) {
                hh = (hh + 1) / 2;
                ww = (ww + 1) / 2;
                nomH /= 2;
                nomW /= 2;
            }
            Stage st = stages[s];
            g[s] = new Geometry[st.blocks.length];
            for (int j = 0; j < st.blocks.length; j++) {
                int target = cfg.window(), shift = j % 2 == 0 ? 0 : target / 2;
                int win, sh, sw;
                WindowPartition.Order order;
                if (cfg.torchvision()) {
                    win = target;
                    int ph = ceilTo(hh, win), pw = ceilTo(ww, win);
                    sh = win >= ph ? 0 : shift;
                    sw = win >= pw ? 0 : shift;
                    order = WindowPartition.Order.PAD_THEN_ROLL;
                } else {
                    // timm: per axis, window = res if res <= window (then no shift on that axis), where res is
                    // the stage's nominal resolution (floor halving; PatchMerging actually pads odd maps up)
                    int wh = nomH <= target ? nomH : target, wwin = nomW <= target ? nomW : target;
                    if (wh != wwin || wh < 1) {
                        throw new IllegalArgumentException(cfg.architecture() + ": a " + nomH + "x" + nomW + " feature map at stage " + s
                                + " gives a non-square clamped window " + wh + "x" + wwin + " (unsupported); use a square input");
                    }
                    win = wh;
                    sh = nomH <= target ? 0 : shift;
                    sw = nomW <= target ? 0 : shift;
                    order = WindowPartition.Order.ROLL_THEN_PAD;
                }
                Block b = st.blocks[j];
                if (win != b.tableWindow) {
                    throw new IllegalArgumentException(cfg.architecture() + ": at input grid " + gh + "x" + gw + " stage " + s
                            + " uses window " + win + " but the checkpoint's relative-position table is for window "
                            + b.tableWindow + " (built for img_size " + cfg.imgSize() + "); load it with img_size matching the input");
                }
                WindowPartition part = WindowPartition.of(hh, ww, win, sh, sw, order);
                AttentionBias bias = relativeBias(b.relTable, win, st.heads);
                if (sh > 0 || sw > 0) bias = bias.plus(shiftMask(part, sh, sw));
                g[s][j] = new Geometry(part, bias);
            }
        }
        return g;
    }

    private static int ceilTo(int v, int m) {
        return (v + m - 1) / m * m;
    }

    /** [heads][N][N] gathered from the [(2W-1)^2][heads] table: index (dy+W-1)*(2W-1) + (dx+W-1). */
    static AttentionBias relativeBias(float[] table, int win, int heads) {
        int n = win * win, side = 2 * win - 1;
        float[] bias = new float[heads * n * n];
        for (int i = 0; i < n; i++) {
            int yi = i / win, xi = i % win;
            for (int j = 0; j < n; j++) {
                int idx = (yi - j / win + win - 1) * side + (xi - j % win + win - 1);
                for (int h = 0; h < heads; h++) bias[(h * n + i) * n + j] = table[idx * heads + h];
            }
        }
        return AttentionBias.perHead(bias, n, n);
    }

    /**
     * Shifted-window mask on the padded grid: region label per axis 0 / 1 / 2 for positions in
     * [0, P-win), [P-win, P-shift), [P-shift, P) (all one region when the axis is not shifted);
     * -100 between tokens of different regions. Identical window patterns share one [N][N] plane.
     */
    static AttentionBias shiftMask(WindowPartition part, int sh, int sw) {
        int win = part.window(), n = win * win, hp = part.paddedHeight(), wp = part.paddedWidth();
        int nwx = wp / win, windows = part.windows();
        List<float[]> planes = new ArrayList<>();
        int[] planeOf = new int[windows];
        int[] labels = new int[n];
        for (int wi = 0; wi < windows; wi++) {
            int wy = wi / nwx, wx = wi % nwx;
            for (int t = 0; t < n; t++) {
                int py = wy * win + t / win, px = wx * win + t % win;
                labels[t] = 3 * region(py, hp, win, sh) + region(px, wp, win, sw);
            }
            float[] m = new float[n * n];
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) m[i * n + j] = labels[i] == labels[j] ? 0f : -100f;
            int found = -1;
            for (int q = 0; q < planes.size() && found < 0; q++) if (Arrays.equals(planes.get(q), m)) found = q;
            if (found < 0) {
                found = planes.size();
                planes.add(m);
            }
            planeOf[wi] = found;
        }
        float[] data = new float[planes.size() * n * n];
        for (int q = 0; q < planes.size(); q++) System.arraycopy(planes.get(q), 0, data, q * n * n, n * n);
        int plane = n * n;
        return AttentionBias.simple(data, n, (b, h) -> planeOf[b % windows] * plane);
    }

    private static int region(int p, int size, int win, int shift) {
        if (shift == 0) return 0;
        return p < size - win ? 0 : p < size - shift ? 1 : 2;
    }
}
