package dev.vitesse.model.vit;

import dev.vitesse.model.config.CheckpointLayout;
import dev.vitesse.model.config.Pooling;
import dev.vitesse.model.config.VitConfig;
import dev.vitesse.kernels.PackedMatrix;
import dev.vitesse.kernels.WeightFormat;
import dev.vitesse.model.io.DType;
import dev.vitesse.model.io.ModelFormatException;
import dev.vitesse.model.io.SafeTensors;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Maps a checkpoint's tensor names (timm, HF transformers, torchvision, OpenAI CLIP / open_clip) onto the canonical
 * timm layout, the way timm's {@code checkpoint_filter_fn} does: HF's separate query/key/value are concatenated into
 * one [3D, D] qkv (rows q;k;v, head-major), torchvision's and open_clip's {@code in_proj_weight} already is that
 * matrix; open_clip's image projection {@code visual.proj} [D, E] (applied as {@code x @ proj}) is the transposed
 * head weight, with a zero bias (timm's {@code _convert_openai_clip}), and its text tower is ignored.
 * Validates the complete name set first (one error listing every missing and every leftover name) and then
 * every shape (name, expected, found). {@code pos_embed} is checked for its width and a square patch grid
 * only; the caller resamples it.
 */
final class CheckpointMapper {
    /** One canonical tensor: its source names (concatenated along dim 0) and the shape of each part. */
    private record Entry(String canonical, List<String> sources, long[] partShape, Read read) {}

    /** How a canonical tensor is made from its sources. */
    private sealed interface Read {
        /** The sources as stored, concatenated along dim 0. */
        record AsStored() implements Read {}
        /** The single 2-D source, stored [k][n], transposed (open_clip's {@code x @ proj}). */
        record Transposed() implements Read {}
        /** Rows [first, first + count) of the single source (HF SigLIP's packed in_proj). */
        record Rows(int first, int count) implements Read {}
        /** No source: zeros of the part shape's length (the bias a CLIP projection does not have). */
        record Zeros() implements Read {}
    }

    private final SafeTensors file;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final Set<String> ignorable = new LinkedHashSet<>();
    private final String prefix;   // HF: "vit.", "deit." or ""
    private final VitConfig cfg;

    CheckpointMapper(SafeTensors file, VitConfig cfg) {
        this.file = file;
        this.cfg = cfg;
        this.prefix = cfg.layout() == CheckpointLayout.HF ? hfPrefix(file) : "";
        build();
        validate();
    }

    /** HF checkpoints are "vit." / "deit." prefixed (ForImageClassification) or bare (ViTModel). */
    static String hfPrefix(SafeTensors f) {
        for (String n : f.names()) {
            int i = n.indexOf("embeddings.patch_embeddings.projection.weight");
            if (i >= 0) return n.substring(0, i);
        }
        return "vit.";
    }

    private void build() {
        int d = cfg.embedDim(), h = cfg.mlpHidden(), p = cfg.patchSize(), c = cfg.inChans();
        boolean clip = cfg.layout() == CheckpointLayout.OPEN_CLIP || cfg.layout() == CheckpointLayout.HF_CLIP;
        boolean vectorEmbeddings = clip || cfg.layout() == CheckpointLayout.HF_SIGLIP;   // [D] class token, [N, D] pos_embed
        add("patch_embed.proj.weight", src("patch_embed.proj.weight"), d, c, p, p);
        if (!cfg.preNorm()) add("patch_embed.proj.bias", src("patch_embed.proj.bias"), d);   // timm: bias=not pre_norm
        if (cfg.classToken()) add("cls_token", src("cls_token"), vectorEmbeddings ? new long[] {d} : new long[] {1, 1, d});
        if (cfg.distToken()) add("dist_token", src("dist_token"), 1, 1, d);
        if (cfg.regTokens() > 0) add("reg_token", src("reg_token"), 1, cfg.regTokens(), d);
        add("pos_embed", src("pos_embed"), vectorEmbeddings ? new long[] {-1, d} : new long[] {-1, -1, d});   // length checked by the loader
        if (cfg.preNorm()) {
            add("norm_pre.weight", src("norm_pre.weight"), d);
            add("norm_pre.bias", src("norm_pre.bias"), d);
        }
        for (int i = 0; i < cfg.depth(); i++) {
            String b = "blocks." + i + ".";
            for (String n : List.of("norm1", "norm2")) {
                add(b + n + ".weight", src(b + n + ".weight"), d);
                add(b + n + ".bias", src(b + n + ".bias"), d);
            }
            boolean split = cfg.layout() == CheckpointLayout.HF || cfg.layout() == CheckpointLayout.HF_CLIP
                    || cfg.layout() == CheckpointLayout.HF_SIGLIP;   // separate q; k; v
            add(b + "attn.qkv.weight", qkvSources(i, "weight"), split ? new long[] {d, d} : new long[] {3L * d, d});
            if (cfg.qkvBias()) {
                add(b + "attn.qkv.bias", qkvSources(i, "bias"), split ? new long[] {d} : new long[] {3L * d});
            }
            add(b + "attn.proj.weight", src(b + "attn.proj.weight"), d, d);
            add(b + "attn.proj.bias", src(b + "attn.proj.bias"), d);
            add(b + "mlp.fc1.weight", src(b + "mlp.fc1.weight"), h, d);
            add(b + "mlp.fc1.bias", src(b + "mlp.fc1.bias"), h);
            add(b + "mlp.fc2.weight", src(b + "mlp.fc2.weight"), d, h);
            add(b + "mlp.fc2.bias", src(b + "mlp.fc2.bias"), d);
            if (cfg.layerScale()) {
                add(b + "ls1.gamma", src(b + "ls1.gamma"), d);
                add(b + "ls2.gamma", src(b + "ls2.gamma"), d);
            }
        }
        String norm = cfg.fcNorm() ? "fc_norm" : "norm";
        add(norm + ".weight", src(norm + ".weight"), d);
        add(norm + ".bias", src(norm + ".bias"), d);
        if (cfg.pooling() == Pooling.MAP) {   // timm AttentionPoolLatent
            String a = "attn_pool.";
            add(a + "latent", src(a + "latent"), 1, 1, d);
            if (cfg.layout() == CheckpointLayout.HF_SIGLIP) {
                // nn.MultiheadAttention's packed in_proj [3D, D]: rows q; k; v, so q is rows [0, D) and kv rows [D, 3D)
                String in = HF_VISION_PREFIX + "head.attention.in_proj_";
                Read q = new Read.Rows(0, d), kv = new Read.Rows(d, 2 * d);
                add(a + "q.weight", List.of(in + "weight"), q, 3L * d, d);
                add(a + "q.bias", List.of(in + "bias"), q, 3L * d);
                add(a + "kv.weight", List.of(in + "weight"), kv, 3L * d, d);
                add(a + "kv.bias", List.of(in + "bias"), kv, 3L * d);
            } else {
                add(a + "q.weight", src(a + "q.weight"), d, d);
                add(a + "q.bias", src(a + "q.bias"), d);
                add(a + "kv.weight", src(a + "kv.weight"), 2L * d, d);
                add(a + "kv.bias", src(a + "kv.bias"), 2L * d);
            }
            add(a + "proj.weight", src(a + "proj.weight"), d, d);
            add(a + "proj.bias", src(a + "proj.bias"), d);
            add(a + "norm.weight", src(a + "norm.weight"), d);
            add(a + "norm.bias", src(a + "norm.bias"), d);
            add(a + "mlp.fc1.weight", src(a + "mlp.fc1.weight"), h, d);
            add(a + "mlp.fc1.bias", src(a + "mlp.fc1.bias"), h);
            add(a + "mlp.fc2.weight", src(a + "mlp.fc2.weight"), d, h);
            add(a + "mlp.fc2.bias", src(a + "mlp.fc2.bias"), d);
        }
        if (cfg.numClasses() > 0 && clip) {   // a bias-free image projection
            if (cfg.layout() == CheckpointLayout.OPEN_CLIP) {
                add("head.weight", src("head.weight"), new Read.Transposed(), d, cfg.numClasses());   // visual.proj [D, E]
            } else {
                add("head.weight", src("head.weight"), cfg.numClasses(), d);   // visual_projection.weight [E, D]
            }
            add("head.bias", List.of(), new Read.Zeros(), cfg.numClasses());
        } else if (cfg.numClasses() > 0) {
            add("head.weight", src("head.weight"), cfg.numClasses(), d);
            add("head.bias", src("head.bias"), cfg.numClasses());
            if (cfg.headDist()) {
                add("head_dist.weight", src("head_dist.weight"), cfg.numClasses(), d);
                add("head_dist.bias", src("head_dist.bias"), cfg.numClasses());
            }
        }
        switch (cfg.layout()) {
            case HF -> {
                ignorable.add(prefix + "pooler.dense.weight");   // ViTModel pooler: not on the classification path
                ignorable.add(prefix + "pooler.dense.bias");
                ignorable.add(prefix + "embeddings.mask_token");
            }
            case OPEN_CLIP -> {
                for (String n : file.names()) if (!n.startsWith(OPEN_CLIP_PREFIX)) ignorable.add(n);   // the text tower
            }
            case HF_CLIP, HF_SIGLIP -> {
                for (String n : file.names())   // the text tower, logit_scale / logit_bias, and the position_ids buffer
                    if (!n.startsWith(HF_VISION_PREFIX) && !n.startsWith("visual_projection.")) ignorable.add(n);
                ignorable.add(HF_VISION_PREFIX + "embeddings.position_ids");
            }
            case TORCHVISION, TIMM -> { }
        }
    }

    private void add(String canonical, List<String> sources, long... partShape) {
        add(canonical, sources, new Read.AsStored(), partShape);
    }

    private void add(String canonical, List<String> sources, Read read, long... partShape) {
        entries.put(canonical, new Entry(canonical, sources, partShape, read));
    }

    private List<String> qkvSources(int i, String kind) {
        return switch (cfg.layout()) {
            case TIMM -> List.of("blocks." + i + ".attn.qkv." + kind);
            case TORCHVISION -> List.of("encoder.layers.encoder_layer_" + i + ".self_attention.in_proj_" + kind);
            case OPEN_CLIP -> List.of(OPEN_CLIP_PREFIX + "transformer.resblocks." + i + ".attn.in_proj_" + kind);
            case HF_CLIP, HF_SIGLIP -> {
                String b = HF_VISION_PREFIX + "encoder.layers." + i + ".self_attn.";
                yield List.of(b + "q_proj." + kind, b + "k_proj." + kind, b + "v_proj." + kind);
            }
            case HF -> {
                String b = prefix + "encoder.layer." + i + ".attention.attention.";
                yield List.of(b + "query." + kind, b + "key." + kind, b + "value." + kind);
            }
        };
    }

    /** Source name of a canonical (non-qkv) tensor. */
    private List<String> src(String canonical) {
        return List.of(switch (cfg.layout()) {
            case TIMM -> canonical;
            case HF -> hfName(canonical);
            case TORCHVISION -> torchvisionName(canonical);
            case OPEN_CLIP -> openClipName(canonical);
            case HF_CLIP, HF_SIGLIP -> hfVisionName(canonical);
        });
    }

    /** The image tower's prefix in HF CLIP and SigLIP checkpoints. */
    static final String HF_VISION_PREFIX = "vision_model.";

    /**
     * transformers' CLIPVisionTransformer / SiglipVisionTransformer names (CLIP's pre-norm really is spelled
     * pre_layrnorm; SigLIP's attention-pooling head is {@code head.*}).
     */
    private String hfVisionName(String n) {
        String r = HF_VISION_PREFIX;
        if (n.equals("attn_pool.latent")) return r + "head.probe";
        if (n.startsWith("attn_pool.proj.")) return r + "head.attention.out_proj." + last(n);
        if (n.startsWith("attn_pool.norm.")) return r + "head.layernorm." + last(n);
        if (n.startsWith("attn_pool.mlp.")) return r + "head." + n.substring("attn_pool.".length());
        if (n.equals("cls_token")) return r + "embeddings.class_embedding";
        if (n.equals("pos_embed")) return r + "embeddings.position_embedding.weight";
        if (n.equals("head.weight")) return "visual_projection.weight";
        if (n.startsWith("patch_embed.proj.")) return r + "embeddings.patch_embedding." + last(n);
        if (n.startsWith("norm_pre.")) return r + "pre_layrnorm." + last(n);
        if (n.startsWith("norm.")) return r + "post_layernorm." + last(n);
        if (n.startsWith("blocks.")) return blockTensor(n, i -> r + "encoder.layers." + i + ".", HF_VISION_BLOCK, HF_VISION_DIALECT);
        throw unknown(HF_VISION_DIALECT, n);
    }

    /** The image tower's prefix in OpenAI CLIP / open_clip checkpoints. */
    static final String OPEN_CLIP_PREFIX = "visual.";

    /** timm's {@code _convert_openai_clip} renames, in reverse. */
    private String openClipName(String n) {
        String r = OPEN_CLIP_PREFIX;
        if (n.equals("cls_token")) return r + "class_embedding";
        if (n.equals("pos_embed")) return r + "positional_embedding";
        if (n.equals("head.weight")) return r + "proj";
        if (n.startsWith("patch_embed.proj.")) return r + "conv1." + last(n);
        if (n.startsWith("norm_pre.")) return r + "ln_pre." + last(n);
        if (n.startsWith("norm.")) return r + "ln_post." + last(n);
        if (n.startsWith("blocks.")) return blockTensor(n, i -> r + "transformer.resblocks." + i + ".", OPEN_CLIP_BLOCK, OPEN_CLIP_DIALECT);
        throw unknown(OPEN_CLIP_DIALECT, n);
    }

    private String hfName(String n) {
        String r = prefix;
        if (n.equals("cls_token")) return r + "embeddings.cls_token";
        if (n.equals("dist_token")) return r + "embeddings.distillation_token";
        if (n.equals("pos_embed")) return r + "embeddings.position_embeddings";
        if (n.startsWith("patch_embed.proj.")) return r + "embeddings.patch_embeddings.projection." + last(n);
        if (n.startsWith("norm.")) return r + "layernorm." + last(n);
        if (n.startsWith("head.")) return (cfg.headDist() ? "cls_classifier." : "classifier.") + last(n);
        if (n.startsWith("head_dist.")) return "distillation_classifier." + last(n);
        if (n.startsWith("blocks.")) return blockTensor(n, i -> r + "encoder.layer." + i + ".", HF_BLOCK, HF_DIALECT);
        throw unknown(HF_DIALECT, n);
    }

    private String torchvisionName(String n) {
        if (n.equals("cls_token")) return "class_token";
        if (n.equals("pos_embed")) return "encoder.pos_embedding";
        if (n.startsWith("patch_embed.proj.")) return "conv_proj." + last(n);
        if (n.startsWith("norm.")) return "encoder.ln." + last(n);
        if (n.startsWith("head.")) return "heads.head." + last(n);
        if (n.startsWith("blocks.")) {
            String name = blockTensor(n, i -> "encoder.layers.encoder_layer_" + i + ".", TORCHVISION_BLOCK, TORCHVISION_DIALECT);
            // torchvision >= 0.12 names the MLP linears mlp.0 / mlp.3; older files mlp.linear_1 / mlp.linear_2
            String old = name.replace(".mlp.0.", ".mlp.linear_1.").replace(".mlp.3.", ".mlp.linear_2.");
            return !file.has(name) && file.has(old) ? old : name;
        }
        throw unknown(TORCHVISION_DIALECT, n);
    }

    private static final String HF_DIALECT = "HF ViT/DeiT", TORCHVISION_DIALECT = "torchvision ViT",
            OPEN_CLIP_DIALECT = "OpenAI CLIP / open_clip", HF_VISION_DIALECT = "HF CLIP / SigLIP";
    /** Each dialect's names for a block's modules (the qkv projection is mapped by {@link #qkvSources}). */
    private static final Map<String, String> HF_BLOCK = Map.of("norm1", "layernorm_before", "norm2", "layernorm_after",
            "attn.proj", "attention.output.dense", "mlp.fc1", "intermediate.dense", "mlp.fc2", "output.dense");
    private static final Map<String, String> TORCHVISION_BLOCK = Map.of("norm1", "ln_1", "norm2", "ln_2",
            "attn.proj", "self_attention.out_proj", "mlp.fc1", "mlp.0", "mlp.fc2", "mlp.3");
    private static final Map<String, String> HF_VISION_BLOCK = Map.of("norm1", "layer_norm1", "norm2", "layer_norm2",
            "attn.proj", "self_attn.out_proj", "mlp.fc1", "mlp.fc1", "mlp.fc2", "mlp.fc2");
    private static final Map<String, String> OPEN_CLIP_BLOCK = Map.of("norm1", "ln_1", "norm2", "ln_2",
            "attn.proj", "attn.out_proj", "mlp.fc1", "mlp.c_fc", "mlp.fc2", "mlp.c_proj");

    /** {@code blocks.<i>.<module>.<param>} in a dialect: its prefix for block i, its module name, the same param. */
    private static String blockTensor(String n, java.util.function.Function<String, String> blockPrefix,
                                      Map<String, String> modules, String dialect) {
        String[] parts = n.split("\\.", 3);
        int dot = parts[2].lastIndexOf('.');
        String module = modules.get(parts[2].substring(0, dot));
        if (module == null) throw unknown(dialect, n);
        return blockPrefix.apply(parts[1]) + module + parts[2].substring(dot);
    }

    private static IllegalArgumentException unknown(String dialect, String n) {
        return new IllegalArgumentException(dialect + " checkpoints have no tensor like '" + n + "'");
    }

    private static String last(String n) {
        return n.substring(n.lastIndexOf('.') + 1);
    }

    private void validate() {
        Set<String> expected = new LinkedHashSet<>();
        for (Entry e : entries.values()) expected.addAll(e.sources);
        List<String> missing = new ArrayList<>();
        for (String s : expected) if (!file.has(s)) missing.add(s);
        Set<String> leftover = new TreeSet<>(file.names());
        leftover.removeAll(expected);
        leftover.removeAll(ignorable);
        if (!missing.isEmpty() || !leftover.isEmpty()) {
            throw new ModelFormatException(file.path() + ": tensors do not match " + cfg.architecture() + " ("
                    + cfg.layout().name().toLowerCase(java.util.Locale.ROOT) + " layout, depth " + cfg.depth() + ", "
                    + (cfg.numClasses() > 0 ? cfg.numClasses() + " classes" : "no head") + "): "
                    + missing.size() + " missing " + missing + "; " + leftover.size() + " unexpected " + leftover);
        }
        for (Entry e : entries.values()) {
            for (String s : e.sources) {
                SafeTensors.TensorInfo t = file.info(s);
                if (!t.dtype().isFloatReadable()) {
                    throw new ModelFormatException(file.path() + ": tensor '" + s + "' has dtype " + t.dtype()
                            + ", expected F32, F16 or BF16");
                }
                long[] shape = t.shape();
                boolean ok = shape.length == e.partShape.length;
                for (int i = 0; ok && i < shape.length; i++) ok = e.partShape[i] < 0 || e.partShape[i] == shape[i];
                if (!ok) {
                    throw new ModelFormatException(file.path() + ": tensor '" + s + "' has shape " + Arrays.toString(shape)
                            + ", expected " + Arrays.toString(e.partShape).replace("-1", "*") + " for " + cfg.architecture());
                }
            }
        }
    }

    /** A canonical tensor as float32, made from its sources as its entry says. */
    float[] get(String canonical) {
        Entry e = entries.get(canonical);
        if (e == null) throw new IllegalStateException("no canonical tensor " + canonical);
        long[] shape = e.partShape;   // validated against the stored shapes
        return switch (e.read) {
            case Read.AsStored a -> concatenated(e.sources);
            case Read.Transposed t -> transpose(file.floats(e.sources.get(0)), (int) shape[0], (int) shape[1]);
            case Read.Rows r -> {
                int cols = shape.length == 2 ? (int) shape[1] : 1;
                yield Arrays.copyOfRange(file.floats(e.sources.get(0)), r.first() * cols, (r.first() + r.count()) * cols);
            }
            case Read.Zeros z -> new float[(int) shape[0]];
        };
    }

    /** The sources' floats, concatenated along dim 0. */
    private float[] concatenated(List<String> sources) {
        if (sources.size() == 1) return file.floats(sources.get(0));
        List<float[]> parts = new ArrayList<>();
        int n = 0;
        for (String s : sources) {
            float[] f = file.floats(s);
            parts.add(f);
            n += f.length;
        }
        float[] out = new float[n];
        int o = 0;
        for (float[] f : parts) {
            System.arraycopy(f, 0, out, o, f.length);
            o += f.length;
        }
        return out;
    }

    /**
     * A canonical [n][k] weight packed for the GEMM in {@code format}. Single F32 tensors (and single BF16 ones when
     * the format is bf16) are packed straight from the memory-mapped file (no intermediate heap copy); others
     * (F16, BF16 to fp32, concatenated HF qkv) via a temporary float[].
     */
    PackedMatrix packed(String canonical, int n, int k, WeightFormat format) {
        Entry e = entries.get(canonical);
        if (e == null) throw new IllegalStateException("no canonical tensor " + canonical);
        DType dtype = e.sources.size() == 1 && e.read instanceof Read.AsStored ? file.info(e.sources.get(0)).dtype() : null;
        if (dtype == DType.F32 || (dtype == DType.BF16 && format == WeightFormat.BF16)) {
            java.lang.foreign.MemorySegment seg = file.segment(e.sources.get(0));
            // a BF16 tensor stored as bf16 keeps its bits (no rounding, no f32 detour)
            PackedMatrix p = dtype == DType.F32 ? PackedMatrix.packWeight(seg, 0, n, k, format)
                    : PackedMatrix.packWeightFromBf16(seg, 0, n, k);
            // drop the read pages from the process's RSS (they stay in the page cache): otherwise the whole
            // mapped file stays resident next to the packed copy until the file is closed
            if (seg.isMapped()) seg.unload();
            return p;
        }
        return Linear.pack(get(canonical), n, k, format);
    }

    /** Stored shape of a canonical single-source tensor. */
    long[] shape(String canonical) {
        return file.info(entries.get(canonical).sources.get(0)).shape();
    }

    /** Rows of the stored position embedding ([1, N, D], or open_clip's [N, D]). */
    int posEmbedRows() {
        long[] s = shape("pos_embed");
        return (int) s[s.length - 2];
    }

    /** [rows][cols] -> [cols][rows]. */
    private static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
        return t;
    }

    /** Source name of a canonical tensor (for messages). */
    String sourceName(String canonical) {
        return entries.get(canonical).sources.get(0);
    }

    /** The file (for messages). */
    SafeTensors file() {
        return file;
    }
}
