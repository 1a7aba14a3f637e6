package dev.vitesse.model.config;

import java.util.Arrays;

/**
 * How an image must be turned into the model's input tensor, like timm's {@code pretrained_cfg}.
 *
 * <p>Pipeline: decode to RGB; resize to {@code scaleSize() = floor(inputSize / cropPct)} — the
 * shorter side when {@code squash} is false (aspect ratio kept, timm/torchvision), both sides when
 * {@code squash} is true (HF image processors); center crop {@code inputSize x inputSize}; scale to
 * [0,1]; normalize per channel with {@code (v - mean[c]) / std[c]}; layout CHW.
 *
 * <p>A crop fraction above 1 (Refiner_ViT_L's 1.13) resizes to less than the input size; the center crop then
 * zero-pads like torchvision's {@code CenterCrop} (black pixels, normalised like any other).
 *
 * @param inputSize     square input resolution the model runs at
 * @param cropPct       crop fraction in (0, 10] (1.0 = no crop margin, above 1 = padding)
 * @param interpolation "bicubic", "bilinear" or "nearest"
 * @param mean          per-channel mean (length = channels)
 * @param std           per-channel std (length = channels)
 * @param squash        resize to a square ignoring aspect ratio (HF ViTImageProcessor) instead of shorter side
 */
public record PreprocessConfig(int inputSize, double cropPct, String interpolation, float[] mean, float[] std,
                               boolean squash) {

    public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};
    public static final float[] HALF = {0.5f, 0.5f, 0.5f};
    /** OpenAI CLIP's normalisation (timm {@code OPENAI_CLIP_MEAN} / {@code OPENAI_CLIP_STD}). */
    public static final float[] OPENAI_CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    public static final float[] OPENAI_CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};
    /** Largest accepted crop fraction (as the CLI's {@code --crop-pct} and {@code ImageTransform.timm}). */
    public static final double MAX_CROP_PCT = 10;

    public PreprocessConfig {
        if (inputSize <= 0) throw new IllegalArgumentException("preprocessing inputSize must be > 0, found " + inputSize);
        if (!(cropPct > 0 && cropPct <= MAX_CROP_PCT))
            throw new IllegalArgumentException("preprocessing crop_pct must be in (0, " + MAX_CROP_PCT + "], found " + cropPct);
        if (Math.floor(inputSize / cropPct) < 1)
            throw new IllegalArgumentException("preprocessing crop_pct " + cropPct + " resizes a " + inputSize
                    + " px input to less than one pixel");
        if (!interpolation.equals("bicubic") && !interpolation.equals("bilinear") && !interpolation.equals("nearest"))
            throw new IllegalArgumentException("preprocessing interpolation must be bicubic, bilinear or nearest, found '"
                    + interpolation + "'");
        if (mean.length != std.length || mean.length == 0)
            throw new IllegalArgumentException("preprocessing mean/std lengths differ or are empty: "
                    + mean.length + " vs " + std.length);
        for (float s : std) {
            if (!(s > 0)) throw new IllegalArgumentException("preprocessing std must be > 0, found " + Arrays.toString(std));
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** Number of channels (length of mean/std). */
    public int channels() {
        return mean.length;
    }

    /** Size the image is resized to before the center crop: floor(inputSize / cropPct), as timm. */
    public int scaleSize() {
        return (int) Math.floor(inputSize / cropPct);
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    /** Same config at another input size (crop fraction kept). */
    public PreprocessConfig withInputSize(int size) {
        return new PreprocessConfig(size, cropPct, interpolation, mean, std, squash);
    }

    /** Same config with another crop fraction. */
    public PreprocessConfig withCropPct(double pct) {
        return new PreprocessConfig(inputSize, pct, interpolation, mean, std, squash);
    }

    /** Same config with another interpolation. */
    public PreprocessConfig withInterpolation(String interp) {
        return new PreprocessConfig(inputSize, cropPct, interp, mean, std, squash);
    }

    /** Same config with another normalization. */
    public PreprocessConfig withMeanStd(float[] m, float[] s) {
        return new PreprocessConfig(inputSize, cropPct, interpolation, m, s, squash);
    }

    /** Same config with the squash flag changed. */
    public PreprocessConfig withSquash(boolean sq) {
        return new PreprocessConfig(inputSize, cropPct, interpolation, mean, std, sq);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PreprocessConfig p && p.inputSize == inputSize && p.cropPct == cropPct
                && p.interpolation.equals(interpolation) && Arrays.equals(p.mean, mean)
                && Arrays.equals(p.std, std) && p.squash == squash;
    }

    @Override
    public int hashCode() {
        return inputSize * 31 + interpolation.hashCode() + Arrays.hashCode(mean) * 7 + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "input " + inputSize + "x" + inputSize + ", " + (squash ? "squash-resize" : "resize shorter side")
                + " to " + scaleSize() + " " + interpolation + ", center crop (crop_pct " + cropPct + "), mean "
                + Arrays.toString(mean) + ", std " + Arrays.toString(std);
    }
}
