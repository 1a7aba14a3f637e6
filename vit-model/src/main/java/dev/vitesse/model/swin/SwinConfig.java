package dev.vitesse.model.swin;

import dev.vitesse.model.config.ActivationLimit;
import dev.vitesse.model.fam1.Fam1Config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Swin Transformer (v1) hyper-parameters.
 *
 * @param torchvision true for torchvision's semantics (pad then roll, no window clamping; names
 *                    {@code features.*}), false for timm's (roll then pad, window clamped to small maps)
 */
public record SwinConfig(String architecture, boolean torchvision, int imgSize, int patchSize, int embedDim,
                         int[] depths, int[] numHeads, int window, double mlpRatio, int numClasses, float eps) {

    public SwinConfig {
        if (depths.length != numHeads.length || depths.length < 1) {
            throw new IllegalArgumentException(architecture + ": depths " + Arrays.toString(depths) + " and num_heads "
                    + Arrays.toString(numHeads) + " must have the same (non-zero) length");
        }
        // checked before any arithmetic on them: zero heads divide by zero, negative depths size arrays
        if (embedDim < 1 || depths.length > 8 || (long) embedDim << (depths.length - 1) > 1 << 24) {
            throw new IllegalArgumentException(architecture + ": embed_dim must be >= 1 and the widest stage (embed_dim x 2^"
                    + (depths.length - 1) + ") at most " + (1 << 24) + ", found embed_dim " + embedDim + " with "
                    + depths.length + " stages");
        }
        for (int i = 0; i < depths.length; i++) {
            if (depths[i] < 0 || numHeads[i] < 1) {
                throw new IllegalArgumentException(architecture + ": depths must be >= 0 and num_heads >= 1, found depths "
                        + Arrays.toString(depths) + ", num_heads " + Arrays.toString(numHeads));
            }
            if (dim(i, embedDim) % numHeads[i] != 0) {
                throw new IllegalArgumentException(architecture + ": stage " + i + " width " + dim(i, embedDim)
                        + " is not divisible by " + numHeads[i] + " heads");
            }
        }
        if (window < 1 || patchSize < 1 || imgSize < patchSize) {
            throw new IllegalArgumentException(architecture + ": bad window " + window + " / patch " + patchSize + " / img_size " + imgSize);
        }
        if (!(mlpRatio > 0) || Double.isInfinite(mlpRatio)) {
            throw new IllegalArgumentException(architecture + ": mlp_ratio must be a positive number, found " + mlpRatio);
        }
        // one image's widest activation: stage 0, padded to whole windows
        double side = Math.ceil((double) (imgSize / patchSize) / window) * window;
        ActivationLimit.check(architecture, "img_size " + imgSize + " (embed_dim " + embedDim + ", mlp_ratio " + mlpRatio + ")",
                Math.max(side * side * Math.max(3.0 * embedDim, embedDim * mlpRatio), 3.0 * imgSize * imgSize));
    }

    private static int dim(int stage, int embed) { return embed << stage; }

    /** Channel width of stage {@code i}. */
    public int dim(int stage) { return dim(stage, embedDim); }

    public int stages() { return depths.length; }

    /** Registered names (timm without prefix, torchvision with {@code torchvision:}). */
    public static final List<String> NAMES = List.of(
            "swin_tiny_patch4_window7_224", "swin_small_patch4_window7_224", "swin_base_patch4_window7_224",
            "swin_base_patch4_window12_384", "swin_large_patch4_window7_224", "swin_large_patch4_window12_384",
            "torchvision:swin_t", "torchvision:swin_s", "torchvision:swin_b");

    /** True when {@code name} (optionally {@code timm:}-prefixed, with a {@code .tag}) is a Swin name. */
    public static boolean handles(String name) {
        return NAMES.contains(canonical(name));
    }

    /** Lower-case, {@code timm:} prefix and pretrained tag removed. */
    public static String canonical(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.startsWith("timm:")) n = n.substring(5);
        int dot = n.indexOf('.');
        return dot >= 0 ? n.substring(0, dot) : n;
    }

    /** Defaults of a registered name, overridden by {@code model_args} / {@code num_classes}. */
    public static SwinConfig from(Fam1Config cfg) {
        String name = canonical(cfg.architecture());
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("unknown Swin architecture '" + cfg.architecture() + "'; known: " + NAMES);
        }
        boolean tv = name.startsWith("torchvision:");
        int embed, window, img;
        int[] depths, heads;
        String size = tv ? name.substring("torchvision:swin_".length()) : name.substring(5, name.indexOf('_', 5));
        switch (size) {
            case "t", "tiny" -> { embed = 96; depths = new int[] {2, 2, 6, 2}; heads = new int[] {3, 6, 12, 24}; }
            case "s", "small" -> { embed = 96; depths = new int[] {2, 2, 18, 2}; heads = new int[] {3, 6, 12, 24}; }
            case "b", "base" -> { embed = 128; depths = new int[] {2, 2, 18, 2}; heads = new int[] {4, 8, 16, 32}; }
            case "large" -> { embed = 192; depths = new int[] {2, 2, 18, 2}; heads = new int[] {6, 12, 24, 48}; }
            default -> throw new IllegalStateException(name);
        }
        window = name.contains("window12") ? 12 : 7;
        img = name.endsWith("_384") ? 384 : 224;
        return new SwinConfig(name, tv, cfg.arg("img_size", img), cfg.arg("patch_size", 4), cfg.arg("embed_dim", embed),
                cfg.ints("depths", depths), cfg.ints("num_heads", heads), cfg.arg("window_size", window),
                cfg.arg("mlp_ratio", 4.0), cfg.numClasses() >= 0 ? cfg.numClasses() : 1000, 1e-5f);
    }

    /** Default preprocessing: timm (crop 0.9 bicubic at 224, 1.0 at 384) or torchvision (232 bicubic resize, crop 224). */
    public Fam1Config.Preprocess defaultPreprocess() {
        if (torchvision) {
            int resize = switch (architecture) {
                case "torchvision:swin_s" -> 246;
                case "torchvision:swin_b" -> 238;
                default -> 232;
            };
            return new Fam1Config.Preprocess(imgSize, imgSize, Fam1Config.Preprocess.IMAGENET_MEAN,
                    Fam1Config.Preprocess.IMAGENET_STD, (double) imgSize / resize, "bicubic");
        }
        return Fam1Config.Preprocess.timm(imgSize);
    }
}
