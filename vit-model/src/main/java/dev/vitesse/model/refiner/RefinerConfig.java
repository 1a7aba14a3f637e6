package dev.vitesse.model.refiner;

import dev.vitesse.model.family2.ModelConfig;

import java.util.Set;

/**
 * Hyper-parameters of Refiner-ViT (zhoudaquan/Refiner_ViT, {@code models/refined_transformer.py}) as registered
 * there: {@code Refiner_ViT_S} (D=384, 16 blocks, 12 heads), {@code Refiner_ViT_M} (D=420, 32 blocks, 12 heads),
 * {@code Refiner_ViT_L} (D=512, 32 blocks, 16 heads); all patch 16 at 224x224, MLP ratio 3, qkv bias, conv stem
 * with 32/64/128 channels, blocks alternating normal / shared-attention ({@code [False, True] * depth/2}),
 * {@code apply_transform} off, DLA expansion 3 with a 3x3 depthwise kernel.
 */
public record RefinerConfig(String variant, int numClasses, int embedDim, int depth, int numHeads, int mlpRatio,
                            int imgSize, int[] stemWidths, double cropPct) {
    public static final Set<String> VARIANTS = Set.of("Refiner_ViT_S", "Refiner_ViT_M", "Refiner_ViT_L");
    static final Set<String> KEYS = Set.of("embed_dim", "depth", "num_heads", "mlp_ratio", "img_size", "stem_widths");
    /** Patch size of the stem (7x7/2 conv, then an 8x8/8 projection). */
    public static final int PATCH = 16;
    /** DLA channel expansion (refiner_utils.DLA default, used by the shared blocks). */
    public static final int DLA_EXPAND = 3;

    public RefinerConfig {
        if (embedDim % numHeads != 0) {
            throw new IllegalArgumentException("Refiner embed_dim " + embedDim + " not divisible by num_heads " + numHeads);
        }
        if (imgSize % PATCH != 0) throw new IllegalArgumentException("Refiner img_size " + imgSize + " not a multiple of 16");
        // the MLP's hidden width in long: an overflowed int would reach the shape checks as a negative number
        if ((long) embedDim * mlpRatio >= 1 << 24) {
            throw new IllegalArgumentException("Refiner embed_dim " + embedDim + " x mlp_ratio " + mlpRatio + " = "
                    + (long) embedDim * mlpRatio + " hidden units; too large");
        }
    }

    public int grid() {
        return imgSize / PATCH;
    }

    public int tokens() {
        return 1 + grid() * grid();
    }

    /** Block i reuses the previous attention map (the repo's {@code [False, True] * n} pattern). */
    public boolean shared(int i) {
        return (i & 1) == 1;
    }

    public static RefinerConfig named(String variant, ModelConfig c) {
        int d, depth, heads;
        double crop;
        switch (variant) {
            case "Refiner_ViT_S" -> { d = 384; depth = 16; heads = 12; crop = 0.9; }
            case "Refiner_ViT_M" -> { d = 420; depth = 32; heads = 12; crop = 1.0; }
            case "Refiner_ViT_L" -> { d = 512; depth = 32; heads = 16; crop = 1.13; }
            default -> throw new IllegalArgumentException("unknown Refiner-ViT variant '" + variant + "' (known: "
                    + new java.util.TreeSet<>(VARIANTS) + ")");
        }
        int[] stem = {32, 64, 128};
        if (c == null) return new RefinerConfig(variant, 1000, d, depth, heads, 3, 224, stem, crop);
        c.requireOnlyKeys(KEYS);
        return new RefinerConfig(variant, c.intValue("num_classes", 1000), c.intValue("embed_dim", d),
                c.intValue("depth", depth), c.intValue("num_heads", heads), c.intValue("mlp_ratio", 3),
                c.intValue("img_size", 224), c.intArray("stem_widths", stem), crop);
    }
}
