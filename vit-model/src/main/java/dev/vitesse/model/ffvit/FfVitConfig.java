package dev.vitesse.model.ffvit;

import dev.vitesse.model.config.ActivationLimit;
import dev.vitesse.model.family2.ModelConfig;

import java.util.Set;

/**
 * Hyper-parameters of the feed-forward-only ViT (lukemelas/do-you-even-need-attention,
 * {@code vision_transformer_linear.py}). Named variants: {@code linear_tiny} (D=192, p=16, 12 blocks),
 * {@code linear_base} (D=768, p=16, 12 blocks), {@code linear_large} (D=1024, p=32, 24 blocks); all with MLP
 * ratio 4, a learned 14x14 position table and LayerNorm eps 1e-6. The token-mixing MLP is sized for
 * {@code 1 + (imgSize/patch)^2} tokens, which fixes the input resolution.
 *
 * @param posSize side of the stored position table ({@code pos_encoding.pos_embed} [1,D,posSize,posSize]);
 *                resized bilinearly (align_corners=False) to the patch grid when it differs (linear_large)
 */
public record FfVitConfig(String variant, int numClasses, int embedDim, int depth, int patchSize, int imgSize,
                          int posSize, int mlpRatio) {
    public static final Set<String> VARIANTS = Set.of("linear_tiny", "linear_base", "linear_large");
    static final Set<String> KEYS = Set.of("embed_dim", "depth", "patch_size", "img_size", "pos_size", "mlp_ratio");

    public FfVitConfig {
        if (imgSize % patchSize != 0) {
            throw new IllegalArgumentException("ffvit img_size " + imgSize + " is not a multiple of patch_size " + patchSize);
        }
        // the token-mixing MLP is [mlpRatio*T, T] for T tokens: bound it (and the widths) before anything is
        // allocated, in double (the products overflow int, and long for an img_size near Integer.MAX_VALUE)
        double grid = imgSize / patchSize, tokens = 1 + grid * grid;
        double tokenMlp = tokens * tokens * mlpRatio, hidden = (double) embedDim * mlpRatio;
        if (tokens * Math.max(hidden, 3.0 * patchSize * patchSize) >= ActivationLimit.MAX_FLOATS
                || tokenMlp >= ActivationLimit.MAX_FLOATS) {
            throw new IllegalArgumentException("ffvit img_size " + imgSize + " / patch_size " + patchSize + " gives " + (long) tokens
                    + " tokens: the token-mixing MLP (" + String.format(java.util.Locale.ROOT, "%.3g", tokenMlp)
                    + " weights per block) or the activations (embed_dim " + embedDim + ", mlp_ratio " + mlpRatio + ") are too large");
        }
    }

    public int grid() {
        return imgSize / patchSize;
    }

    /** Tokens including the class token. */
    public int tokens() {
        return 1 + grid() * grid();
    }

    public static FfVitConfig named(String variant, ModelConfig c) {
        int d, depth, p;
        switch (variant) {
            case "linear_tiny" -> { d = 192; depth = 12; p = 16; }
            case "linear_base" -> { d = 768; depth = 12; p = 16; }
            case "linear_large" -> { d = 1024; depth = 24; p = 32; }
            default -> throw new IllegalArgumentException("unknown feed-forward ViT variant '" + variant + "' (known: "
                    + new java.util.TreeSet<>(VARIANTS) + ")");
        }
        if (c == null) return new FfVitConfig(variant, 1000, d, depth, p, 224, 14, 4);
        c.requireOnlyKeys(KEYS);
        return new FfVitConfig(variant, c.intValue("num_classes", 1000), c.intValue("embed_dim", d),
                c.intValue("depth", depth), c.intValue("patch_size", p), c.intValue("img_size", 224),
                c.intValue("pos_size", 14), c.intValue("mlp_ratio", 4));
    }
}
