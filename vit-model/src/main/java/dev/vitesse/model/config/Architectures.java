package dev.vitesse.model.config;

import dev.vitesse.kernels.Activation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Registry of known architecture names, with timm's / torchvision's defaults for shape and preprocessing.
 *
 * <p>Names: timm ViT ({@code vit_{tiny,small,base,large,huge}_patch{8,14,16,32}_{224,384}} as registered in
 * timm), DeiT ({@code deit_{tiny,small,base}[_distilled]_patch16_224}, {@code deit_base[_distilled]_patch16_384}),
 * DeiT-3 ({@code deit3_*}: LayerScale + no_embed_class), DINOv2 ({@code vit_{small,base,large}_patch14[_reg4]_dinov2}:
 * LayerScale, 518 px, optionally 4 register tokens), SigLIP ({@code vit_{base,large,so400m}_patch{14,16}_siglip_<res>}:
 * attention pooling), CLIP image towers ({@code vit_{base,large,huge,giant,gigantic}_patch{14,16,32}_clip[_quickgelu]_<res>}:
 * pre_norm, LayerNorm eps 1e-5, QuickGELU in the {@code _quickgelu} variants), optionally prefixed {@code timm:} and suffixed with a
 * pretrained tag ({@code .augreg2_in21k_ft_in1k}, ignored); torchvision {@code torchvision:vit_b_16},
 * {@code vit_b_32}, {@code vit_l_16}, {@code vit_l_32}, {@code vit_h_14}.
 */
public final class Architectures {
    private Architectures() {}

    /** Defaults for one name; numClasses is the family default (1000) until the checkpoint says otherwise. */
    public record ArchSpec(VitConfig config, PreprocessConfig preprocess) {}

    private static final Map<String, ArchSpec> REGISTRY = new LinkedHashMap<>();

    private record Size(String name, int dim, int depth, int heads) {}

    private static final Size TINY = new Size("tiny", 192, 12, 3);
    private static final Size SMALL = new Size("small", 384, 12, 6);
    private static final Size MEDIUM = new Size("medium", 512, 12, 8);
    private static final Size BASE = new Size("base", 768, 12, 12);
    private static final Size LARGE = new Size("large", 1024, 24, 16);
    private static final Size HUGE = new Size("huge", 1280, 32, 16);
    private static final Size SO400M = new Size("so400m", 1152, 27, 16);
    private static final Size GIANTOPT = new Size("giantopt", 1536, 40, 16);
    private static final Size GIANT = new Size("giant", 1408, 40, 16);          // CLIP: mlp_ratio 48/11
    private static final Size GIGANTIC = new Size("gigantic", 1664, 48, 16);    // CLIP: mlp_ratio 64/13

    static {
        // timm vision_transformer.py registrations (augreg defaults: mean=std=0.5, crop 0.9 at 224, 1.0 at 384)
        vit(TINY, 16, 224); vit(TINY, 16, 384);
        vit(SMALL, 32, 224); vit(SMALL, 32, 384); vit(SMALL, 16, 224); vit(SMALL, 16, 384); vit(SMALL, 8, 224);
        vit(BASE, 32, 224); vit(BASE, 32, 384); vit(BASE, 16, 224); vit(BASE, 16, 384); vit(BASE, 8, 224);
        vit(LARGE, 32, 224); vit(LARGE, 32, 384); vit(LARGE, 16, 224); vit(LARGE, 16, 384); vit(LARGE, 14, 224);
        vit(HUGE, 14, 224);
        // DINOv2 (no classifier head: features only), with and without 4 register tokens, at 518 px (37 x 37 patches)
        for (Size sz : List.of(SMALL, BASE, LARGE)) {
            dinov2(sz, 0);
            dinov2(sz, 4);
        }
        // SigLIP image towers ('map' attention pooling, no class token, no head), as registered in timm
        for (int res : new int[] {224, 256, 384, 512}) siglip(BASE, 16, res, 4 * BASE.dim, false);
        siglip(BASE, 32, 256, 4 * BASE.dim, true);
        for (int res : new int[] {256, 384}) siglip(LARGE, 16, res, 4 * LARGE.dim, false);
        siglip(LARGE, 16, 512, 4 * LARGE.dim, true);
        for (int res : new int[] {224, 378}) siglip(SO400M, 14, res, 4304, false);   // timm: int(1152 * 3.7362)
        for (int res : new int[] {256, 384, 512}) siglip(SO400M, 16, res, 4304, true);
        for (int res : new int[] {256, 384}) siglip(GIANTOPT, 16, res, 4 * GIANTOPT.dim, true);
        // CLIP image towers (OpenAI, LAION, DFN, MetaCLIP weights), as registered in timm
        for (int res : new int[] {224, 384, 448}) clip(BASE, 32, res, 4 * BASE.dim, false);
        for (int res : new int[] {224, 384}) clip(BASE, 16, res, 4 * BASE.dim, false);
        for (int res : new int[] {224, 336}) clip(LARGE, 14, res, 4 * LARGE.dim, false);
        for (int res : new int[] {224, 336, 378}) clip(HUGE, 14, res, 4 * HUGE.dim, false);
        clip(GIANT, 14, 224, 6144, false);
        clip(GIGANTIC, 14, 224, 8192, false);
        clip(BASE, 32, 224, 4 * BASE.dim, true);
        clip(BASE, 16, 224, 4 * BASE.dim, true);
        for (int res : new int[] {224, 336}) clip(LARGE, 14, res, 4 * LARGE.dim, true);
        for (int res : new int[] {224, 378}) clip(HUGE, 14, res, 4 * HUGE.dim, true);
        // timm deit.py (ImageNet mean/std, crop 0.9 at 224, 1.0 at 384)
        for (Size s : List.of(TINY, SMALL, BASE)) {
            deit("deit_" + s.name + "_patch16_224", s, 16, 224, false, false);
            deit("deit_" + s.name + "_distilled_patch16_224", s, 16, 224, true, false);
        }
        deit("deit_base_patch16_384", BASE, 16, 384, false, false);
        deit("deit_base_distilled_patch16_384", BASE, 16, 384, true, false);
        deit("deit3_small_patch16_224", SMALL, 16, 224, false, true);
        deit("deit3_small_patch16_384", SMALL, 16, 384, false, true);
        deit("deit3_medium_patch16_224", MEDIUM, 16, 224, false, true);
        deit("deit3_base_patch16_224", BASE, 16, 224, false, true);
        deit("deit3_base_patch16_384", BASE, 16, 384, false, true);
        deit("deit3_large_patch16_224", LARGE, 16, 224, false, true);
        deit("deit3_large_patch16_384", LARGE, 16, 384, false, true);
        deit("deit3_huge_patch14_224", HUGE, 14, 224, false, true);
        // torchvision (IMAGENET1K_V1 weights: resize 256 bilinear, crop 224, ImageNet mean/std)
        torchvision("vit_b_16", BASE, 16, 3072);
        torchvision("vit_b_32", BASE, 32, 3072);
        torchvision("vit_l_16", LARGE, 16, 4096);
        torchvision("vit_l_32", LARGE, 32, 4096);
        torchvision("vit_h_14", HUGE, 14, 5120);
    }

    private static void vit(Size s, int patch, int res) {
        String name = "vit_" + s.name + "_patch" + patch + "_" + res;
        VitConfig c = new VitConfig(name, CheckpointLayout.TIMM, res, patch, 3, s.dim, s.depth, s.heads, 4 * s.dim,
                true, false, true, false, 0, false, false, Pooling.TOKEN, false, 1e-6f, Activation.GELU, false, 1000);
        REGISTRY.put(name, new ArchSpec(c, new PreprocessConfig(res, res == 224 ? 0.9 : 1.0, "bicubic",
                PreprocessConfig.HALF, PreprocessConfig.HALF, false)));
    }

    /**
     * timm's {@code vit_*_patch14_dinov2} / {@code vit_*_patch14_reg4_dinov2}: LayerScale ({@code init_values=1e-5}),
     * 518 px; the register variants add {@code reg_tokens=4} and {@code no_embed_class=True}. Checkpoints have no head
     * (the pretrained config's {@code num_classes=0}), which the loader reads from the tensors. Preprocessing: ImageNet
     * mean/std, bicubic, crop_pct 1.0 (timm's pretrained config for these weights).
     */
    private static void dinov2(Size s, int regTokens) {
        String name = "vit_" + s.name + "_patch14_" + (regTokens > 0 ? "reg" + regTokens + "_" : "") + "dinov2";
        VitConfig c = new VitConfig(name, CheckpointLayout.TIMM, 518, 14, 3, s.dim, s.depth, s.heads, 4 * s.dim,
                true, true, true, false, regTokens, false, regTokens > 0, Pooling.TOKEN, false, 1e-6f, Activation.GELU, false, 0);
        REGISTRY.put(name, new ArchSpec(c, new PreprocessConfig(518, 1.0, "bicubic",
                PreprocessConfig.IMAGENET_MEAN, PreprocessConfig.IMAGENET_STD, false)));
    }

    /**
     * timm's {@code vit_*_siglip_<res>}: no class token, {@code global_pool='map'}, exact GELU or (the
     * {@code act_layer='gelu_tanh'} registrations) its tanh approximation. Preprocessing: timm's
     * default ViT config (mean = std = 0.5, bicubic, crop_pct 0.9); a hub folder's pretrained_cfg replaces it.
     */
    private static void siglip(Size s, int patch, int res, int mlpHidden, boolean geluTanh) {
        String name = "vit_" + s.name + "_patch" + patch + "_siglip_" + res;
        VitConfig c = new VitConfig(name, CheckpointLayout.TIMM, res, patch, 3, s.dim, s.depth, s.heads, mlpHidden,
                true, false, false, false, 0, false, false, Pooling.MAP, false, 1e-6f,
                geluTanh ? Activation.GELU_TANH : Activation.GELU, false, 0);
        REGISTRY.put(name, new ArchSpec(c, new PreprocessConfig(res, 0.9, "bicubic",
                PreprocessConfig.HALF, PreprocessConfig.HALF, false)));
    }

    /**
     * timm's {@code vit_*_clip[_quickgelu]_<res>}: {@code pre_norm=True} (a LayerNorm before the blocks, no patch
     * embedding bias), {@code norm_layer=nn.LayerNorm} (eps 1e-5), class token; the {@code _quickgelu} registrations
     * use {@code act_layer='quick_gelu'} (OpenAI's and MetaCLIP's weights were trained with it). Checkpoints carry
     * the image embedding projection as {@code head} (e.g. 512 outputs for ViT-B), read from the tensors.
     * Preprocessing: OpenAI CLIP mean/std, bicubic, crop_pct 0.9 at 224 and 1.0 above (a hub folder's
     * pretrained_cfg replaces it).
     */
    private static void clip(Size s, int patch, int res, int mlpHidden, boolean quickGelu) {
        String name = "vit_" + s.name + "_patch" + patch + "_clip_" + (quickGelu ? "quickgelu_" : "") + res;
        VitConfig c = new VitConfig(name, CheckpointLayout.TIMM, res, patch, 3, s.dim, s.depth, s.heads, mlpHidden,
                true, false, true, false, 0, false, false, Pooling.TOKEN, false, 1e-5f,
                quickGelu ? Activation.QUICK_GELU : Activation.GELU, true, 0);
        REGISTRY.put(name, new ArchSpec(c, new PreprocessConfig(res, res == 224 ? 0.9 : 1.0, "bicubic",
                PreprocessConfig.OPENAI_CLIP_MEAN, PreprocessConfig.OPENAI_CLIP_STD, false)));
    }

    private static void deit(String name, Size s, int patch, int res, boolean distilled, boolean deit3) {
        VitConfig c = new VitConfig(name, CheckpointLayout.TIMM, res, patch, 3, s.dim, s.depth, s.heads, 4 * s.dim,
                true, deit3, true, distilled, 0, distilled, deit3, Pooling.TOKEN, false, 1e-6f, Activation.GELU, false, 1000);
        REGISTRY.put(name, new ArchSpec(c, new PreprocessConfig(res, res == 224 ? 0.9 : 1.0, "bicubic",
                PreprocessConfig.IMAGENET_MEAN, PreprocessConfig.IMAGENET_STD, false)));
    }

    private static void torchvision(String name, Size s, int patch, int mlp) {
        String full = "torchvision:" + name;
        VitConfig c = new VitConfig(full, CheckpointLayout.TORCHVISION, 224, patch, 3, s.dim, s.depth, s.heads, mlp,
                true, false, true, false, 0, false, false, Pooling.TOKEN, false, 1e-6f, Activation.GELU, false, 1000);
        REGISTRY.put(full, new ArchSpec(c, torchvisionPreprocess(224)));
    }

    /**
     * torchvision's preprocessing for a ViT at the given input size: 224 -> resize 256 bilinear + crop 224
     * (IMAGENET1K_V1); other sizes are the SWAG end-to-end weights -> resize to the size bicubic, no crop margin.
     */
    public static PreprocessConfig torchvisionPreprocess(int size) {
        return size == 224
                ? new PreprocessConfig(224, 224.0 / 256.0, "bilinear", PreprocessConfig.IMAGENET_MEAN, PreprocessConfig.IMAGENET_STD, false)
                : new PreprocessConfig(size, 1.0, "bicubic", PreprocessConfig.IMAGENET_MEAN, PreprocessConfig.IMAGENET_STD, false);
    }

    /** All known names, as accepted by {@link #resolve}. */
    public static List<String> knownNames() {
        return Collections.unmodifiableList(new ArrayList<>(REGISTRY.keySet()));
    }

    /** Names served by the other families (Swin / PVT / MLP-Mixer, ffvit / Refiner-ViT / AlterNet). */
    public static List<String> otherFamilyNames() {
        List<String> all = new ArrayList<>(dev.vitesse.model.fam1.Fam1Models.names());
        all.addAll(dev.vitesse.model.family2.Family2Models.NAMES);
        return Collections.unmodifiableList(all);
    }

    /** Canonical registry key for a user-supplied name ({@code timm:} prefix and {@code .tag} suffix removed). */
    public static String canonicalName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.startsWith("timm:")) n = n.substring(5);
        if (n.startsWith("torchvision:")) return n;
        if (n.startsWith("hf-hub:") || n.startsWith("hf_hub:")) {
            throw new IllegalArgumentException("'" + name + "': hub names are not supported (no downloads); "
                    + "pass the downloaded folder instead");
        }
        int dot = n.indexOf('.');
        return dot >= 0 ? n.substring(0, dot) : n;
    }

    /**
     * Looks a name up.
     *
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static ArchSpec resolve(String name) {
        ArchSpec s = REGISTRY.get(canonicalName(name));
        if (s == null) {
            String n = canonicalName(name);
            if (REGISTRY.containsKey("torchvision:" + n)) {
                throw new IllegalArgumentException("unknown architecture '" + name + "'; did you mean 'torchvision:" + n
                        + "'? Known architectures: " + String.join(", ", knownNames()));
            }
            throw new IllegalArgumentException("unknown architecture '" + name + "'. Known architectures: "
                    + String.join(", ", knownNames()) + "; other families: " + String.join(", ", otherFamilyNames()));
        }
        return s;
    }
}
