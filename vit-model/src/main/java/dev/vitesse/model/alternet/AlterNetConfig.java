package dev.vitesse.model.alternet;

import dev.vitesse.model.family2.ModelConfig;

import java.util.Set;

/**
 * Hyper-parameters of AlterNet (xxxnell/how-do-vits-work, branch {@code transformer}, {@code models/alternet.py}).
 * {@code dnn_18/34} use pre-activation basic blocks, {@code dnn_50/101/152} bottlenecks (expansion 4); blocks per
 * stage (2,2,2,2) / (3,4,6,4) / (3,4,6,4) / (3,4,23,4) / (3,8,36,4); the last {@code 2*num_blocks2} blocks of a
 * stage alternate conv, MSA with num_blocks2 = (0,1,1,1) for dnn_18 and (0,1,3,2) otherwise; heads (3,6,12,24)
 * of dimension 64; 7x7 windows; stem 64 channels; stage widths 64,128,256,512.
 */
public record AlterNetConfig(String variant, int numClasses, boolean bottleneck, int[] numBlocks, int[] numBlocks2,
                             int[] heads, int dimHead, int windowSize, int stemWidth, int[] widths, int imgSize) {
    public static final Set<String> VARIANTS = Set.of("dnn_18", "dnn_34", "dnn_50", "dnn_101", "dnn_152");
    static final Set<String> KEYS = Set.of("num_blocks", "num_blocks2", "heads", "dim_head", "window_size",
            "stem_width", "widths", "img_size");

    public AlterNetConfig {
        for (int s = 0; s < 4; s++) {
            if (numBlocks[s] < 1 || numBlocks[s] < 2 * numBlocks2[s]) {
                throw new IllegalArgumentException("AlterNet stage " + (s + 1) + ": " + numBlocks[s] + " blocks cannot hold "
                        + numBlocks2[s] + " attention blocks (needs num_blocks >= 2 * num_blocks2 and >= 1)");
            }
        }
        if (imgSize % 32 != 0 || (imgSize / 32) % windowSize != 0) {
            throw new IllegalArgumentException("AlterNet needs an input whose size/32 is a multiple of the window "
                    + windowSize + "; found " + imgSize);
        }
        // attention width heads * dim_head in long: an overflowed int would reach the shape checks as a negative number
        for (int h : heads) {
            if ((long) h * dimHead >= 1 << 24) {
                throw new IllegalArgumentException("AlterNet heads " + h + " x dim_head " + dimHead + " = " + (long) h * dimHead
                        + " attention channels; too large");
            }
        }
    }

    public int expansion() {
        return bottleneck ? 4 : 1;
    }

    /** Whether block i of stage s (0-based) is an attention block (the repo's alt_seq). */
    public boolean isAttention(int stage, int i) {
        int plain = numBlocks[stage] - 2 * numBlocks2[stage];
        return i >= plain && ((i - plain) & 1) == 1;
    }

    public static AlterNetConfig named(String variant, ModelConfig c) {
        boolean bottleneck;
        int[] nb, nb2;
        switch (variant) {
            case "dnn_18" -> { bottleneck = false; nb = new int[] {2, 2, 2, 2}; nb2 = new int[] {0, 1, 1, 1}; }
            case "dnn_34" -> { bottleneck = false; nb = new int[] {3, 4, 6, 4}; nb2 = new int[] {0, 1, 3, 2}; }
            case "dnn_50" -> { bottleneck = true; nb = new int[] {3, 4, 6, 4}; nb2 = new int[] {0, 1, 3, 2}; }
            case "dnn_101" -> { bottleneck = true; nb = new int[] {3, 4, 23, 4}; nb2 = new int[] {0, 1, 3, 2}; }
            case "dnn_152" -> { bottleneck = true; nb = new int[] {3, 8, 36, 4}; nb2 = new int[] {0, 1, 3, 2}; }
            default -> throw new IllegalArgumentException("unknown AlterNet variant '" + variant + "' (known: "
                    + new java.util.TreeSet<>(VARIANTS) + ")");
        }
        int[] heads = {3, 6, 12, 24}, widths = {64, 128, 256, 512};
        if (c == null) return new AlterNetConfig(variant, 1000, bottleneck, nb, nb2, heads, 64, 7, 64, widths, 224);
        c.requireOnlyKeys(KEYS);
        return new AlterNetConfig(variant, c.intValue("num_classes", 1000), bottleneck, c.intArray("num_blocks", nb),
                c.intArray("num_blocks2", nb2), c.intArray("heads", heads), c.intValue("dim_head", 64),
                c.intValue("window_size", 7), c.intValue("stem_width", 64), c.intArray("widths", widths),
                c.intValue("img_size", 224));
    }
}
