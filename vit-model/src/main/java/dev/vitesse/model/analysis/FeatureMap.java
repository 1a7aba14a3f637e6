package dev.vitesse.model.analysis;

import java.util.Objects;

/**
 * One block's output as a planar feature map {@code data[c*height*width + y*width + x]}.
 *
 * <p>Token models report their patch tokens reshaped to the patch grid (prefix tokens such as the class
 * token dropped), as the paper's analysis does ("for ViT: drop CLS token").
 *
 * @param index  position in the model's block sequence (0 = first tapped map)
 * @param name   checkpoint-style block name, e.g. {@code blocks.3.attn} or {@code layer3.1}
 */
public record FeatureMap(int index, String name, BlockKind kind, int channels, int height, int width, float[] data) {
    public FeatureMap {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        if (channels < 1 || height < 1 || width < 1 || data.length != channels * height * width) {
            throw new IllegalArgumentException("feature map " + name + ": " + channels + "x" + height + "x" + width
                    + " does not match data length " + data.length);
        }
    }

    /** Planar copy of a channels-last map {@code x[xOff + (y*width + x)*ld + c]}. */
    public static FeatureMap fromChannelsLast(int index, String name, BlockKind kind, float[] src, int off, int ld,
                                              int channels, int height, int width) {
        float[] d = new float[channels * height * width];
        int hw = height * width;
        for (int p = 0; p < hw; p++) {
            int base = off + p * ld;
            for (int c = 0; c < channels; c++) d[c * hw + p] = src[base + c];
        }
        return new FeatureMap(index, name, kind, channels, height, width, d);
    }

    /**
     * Planar copy of token rows {@code x[(prefix + y*width + x)*dim + c]}: the {@code prefix} leading tokens
     * (class/distillation tokens) are skipped.
     */
    public static FeatureMap fromTokens(int index, String name, BlockKind kind, float[] tokens, int off, int prefix,
                                        int dim, int height, int width) {
        return fromChannelsLast(index, name, kind, tokens, off + prefix * dim, dim, dim, height, width);
    }
}
