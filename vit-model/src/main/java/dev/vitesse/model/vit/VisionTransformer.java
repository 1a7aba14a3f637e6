package dev.vitesse.model.vit;

import dev.vitesse.kernels.PackedMatrix;
import dev.vitesse.kernels.Parallel;
import dev.vitesse.kernels.Profiler;
import dev.vitesse.kernels.WeightFormat;
import dev.vitesse.model.config.CheckpointLayout;
import dev.vitesse.model.config.Pooling;
import dev.vitesse.model.config.VitConfig;
import dev.vitesse.model.io.ModelFormatException;
import dev.vitesse.model.io.SafeTensors;
import dev.vitesse.model.layers.Norm;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The ViT / DeiT network on the Vitesse kernels (An Image is Worth 16x16 Words; DeiT; DeiT III):
 * <pre>
 *   x = PatchEmbed(image)                          one GEMM over im2col'd patches
 *   x = [cls, dist, reg...] ++ x, + pos_embed      (no_embed_class: pos added before the prefix tokens)
 *   x = norm_pre(x)                                (pre_norm only: CLIP image towers)
 *   for each Block: x += ls1(attn(norm1(x))); x += ls2(mlp(norm2(x)))
 *   token pooling: norm(x)[0]   |   avg / max / avgmax pooling: fc_norm(reduce(x[prefix:]))
 *   map pooling: attn_pool(norm(x)): a latent query attends over all tokens, then proj, then + mlp(norm(.))
 *   logits = head(pooled)       |   DeiT distilled: (head(x[0]) + head_dist(x[1])) / 2
 * </pre>
 * Weights are packed once at construction; the instance is immutable and thread-safe; every call
 * allocates its own activations.
 */
public final class VisionTransformer {
    private final VitConfig cfg;
    private final PatchEmbed patchEmbed;
    private final float[] prefixTokens;          // [numPrefixTokens][dim]: class, distillation, register tokens
    private final float[] posEmbed;              // [posEmbedLength][dim] at the run resolution
    private final Norm normPre;                  // pre_norm (CLIP) only, else null
    private final Block[] blocks;
    private final Norm norm;                     // final norm (token pooling) or fc_norm (pooling over patch tokens)
    private final Linear head, headDist;         // nullable
    private final AttentionPool attnPool;        // 'map' pooling only, else null
    private final long params;
    private final long weightBytes;
    private final WeightFormat weightFormat;

    private VisionTransformer(VitConfig cfg, PatchEmbed patchEmbed, float[] prefixTokens,
                              float[] posEmbed, Norm normPre, Block[] blocks, Norm norm, AttentionPool attnPool, Linear head,
                              Linear headDist, long params, long weightBytes, WeightFormat weightFormat) {
        this.weightBytes = weightBytes;
        this.weightFormat = weightFormat;
        this.cfg = cfg;
        this.patchEmbed = patchEmbed;
        this.prefixTokens = prefixTokens;
        this.posEmbed = posEmbed;
        this.normPre = normPre;
        this.blocks = blocks;
        this.norm = norm;
        this.attnPool = attnPool;
        this.head = head;
        this.headDist = headDist;
        this.params = params;
    }

    /** Source of canonical (timm-named) tensors. */
    interface Tensors {
        float[] get(String name);

        /** pos_embed as stored, with its number of rows. */
        float[] posEmbed();

        int posEmbedRows();

        /** A [n][k] weight, packed for the GEMM in the model's weight format. */
        default PackedMatrix packed(String name, int n, int k) {
            return Linear.pack(get(name), n, k, weightFormat());
        }

        /** Storage format of the packed linear-layer weights. */
        default WeightFormat weightFormat() {
            return WeightFormat.FP32;
        }

        /** True if {@link #get} may be called from several threads at once. */
        default boolean threadSafe() {
            return true;
        }
    }

    /**
     * Builds the model from a checkpoint: names mapped and validated, pos_embed resampled if the
     * configured resolution differs from the checkpoint's (timm rule / HF rule / refused for torchvision).
     */
    public static VisionTransformer load(VitConfig cfg, SafeTensors file) {
        return load(cfg, file, WeightFormat.FP32);
    }

    /** As {@link #load(VitConfig, SafeTensors)} with the linear-layer weights stored in {@code weights}. */
    public static VisionTransformer load(VitConfig cfg, SafeTensors file, WeightFormat weights) {
        CheckpointMapper m = new CheckpointMapper(file, cfg);
        return build(cfg, new Tensors() {
            public float[] get(String name) { return m.get(name); }
            public PackedMatrix packed(String name, int n, int k) { return m.packed(name, n, k, weights); }
            public WeightFormat weightFormat() { return weights; }
            public float[] posEmbed() { return m.get("pos_embed"); }
            public int posEmbedRows() { return m.posEmbedRows(); }
        }, file.path() + ": tensor '" + m.sourceName("pos_embed") + "'");
    }

    /** A model with random weights (timm-like init scales), for benchmarks. */
    public static VisionTransformer random(VitConfig cfg, long seed) {
        return random(cfg, seed, WeightFormat.FP32);
    }

    /** As {@link #random(VitConfig, long)} with the linear-layer weights stored in {@code weights}. */
    public static VisionTransformer random(VitConfig cfg, long seed, WeightFormat weights) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int d = cfg.embedDim();
        return build(cfg, new Tensors() {
            public WeightFormat weightFormat() { return weights; }

            public float[] get(String name) {
                int n = sizeOf(name);
                float[] f = new float[n];
                boolean ones = name.endsWith("norm1.weight") || name.endsWith("norm2.weight")
                        || name.endsWith("norm.weight") || name.endsWith("norm_pre.weight");   // + fc_norm, attn_pool.norm
                for (int i = 0; i < n; i++) {
                    f[i] = ones ? 1f : name.endsWith(".bias") ? 0f
                            : name.contains("gamma") ? 1e-1f : (float) (rnd.nextGaussian() * 0.02);
                }
                return f;
            }

            private int sizeOf(String name) {
                int h = cfg.mlpHidden(), p = cfg.patchSize(), c = cfg.inChans(), k = cfg.numClasses();
                if (name.equals("patch_embed.proj.weight")) return d * c * p * p;
                if (name.contains("qkv.weight")) return 3 * d * d;
                if (name.contains("qkv.bias")) return 3 * d;
                if (name.equals("reg_token")) return cfg.regTokens() * d;
                if (name.equals("attn_pool.kv.weight")) return 2 * d * d;
                if (name.equals("attn_pool.kv.bias")) return 2 * d;
                if (name.equals("attn_pool.q.weight")) return d * d;
                if (name.contains("fc1.weight") || name.contains("fc2.weight")) return h * d;
                if (name.contains("fc1.bias")) return h;
                if (name.contains("proj.weight")) return d * d;
                if (name.startsWith("head")) return name.endsWith("weight") ? k * d : k;
                return d;
            }

            public float[] posEmbed() {
                float[] f = new float[cfg.posEmbedLength() * d];
                for (int i = 0; i < f.length; i++) f[i] = (float) (rnd.nextGaussian() * 0.02);
                return f;
            }

            public int posEmbedRows() { return cfg.posEmbedLength(); }

            public boolean threadSafe() { return false; }   // one SplittableRandom stream
        }, "random pos_embed");
    }

    /** Counts what {@link Tensors#packed} hands out (blocks are built in parallel, hence the adders). */
    private static final class CountingTensors implements Tensors {
        final Tensors t;
        final java.util.concurrent.atomic.LongAdder packedBytes = new java.util.concurrent.atomic.LongAdder(),
                packedParams = new java.util.concurrent.atomic.LongAdder();

        CountingTensors(Tensors t) { this.t = t; }
        public float[] get(String name) { return t.get(name); }
        public float[] posEmbed() { return t.posEmbed(); }
        public int posEmbedRows() { return t.posEmbedRows(); }
        public WeightFormat weightFormat() { return t.weightFormat(); }
        public boolean threadSafe() { return t.threadSafe(); }

        public PackedMatrix packed(String name, int n, int k) {
            PackedMatrix m = t.packed(name, n, k);
            packedBytes.add(m.bytes());
            packedParams.add((long) n * k);
            return m;
        }
    }

    private static VisionTransformer build(VitConfig cfg, Tensors source, String posName) {
        CountingTensors t = new CountingTensors(source);
        int d = cfg.embedDim(), p = cfg.patchSize(), c = cfg.inChans();
        long params = 0;
        // conv weight [D, C, p, p] is contiguous as [D, C*p*p]: the im2col GEMM weight; no bias with pre_norm (timm)
        PatchEmbed pe = new PatchEmbed(c, p, cfg.gridSize(), new Linear(t.packed("patch_embed.proj.weight", d, c * p * p),
                cfg.preNorm() ? null : t.get("patch_embed.proj.bias"), false, null, false));
        params += pe.params();
        // prefix tokens in sequence order: timm concatenates cls (DeiT: + dist), then reg_token [1, R, D]
        float[] prefixTokens = new float[cfg.numPrefixTokens() * d];
        int at = 0;
        if (cfg.classToken()) at = append(t.get("cls_token"), prefixTokens, at);
        if (cfg.distToken()) at = append(t.get("dist_token"), prefixTokens, at);
        if (cfg.regTokens() > 0) append(t.get("reg_token"), prefixTokens, at);
        params += prefixTokens.length;
        float[] storedPos = t.posEmbed();
        params += storedPos.length;
        float[] pos = adaptPosEmbed(cfg, storedPos, t.posEmbedRows(), posName);
        Norm normPre = cfg.preNorm() ? new Norm(t.get("norm_pre.weight"), t.get("norm_pre.bias"), cfg.eps()) : null;
        if (normPre != null) params += normPre.parameterCount();
        Block[] blocks = new Block[cfg.depth()];
        // blocks are independent: convert and pack them in parallel (load time is dominated by packing)
        if (t.threadSafe()) {
            Parallel.forEach(blocks.length, i -> blocks[i] = buildBlock(cfg, t, i));
        } else {
            for (int i = 0; i < blocks.length; i++) blocks[i] = buildBlock(cfg, t, i);
        }
        for (Block blk : blocks) params += blk.params();
        String nn = cfg.fcNorm() ? "fc_norm" : "norm";
        Norm norm = new Norm(t.get(nn + ".weight"), t.get(nn + ".bias"), cfg.eps());
        params += norm.parameterCount();
        AttentionPool attnPool = null;
        if (cfg.pooling() == Pooling.MAP) {
            String a = "attn_pool.";
            attnPool = new AttentionPool(cfg.numHeads(), t.get(a + "latent"),
                    new Linear(t.packed(a + "q.weight", d, d), t.get(a + "q.bias"), false, null, false),
                    new Linear(t.packed(a + "kv.weight", 2 * d, d), t.get(a + "kv.bias"), false, null, false),
                    new Linear(t.packed(a + "proj.weight", d, d), t.get(a + "proj.bias"), false, null, false),
                    new Norm(t.get(a + "norm.weight"), t.get(a + "norm.bias"), cfg.eps()), mlp(cfg, t, a + "mlp.", null));
            params += attnPool.params();
        }
        Linear head = null, headDist = null;
        if (cfg.numClasses() > 0) {
            head = new Linear(t.packed("head.weight", cfg.numClasses(), d), t.get("head.bias"), false, null, false);
            params += head.params();
            if (cfg.headDist()) {
                headDist = new Linear(t.packed("head_dist.weight", cfg.numClasses(), d), t.get("head_dist.bias"), false, null, false);
                params += headDist.params();
            }
        }
        // packed GEMM weights at their storage size (panel padding included), every other parameter as f32
        long bytes = t.packedBytes.sum() + 4L * (params - t.packedParams.sum());
        return new VisionTransformer(cfg, pe, prefixTokens, pos, normPre, blocks, norm, attnPool, head, headDist, params, bytes,
                source.weightFormat());
    }

    /** Copies {@code src} into {@code dst} at {@code at}; returns the position after it. */
    private static int append(float[] src, float[] dst, int at) {
        System.arraycopy(src, 0, dst, at, src.length);
        return at + src.length;
    }

    private static Block buildBlock(VitConfig cfg, Tensors t, int i) {
        int d = cfg.embedDim();
        String b = "blocks." + i + ".";
        float[] g1 = cfg.layerScale() ? t.get(b + "ls1.gamma") : null;
        float[] g2 = cfg.layerScale() ? t.get(b + "ls2.gamma") : null;
        Linear qkv = new Linear(t.packed(b + "attn.qkv.weight", 3 * d, d),
                cfg.qkvBias() ? t.get(b + "attn.qkv.bias") : null, false, null, false);
        Linear proj = new Linear(t.packed(b + "attn.proj.weight", d, d), t.get(b + "attn.proj.bias"), false, g1, true);
        return new Block(
                new Norm(t.get(b + "norm1.weight"), t.get(b + "norm1.bias"), cfg.eps()),
                new MultiHeadAttention(d, cfg.numHeads(), qkv, proj),
                new Norm(t.get(b + "norm2.weight"), t.get(b + "norm2.bias"), cfg.eps()),
                mlp(cfg, t, b + "mlp.", g2));
    }

    /** timm {@code Mlp} at {@code prefix} ("blocks.i.mlp.", "attn_pool.mlp."): fc1 + activation, fc2 (* gamma) added to the residual. */
    private static Mlp mlp(VitConfig cfg, Tensors t, String prefix, float[] gamma) {
        int d = cfg.embedDim(), h = cfg.mlpHidden();
        return new Mlp(
                new Linear(t.packed(prefix + "fc1.weight", h, d), t.get(prefix + "fc1.bias"), cfg.act(), null, false),
                new Linear(t.packed(prefix + "fc2.weight", d, h), t.get(prefix + "fc2.bias"), false, gamma, true));
    }

    /** Checks the stored pos_embed length and resamples its patch part to the configured grid if needed. */
    private static float[] adaptPosEmbed(VitConfig cfg, float[] stored, int rows, String posName) {
        int d = cfg.embedDim();
        int prefix = cfg.noEmbedClass() ? 0 : cfg.numPrefixTokens();
        int patches = rows - prefix;
        int g0 = (int) Math.round(Math.sqrt(Math.max(patches, 0)));
        if (patches <= 0 || g0 * g0 != patches) {
            throw new ModelFormatException(posName + " has " + rows + " rows, expected " + prefix
                    + " prefix rows + a square grid of patch rows (" + cfg.posEmbedLength() + " for " + cfg.gridSize()
                    + "x" + cfg.gridSize() + " patches)");
        }
        int g1 = cfg.gridSize();
        if (g0 == g1) return stored;
        float[] grid = Arrays.copyOfRange(stored, prefix * d, stored.length);
        float[] resized = switch (cfg.layout()) {
            case TIMM, OPEN_CLIP -> PosEmbedResample.timm(grid, g0, g0, g1, g1, d);
            case HF, HF_CLIP, HF_SIGLIP -> PosEmbedResample.hf(grid, g0, g0, g1, g1, d);
            case TORCHVISION -> throw new IllegalArgumentException(posName + ": the checkpoint was trained at "
                    + g0 * cfg.patchSize() + "x" + g0 * cfg.patchSize() + " (" + g0 + "x" + g0 + " patches) and "
                    + "torchvision ViTs cannot run at another resolution (requested " + cfg.imageSize() + ")");
        };
        float[] out = new float[prefix * d + resized.length];
        System.arraycopy(stored, 0, out, 0, prefix * d);
        System.arraycopy(resized, 0, out, prefix * d, resized.length);
        return out;
    }

    /** The configuration. */
    public VitConfig config() {
        return cfg;
    }

    /** Number of parameters (stored pos_embed counted at the checkpoint's size). */
    public long parameterCount() {
        return params;
    }

    /** Bytes held by the parameters: packed GEMM weights at their storage size, the rest as f32. */
    public long weightBytes() {
        return weightBytes;
    }

    /** Storage format of the linear-layer (and patch-embedding) weights. */
    public WeightFormat weightFormat() {
        return weightFormat;
    }

    /** Width of {@link #features}: embedDim. */
    public int numFeatures() {
        return cfg.embedDim();
    }

    /** Input floats per image: C*S*S. */
    public int imageFloats() {
        return cfg.inChans() * cfg.imageSize() * cfg.imageSize();
    }

    /** Floats allowed in the widest per-call activation buffer (256 MB); larger batches are chunked. Tests lower it. */
    static volatile long activationBudgetFloats = 1L << 26;

    /** Images processed per chunk, bounding activation memory. */
    int chunkSize() {
        long perImage = (long) cfg.numTokens() * Math.max(Math.max(3L * cfg.embedDim(), cfg.mlpHidden()),
                (long) cfg.inChans() * cfg.patchSize() * cfg.patchSize());
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, activationBudgetFloats / perImage));
    }

    private void checkInput(float[] images, int batch) {
        if (images == null) throw new IllegalArgumentException("input is null");
        if (batch < 0) throw new IllegalArgumentException("batch must be >= 0, found " + batch);
        long need = (long) batch * imageFloats();
        if (images.length != need) {
            throw new IllegalArgumentException("input has " + images.length + " floats, expected batch " + batch + " x "
                    + cfg.inChans() + "x" + cfg.imageSize() + "x" + cfg.imageSize() + " = " + need);
        }
    }

    /** One pass over a chunk of {@code batch} images in {@code ws}: [batch][outputs per image]. */
    private interface ChunkPass {
        float[] run(Workspace ws, float[] images, int batch);
    }

    /**
     * {@code pass} over chunks of at most {@link #chunkSize} images (bounding activation memory), its outputs
     * [chunk][perImage] concatenated into [batch][perImage].
     */
    private float[] inChunks(float[] images, int batch, long perImage, ChunkPass pass) {
        checkInput(images, batch);
        long total = batch * perImage;
        if (total > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("outputs too large for batch " + batch);
        float[] out = new float[(int) total];
        int chunk = chunkSize(), per = (int) perImage;
        for (int b0 = 0; b0 < batch; b0 += chunk) {
            int nb = Math.min(chunk, batch - b0);
            try (Workspace ws = workspace(nb)) {
                System.arraycopy(pass.run(ws, slice(images, b0, nb), nb), 0, out, b0 * per, nb * per);
            }
        }
        return out;
    }

    /** Logits [batch][numClasses] (or the pooled features when the model has no head). */
    public float[] logits(float[] images, int batch) {
        int keep = headTokens();
        return inChunks(images, batch, head == null ? cfg.embedDim() : cfg.numClasses(), (ws, x, nb) -> {
            float[] tokens = encode(ws, x, nb, null, null, keep);
            return head == null ? pool(ws, tokens, nb, keep) : logitsFromTokens(ws, tokens, nb, keep);
        });
    }

    /**
     * Logits like {@link #logits(float[], int)}, reporting each image's embedding and every attention / MLP
     * sub-block output (patch tokens as a grid) to {@code tap} (nullable).
     */
    public float[] logits(float[] images, int batch, dev.vitesse.model.analysis.FeatureTap tap) {
        if (tap == null) return logits(images, batch);
        checkInput(images, batch);
        int k = head == null ? cfg.embedDim() : cfg.numClasses();
        float[] out = new float[batch * k];
        for (int b = 0; b < batch; b++) {
            try (Workspace ws = workspace(1)) {
                int t = cfg.numTokens(); // a tap sees every block in full
                float[] x = encode(ws, slice(images, b, 1), 1, null, tap, t);
                System.arraycopy(head == null ? pool(ws, x, 1, t) : logitsFromTokens(ws, x, 1, t), 0, out, b * k, k);
            }
        }
        return out;
    }

    /** Pre-logits features [batch][embedDim] (timm {@code forward_head(pre_logits=True)}). */
    public float[] features(float[] images, int batch) {
        int keep = headTokens();
        return inChunks(images, batch, cfg.embedDim(), (ws, x, nb) -> pool(ws, encode(ws, x, nb, null, null, keep), nb, keep));
    }

    /**
     * Token features [batch][numTokens][embedDim] as timm's {@code forward_features} returns them: every token (prefix
     * tokens first, then the patch grid row by row) after the last block and the final norm, which models that
     * normalise after pooling ({@code fc_norm}) do not have. Dense features, e.g. DINOv2's patch tokens.
     */
    public float[] tokens(float[] images, int batch) {
        int t = cfg.numTokens(), d = cfg.embedDim();
        return inChunks(images, batch, (long) t * d, (ws, x, nb) -> {
            float[] tokens = encode(ws, x, nb, null, null, t);   // ws.x: the output is copied before ws is released
            if (!cfg.fcNorm()) norm.apply(tokens, 0, d, tokens, 0, d, nb * t);
            return tokens;
        });
    }

    /**
     * Attention probabilities per block, each [batch][heads][tokens][tokens] (explicit attention path);
     * the logits are not computed.
     */
    public float[][] attentionProbabilities(float[] images, int batch) {
        checkInput(images, batch);
        int t = cfg.numTokens();
        long per = (long) batch * cfg.numHeads() * t * t;
        if (per > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("attention maps too large for batch " + batch);
        float[][] probs = new float[blocks.length][(int) per];
        int plane = cfg.numHeads() * t * t;
        int chunk = chunkSize();
        for (int b0 = 0; b0 < batch; b0 += chunk) {
            int nb = Math.min(chunk, batch - b0);
            float[][] part = b0 == 0 && nb == batch ? probs : new float[blocks.length][nb * plane];
            try (Workspace ws = workspace(nb)) {
                encode(ws, slice(images, b0, nb), nb, part, null, cfg.numTokens());
            }
            if (part != probs) {
                for (int l = 0; l < blocks.length; l++) System.arraycopy(part[l], 0, probs[l], b0 * plane, nb * plane);
            }
        }
        return probs;
    }

    private float[] slice(float[] images, int b0, int nb) {
        int n = imageFloats();
        if (b0 == 0 && nb * n == images.length) return images;
        return Arrays.copyOfRange(images, b0 * n, (b0 + nb) * n);
    }

    /** This thread's activation buffers for a chunk of {@code batch} images (close after use). */
    private Workspace workspace(int batch) {
        return Workspace.take(batch * cfg.numPatches(), patchEmbed.patchLength(), batch * cfg.numTokens(),
                cfg.embedDim(), cfg.mlpHidden());
    }

    /**
     * Patch embedding, prefix tokens, position embedding, blocks: tokens [batch*T][dim] before the final norm, in
     * {@code ws.x}. With a {@code tap} (one-image batch), reports every sub-block output. With {@code keepLast} below
     * T (and no tap or maps), the last block computes only the first keepLast tokens of each image, which end up
     * compacted: [batch*keepLast][dim].
     */
    private float[] encode(Workspace ws, float[] images, int batch, float[][] probs,
                           dev.vitesse.model.analysis.FeatureTap tap, int keepLast) {
        int d = cfg.embedDim(), t = cfg.numTokens(), np = cfg.numPatches(), prefix = cfg.numPrefixTokens();
        float[] patches = patchEmbed.forward(images, batch, ws.cols, ws.patches);
        long t0 = Profiler.start();
        float[] x = ws.x;
        Parallel.forEach(batch, b -> {
            int base = b * t * d;
            System.arraycopy(prefixTokens, 0, x, base, prefix * d);
            System.arraycopy(patches, b * np * d, x, base + prefix * d, np * d);
            // no_embed_class: pos_embed covers the patch rows only; otherwise every row, prefix included
            int from = cfg.noEmbedClass() ? base + prefix * d : base;
            for (int i = 0; i < posEmbed.length; i++) x[from + i] += posEmbed[i];
        });
        Profiler.stop(Profiler.Kind.DATA_MOVEMENT, t0);
        if (normPre != null) normPre.apply(x, 0, d, x, 0, d, batch * t);
        int g = cfg.gridSize();
        if (tap != null) tap.accept(dev.vitesse.model.analysis.FeatureMap.fromTokens(0, "embed",
                dev.vitesse.model.analysis.BlockKind.EMBEDDING, x, 0, prefix, d, g, g));
        for (int i = 0; i < blocks.length; i++) {
            final int bi = i;
            Runnable afterAttn = tap == null ? null : () -> tap.accept(dev.vitesse.model.analysis.FeatureMap.fromTokens(
                    1 + 2 * bi, "blocks." + bi + ".attn", dev.vitesse.model.analysis.BlockKind.ATTENTION, x, 0, prefix, d, g, g));
            if (keepLast < t && i == blocks.length - 1 && probs == null && tap == null) {
                blocks[i].forwardPrefix(x, ws, batch, t, keepLast);
                break;
            }
            blocks[i].forward(x, ws, batch, t, probs == null ? null : probs[i], afterAttn);
            if (tap != null) tap.accept(dev.vitesse.model.analysis.FeatureMap.fromTokens(2 + 2 * i, "blocks." + i + ".mlp",
                    dev.vitesse.model.analysis.BlockKind.MLP, x, 0, prefix, d, g, g));
        }
        return x;
    }

    /**
     * Tokens per image the head reads: the class token, class and distillation tokens, or all of them (average
     * pooling). The last block computes only these rows.
     */
    private int headTokens() {
        if (cfg.headDist()) return 2;
        return cfg.pooling() == Pooling.TOKEN && cfg.classToken() ? 1 : cfg.numTokens();
    }

    /**
     * Pooled (pre-logits) features [batch][dim] from the block output (modified in place), {@code t} token rows
     * per image (all of them, or the {@link #headTokens} rows the last block kept).
     */
    private float[] pool(Workspace ws, float[] x, int batch, int t) {
        int d = cfg.embedDim();
        float[] out = new float[batch * d];
        if (cfg.headDist()) {
            norm.apply(x, 0, d, x, 0, d, batch * t);   // timm: norm over all tokens, then (x0 + x1) / 2
            for (int b = 0; b < batch; b++) {
                for (int c = 0; c < d; c++) out[b * d + c] = (x[b * t * d + c] + x[(b * t + 1) * d + c]) / 2f;
            }
            return out;
        }
        if (cfg.pooling() == Pooling.TOKEN) {
            // the norm is row-wise, so norm(x)[0] == norm(x[0]): normalise only the class-token rows
            norm.apply(x, 0, t * d, out, 0, d, batch);
            return out;
        }
        int prefix = cfg.numPrefixTokens(), np = t - prefix;
        if (!cfg.fcNorm()) norm.apply(x, 0, d, x, 0, d, batch * t);
        Pooling kind = cfg.pooling();
        if (kind == Pooling.MAP) {
            float[] pooled = attnPool.forward(ws, x, batch, t);   // over every token, prefix tokens included (timm)
            if (cfg.fcNorm()) norm.apply(pooled, 0, d, pooled, 0, d, batch);
            return pooled;
        }
        for (int b = 0; b < batch; b++) {
            // over the patch tokens: the mean accumulated in double then rounded once, the max exact
            for (int c = 0; c < d; c++) {
                double s = 0;
                float m = Float.NEGATIVE_INFINITY;
                for (int i = prefix; i < t; i++) {
                    float v = x[(b * t + i) * d + c];
                    s += v;
                    m = Math.max(m, v);
                }
                float mean = (float) (s / np);
                out[b * d + c] = switch (kind) {
                    case AVG -> mean;
                    case MAX -> m;
                    case AVGMAX -> 0.5f * (m + mean); // timm: 0.5 * (x.amax(dim=1) + x.mean(dim=1))
                    case TOKEN, MAP -> throw new IllegalStateException(kind + " pooling handled above");
                };
            }
        }
        if (cfg.fcNorm()) norm.apply(out, 0, d, out, 0, d, batch);
        return out;
    }

    private float[] logitsFromTokens(Workspace ws, float[] x, int batch, int t) {
        int d = cfg.embedDim(), k = cfg.numClasses();
        float[] out = new float[batch * k];
        if (!cfg.headDist()) {
            head.apply(batch, pool(ws, x, batch, t), 0, d, out, 0, k);
            return out;
        }
        norm.apply(x, 0, t * d, x, 0, t * d, batch);          // class token rows
        norm.apply(x, d, t * d, x, d, t * d, batch);          // distillation token rows
        float[] dist = new float[batch * k];
        head.apply(batch, x, 0, t * d, out, 0, k);
        headDist.apply(batch, x, d, t * d, dist, 0, k);
        for (int i = 0; i < out.length; i++) out[i] = (out[i] + dist[i]) / 2f;
        return out;
    }
}
