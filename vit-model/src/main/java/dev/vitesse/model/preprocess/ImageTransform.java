package dev.vitesse.model.preprocess;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * An evaluation-time image pipeline: resize, center crop, to float, normalise. Immutable; {@code with*} methods
 * return modified copies, so a checkpoint's defaults can be overridden field by field.
 *
 * <p>Two resize modes cover the three checkpoint sources (see docs/preprocessing.md):
 * <ul>
 *   <li>{@link Mode#SHORTER_SIDE}: torchvision {@code Resize(resizeSize)} (shorter side to {@code resizeSize},
 *       longer side {@code int(resizeSize * long / short)}) then {@code CenterCrop(cropHeight, cropWidth)} —
 *       torchvision's and timm's eval transforms ({@link #timm} computes {@code resizeSize = floor(size / crop_pct)});</li>
 *   <li>{@link Mode#SQUASH}: resize both sides to {@code resizeSize} ignoring the aspect ratio, then center crop
 *       (timm's {@code crop_mode='squash'}); with {@code resizeSize} equal to the crop size (or 0) there is no crop —
 *       Hugging Face's {@code ViTImageProcessor} ({@link #squash}).</li>
 * </ul>
 * Resizing is Pillow's exact 8-bit algorithm ({@link PilResize}); the uint8 result {@code v} becomes
 * {@code (v / 255f - mean[c]) / std[c]} in float32, the same operations as torchvision's {@code ToTensor} +
 * {@code Normalize}. Output layout: CHW, channels R, G, B.
 *
 * @param mode          resize mode
 * @param resizeSize    target of the shorter side ({@link Mode#SHORTER_SIDE}) or of both sides ({@link Mode#SQUASH};
 *                      0 = the crop size)
 * @param cropHeight    output height
 * @param cropWidth     output width
 * @param interpolation resampling filter
 * @param mean          per-channel mean (3 values), in 0..1 units
 * @param std           per-channel standard deviation (3 values)
 */
public record ImageTransform(Mode mode, int resizeSize, int cropHeight, int cropWidth, Interpolation interpolation,
                             float[] mean, float[] std) {

    /** ImageNet mean (torchvision, timm's IMAGENET_DEFAULT_MEAN). */
    public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    /** ImageNet standard deviation. */
    public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};
    /** mean = std = 0.5 (timm augreg ViTs, Hugging Face ViT). */
    public static final float[] HALF = {0.5f, 0.5f, 0.5f};

    /** How the image is brought to the model's input size. */
    public enum Mode {
        /** Shorter side to {@code resizeSize} keeping the aspect ratio, then center crop. */
        SHORTER_SIDE,
        /** Resize both sides to {@code resizeSize} (aspect ratio not kept), then center crop. */
        SQUASH
    }

    public ImageTransform {
        if (mode == null || interpolation == null) throw new IllegalArgumentException("mode and interpolation are required");
        if (cropHeight <= 0 || cropWidth <= 0) {
            throw new IllegalArgumentException("crop size must be positive, got " + cropHeight + "x" + cropWidth);
        }
        if (mode == Mode.SHORTER_SIDE ? resizeSize <= 0 : resizeSize < 0) {
            throw new IllegalArgumentException("resize size must be positive, got " + resizeSize);
        }
        if (mean == null || mean.length != 3 || std == null || std.length != 3) {
            throw new IllegalArgumentException("mean and std need 3 values each, got " + Arrays.toString(mean) + " / "
                    + Arrays.toString(std));
        }
        for (float s : std) {
            if (!(s > 0)) throw new IllegalArgumentException("std values must be > 0, got " + Arrays.toString(std));
        }
        mean = mean.clone();
        std = std.clone();
    }

    /**
     * timm's eval transform: {@code Resize(floor(imgSize / cropPct))} + {@code CenterCrop(imgSize)}.
     * E.g. 224 with crop_pct 0.9 resizes to 248, with 0.875 to 256.
     */
    public static ImageTransform timm(int imgSize, double cropPct, Interpolation interpolation, float[] mean, float[] std) {
        if (!(cropPct > 0 && cropPct <= 10)) throw new IllegalArgumentException("crop_pct must be in (0, 10], got " + cropPct);
        return new ImageTransform(Mode.SHORTER_SIDE, (int) Math.floor(imgSize / cropPct), imgSize, imgSize, interpolation, mean, std);
    }

    /** torchvision's classification preset: {@code Resize(resize)} + {@code CenterCrop(crop)}, e.g. 256 / 224 bilinear. */
    public static ImageTransform torchvision(int resize, int crop, Interpolation interpolation, float[] mean, float[] std) {
        return new ImageTransform(Mode.SHORTER_SIDE, resize, crop, crop, interpolation, mean, std);
    }

    /** Hugging Face ViTImageProcessor: squash-resize to {@code height x width}, no crop. */
    public static ImageTransform squash(int height, int width, Interpolation interpolation, float[] mean, float[] std) {
        return new ImageTransform(Mode.SQUASH, 0, height, width, interpolation, mean, std);
    }

    /**
     * The pipeline a checkpoint asks for ({@code VisionModel.preprocessing()}): timm/torchvision resize of the
     * shorter side to {@code floor(inputSize / cropPct)} + center crop, or, when {@code squash} is set, both sides
     * to that size + center crop (with crop_pct 1: Hugging Face's squash, no crop).
     */
    public static ImageTransform of(dev.vitesse.model.config.PreprocessConfig c) {
        if (c.channels() != 3) {
            throw new IllegalArgumentException("image preprocessing needs 3 channels, the model expects " + c.channels());
        }
        Interpolation interp = Interpolation.parse(c.interpolation());
        int size = c.inputSize(), scale = c.scaleSize();
        return c.squash()
                ? new ImageTransform(Mode.SQUASH, scale == size ? 0 : scale, size, size, interp, c.mean(), c.std())
                : new ImageTransform(Mode.SHORTER_SIDE, scale, size, size, interp, c.mean(), c.std());
    }

    /** Same pipeline with another resampling filter. */
    public ImageTransform withInterpolation(Interpolation i) {
        return new ImageTransform(mode, resizeSize, cropHeight, cropWidth, i, mean, std);
    }

    /** Same pipeline with another resize target (shorter side, or both sides for SQUASH; 0 = crop size for SQUASH). */
    public ImageTransform withResizeSize(int size) {
        return new ImageTransform(mode, size, cropHeight, cropWidth, interpolation, mean, std);
    }

    /** Same pipeline with another resize mode. */
    public ImageTransform withMode(Mode m) {
        return new ImageTransform(m, resizeSize, cropHeight, cropWidth, interpolation, mean, std);
    }

    /** Same pipeline with another output (crop) size. */
    public ImageTransform withCropSize(int height, int width) {
        return new ImageTransform(mode, resizeSize, height, width, interpolation, mean, std);
    }

    /** Same pipeline with another normalisation. */
    public ImageTransform withMeanStd(float[] m, float[] s) {
        return new ImageTransform(mode, resizeSize, cropHeight, cropWidth, interpolation, m, s);
    }

    /** Per-channel mean (a copy). */
    @Override
    public float[] mean() {
        return mean.clone();
    }

    /** Per-channel std (a copy). */
    @Override
    public float[] std() {
        return std.clone();
    }

    /** Resize + crop only (the 8-bit image the model will see, before normalisation). */
    public RgbImage resizeAndCrop(RgbImage img) {
        if (mode == Mode.SQUASH) {
            if (resizeSize == 0) return PilResize.resize(img, cropWidth, cropHeight, interpolation);
            return centerCrop(PilResize.resize(img, resizeSize, resizeSize, interpolation), cropHeight, cropWidth);
        }
        int w = img.width(), h = img.height();
        int shortSide = Math.min(w, h), longSide = Math.max(w, h);
        // torchvision: new_long = int(size * long / short) (float division, truncation)
        int newLong = (int) ((double) resizeSize * longSide / shortSide);
        int newW = w <= h ? resizeSize : newLong;
        int newH = w <= h ? newLong : resizeSize;
        RgbImage resized = PilResize.resize(img, newW, newH, interpolation);
        return centerCrop(resized, cropHeight, cropWidth);
    }

    /** torchvision's {@code CenterCrop}: zero padding if the crop is larger, offsets {@code int(round((h - th) / 2.0))}. */
    public static RgbImage centerCrop(RgbImage img, int th, int tw) {
        int h = img.height(), w = img.width();
        int padTop = 0, padLeft = 0;
        if (tw > w || th > h) {
            padLeft = tw > w ? (tw - w) / 2 : 0;
            padTop = th > h ? (th - h) / 2 : 0;
            int padRight = tw > w ? (tw - w + 1) / 2 : 0;
            int padBottom = th > h ? (th - h + 1) / 2 : 0;
            w += padLeft + padRight;
            h += padTop + padBottom;
        }
        // Python's round() rounds halves to even; Math.rint does the same.
        int top = (int) Math.rint((h - th) / 2.0);
        int left = (int) Math.rint((w - tw) / 2.0);
        if (top == 0 && left == 0 && padTop == 0 && padLeft == 0 && th == img.height() && tw == img.width()) return img;
        return img.crop(left - padLeft, top - padTop, tw, th);
    }

    /** Normalised CHW float tensor of an already resized/cropped image (any size). */
    public float[] toTensor(RgbImage img) {
        int w = img.width(), h = img.height(), plane = w * h;
        float[] out = new float[3 * plane];
        byte[] px = img.rgb();
        for (int c = 0; c < 3; c++) {
            float m = mean[c], s = std[c];
            for (int i = 0; i < plane; i++) {
                out[c * plane + i] = ((px[i * 3 + c] & 0xff) / 255f - m) / s;
            }
        }
        return out;
    }

    /** The full pipeline: resize, crop, normalise; returns [3, cropHeight, cropWidth] in CHW order. */
    public float[] apply(RgbImage img) {
        return toTensor(resizeAndCrop(img));
    }

    /** Decodes (see {@link ImageLoader}) and applies the pipeline; errors name the file. */
    public float[] apply(Path imageFile) {
        RgbImage img = ImageLoader.read(imageFile);
        try {
            return apply(img);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(imageFile + ": " + e.getMessage(), e);
        }
    }

    /** Inverse of the normalisation for one value of channel {@code c}: back to 0..1. */
    public float unnormalize(float v, int c) {
        return v * std[c] + mean[c];
    }

    @Override
    public String toString() {
        String size = mode == Mode.SQUASH
                ? (resizeSize == 0 || (resizeSize == cropWidth && resizeSize == cropHeight)
                        ? String.format(Locale.ROOT, "squash-resize to %dx%d", cropWidth, cropHeight)
                        : String.format(Locale.ROOT, "squash-resize to %dx%d, center crop %dx%d", resizeSize, resizeSize, cropWidth, cropHeight))
                : String.format(Locale.ROOT, "resize shorter side to %d, center crop %dx%d", resizeSize, cropWidth, cropHeight);
        return String.format(Locale.ROOT, "%s, %s, mean %s, std %s", size, interpolation.configName(),
                Arrays.toString(mean), Arrays.toString(std));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageTransform t && mode == t.mode && resizeSize == t.resizeSize && cropHeight == t.cropHeight
                && cropWidth == t.cropWidth && interpolation == t.interpolation && Arrays.equals(mean, t.mean)
                && Arrays.equals(std, t.std);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(new int[] {mode.ordinal(), resizeSize, cropHeight, cropWidth, interpolation.ordinal(),
                Arrays.hashCode(mean), Arrays.hashCode(std)});
    }
}
