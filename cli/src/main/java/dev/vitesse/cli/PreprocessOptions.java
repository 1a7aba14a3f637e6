package dev.vitesse.cli;

import dev.vitesse.model.VisionModel;
import dev.vitesse.model.preprocess.ImageTransform;
import dev.vitesse.model.preprocess.Interpolation;
import picocli.CommandLine.Option;

/** Overrides of the checkpoint's preprocessing. */
final class PreprocessOptions {
    @Option(names = "--interpolation", paramLabel = "NAME", description = "Resize filter: bicubic, bilinear, nearest, box, hamming, lanczos.")
    String interpolation;

    @Option(names = "--crop-pct", paramLabel = "F", description = "Resize the shorter side to floor(size / F) before the center crop (timm).")
    Double cropPct;

    @Option(names = "--resize", paramLabel = "N", description = "Resize the shorter side to N before the center crop (torchvision style, e.g. 256).")
    Integer resize;

    @Option(names = "--squash", description = "Resize both sides to the input size, ignoring the aspect ratio, no crop (Hugging Face).")
    boolean squash;

    @Option(names = "--mean", paramLabel = "R,G,B", split = ",", description = "Normalisation mean (0..1 units), e.g. 0.485,0.456,0.406.")
    float[] mean;

    @Option(names = "--std", paramLabel = "R,G,B", split = ",", description = "Normalisation std, e.g. 0.229,0.224,0.225.")
    float[] std;

    /** The model's own preprocessing with the user's overrides applied. */
    ImageTransform transform(VisionModel model) {
        ImageTransform t = ImageTransform.of(model.preprocessing());
        int size = t.cropHeight();
        if (interpolation != null) t = t.withInterpolation(Interpolation.parse(interpolation));
        if (cropPct != null) {
            if (!(cropPct > 0 && cropPct <= 10)) throw new IllegalArgumentException("--crop-pct must be in (0, 10], got " + cropPct);
            t = t.withMode(ImageTransform.Mode.SHORTER_SIDE).withResizeSize((int) Math.floor(size / cropPct));
        }
        if (resize != null) {
            if (resize <= 0) throw new IllegalArgumentException("--resize must be > 0, got " + resize);
            t = t.withMode(ImageTransform.Mode.SHORTER_SIDE).withResizeSize(resize);
        }
        if (squash) {
            if (cropPct != null || resize != null) throw new IllegalArgumentException("--squash cannot be combined with --crop-pct or --resize");
            t = t.withMode(ImageTransform.Mode.SQUASH).withResizeSize(0);
        }
        if (mean != null || std != null) {
            float[] m = mean != null ? mean : t.mean();
            float[] s = std != null ? std : t.std();
            if (m.length != 3 || s.length != 3) throw new IllegalArgumentException("--mean and --std need 3 comma-separated values");
            t = t.withMeanStd(m, s);
        }
        return t;
    }
}
