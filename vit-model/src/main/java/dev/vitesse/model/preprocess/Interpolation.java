package dev.vitesse.model.preprocess;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Resampling filters, exactly as Pillow defines them ({@code libImaging/Resample.c}). These are the filters
 * torchvision's {@code Resize} and timm's transforms use on PIL images.
 */
public enum Interpolation {
    /** Nearest neighbour: source pixel {@code floor((x + 0.5) * in / out)} (PIL's {@code Image.NEAREST}). */
    NEAREST(0.0),
    /** Box filter (area average when downscaling). */
    BOX(0.5),
    /** Triangle filter; PIL's {@code Image.BILINEAR}, torchvision {@code InterpolationMode.BILINEAR}. */
    BILINEAR(1.0),
    /** Hamming-windowed sinc. */
    HAMMING(1.0),
    /** Keys cubic convolution with a = -0.5 (PIL's choice); {@code Image.BICUBIC}. */
    BICUBIC(2.0),
    /** Lanczos-3. */
    LANCZOS(3.0);

    /** Filter support radius in source pixels at scale 1. */
    final double support;

    Interpolation(double support) {
        this.support = support;
    }

    /** Kernel value at distance {@code x} (source pixels, unscaled). */
    double filter(double x) {
        switch (this) {
            case NEAREST:
                throw new UnsupportedOperationException("nearest is not a convolution filter");
            case BOX:
                return x > -0.5 && x <= 0.5 ? 1.0 : 0.0;
            case BILINEAR:
                x = Math.abs(x);
                return x < 1.0 ? 1.0 - x : 0.0;
            case HAMMING:
                x = Math.abs(x);
                if (x == 0.0) return 1.0;
                if (x >= 1.0) return 0.0;
                x = x * Math.PI;
                return Math.sin(x) / x * (0.54f + 0.46f * Math.cos(x)); // 0.54f/0.46f: float literals as in Pillow
            case BICUBIC: {
                final double a = -0.5;
                x = Math.abs(x);
                if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
                if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
                return 0.0;
            }
            case LANCZOS:
                return -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3) : 0.0;
            default:
                throw new AssertionError(this);
        }
    }

    private static double sinc(double x) {
        if (x == 0.0) return 1.0;
        x = x * Math.PI;
        return Math.sin(x) / x;
    }

    /**
     * Parses a name as used in timm/torchvision/HF configs: {@code bicubic}, {@code bilinear}, {@code box},
     * {@code hamming}, {@code lanczos}; HF's PIL resample codes {@code 2} (bilinear), {@code 3} (bicubic) etc. are
     * accepted too.
     */
    public static Interpolation parse(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        switch (n) {
            case "bilinear", "linear", "2" -> { return BILINEAR; }
            case "bicubic", "cubic", "3" -> { return BICUBIC; }
            case "box", "4" -> { return BOX; }
            case "nearest", "0" -> { return NEAREST; }
            case "hamming", "5" -> { return HAMMING; }
            case "lanczos", "antialias", "1" -> { return LANCZOS; }
            default -> throw new IllegalArgumentException("unknown interpolation '" + name + "'; known: "
                    + Arrays.stream(values()).map(v -> v.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")));
        }
    }

    /** Lower-case name as used in configs. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
