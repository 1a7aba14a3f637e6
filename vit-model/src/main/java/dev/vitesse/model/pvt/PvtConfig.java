package dev.vitesse.model.pvt;

import dev.vitesse.model.config.ActivationLimit;
import dev.vitesse.model.fam1.Fam1Config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Pyramid Vision Transformer hyper-parameters, v1 (whai362/PVT {@code classification/pvt.py}) and v2
 * (timm {@code pvt_v2.py} / whai362/PVT {@code pvt_v2.py}).
 *
 * @param v2      true for PVT v2 (overlapping patch embedding, depthwise conv in the MLP, no position embedding)
 * @param linear  PVT v2-li: adaptive average pooling to 7x7 + 1x1 conv + LN + GELU as the spatial reduction
 * @param imgSize v1: the size the position embeddings were trained for; v2: default input size only
 */
public record PvtConfig(String architecture, boolean v2, boolean linear, int imgSize, int patchSize, int[] embedDims,
                        int[] numHeads, int[] depths, int[] srRatios, double[] mlpRatios, boolean qkvBias, int numClasses) {

    public PvtConfig {
        int n = depths.length;
        if (n != 4 || embedDims.length != n || numHeads.length != n || srRatios.length != n || mlpRatios.length != n) {
            throw new IllegalArgumentException(architecture + ": PVT needs 4 stages with depths, embed_dims, num_heads, sr_ratios, "
                    + "mlp_ratios of length 4; found " + Arrays.toString(depths) + " " + Arrays.toString(embedDims) + " "
                    + Arrays.toString(numHeads) + " " + Arrays.toString(srRatios) + " " + Arrays.toString(mlpRatios));
        }
        // checked before any arithmetic on them: zero heads / patch divide by zero, negative depths size arrays
        for (int i = 0; i < n; i++) {
            if (embedDims[i] < 1 || embedDims[i] > 1 << 20 || numHeads[i] < 1 || depths[i] < 0 || srRatios[i] < 1
                    || !(mlpRatios[i] > 0 && mlpRatios[i] * embedDims[i] < 1 << 24)) {
                throw new IllegalArgumentException(architecture + ": stage " + i + " needs embed_dims in [1, " + (1 << 20)
                        + "], num_heads >= 1, depths >= 0, sr_ratios >= 1 and a positive mlp_ratio; found embed_dims "
                        + Arrays.toString(embedDims) + ", num_heads " + Arrays.toString(numHeads) + ", depths "
                        + Arrays.toString(depths) + ", sr_ratios " + Arrays.toString(srRatios) + ", mlp_ratios "
                        + Arrays.toString(mlpRatios));
            }
            if (embedDims[i] % numHeads[i] != 0) {
                throw new IllegalArgumentException(architecture + ": stage " + i + " width " + embedDims[i] + " not divisible by "
                        + numHeads[i] + " heads");
            }
        }
        if (imgSize < 1 || patchSize < 1) {
            throw new IllegalArgumentException(architecture + ": img_size and patch_size must be >= 1, found " + imgSize
                    + " and " + patchSize);
        }
        // one image's widest activation: stage 1 (stride 4 for v2, patch_size for v1)
        int side = v2 ? (imgSize - 1) / 4 + 1 : imgSize / patchSize;
        ActivationLimit.check(architecture, "img_size " + imgSize,
                Math.max((double) side * side * embedDims[0] * Math.max(mlpRatios[0], 1), 3.0 * imgSize * imgSize));
        // a spatial-reduction conv (kernel = stride = sr) needs a stage map at least that large
        for (int i = 0; i < n; i++) {
            if (!linear && srRatios[i] > 1 && side < srRatios[i]) {
                throw new IllegalArgumentException(architecture + ": img_size " + imgSize + " gives a " + side + "x" + side
                        + " map at stage " + i + ", smaller than its spatial-reduction kernel " + srRatios[i] + " (sr_ratios "
                        + Arrays.toString(srRatios) + ")");
            }
            side = v2 ? (side - 1) / 2 + 1 : side / 2;   // next stage: 3x3 stride-2 pad-1 conv (v2), 2x2 patches (v1)
        }
    }

    /** LayerNorm eps of blocks and stage norms (timm / repo: {@code partial(nn.LayerNorm, eps=1e-6)}). */
    public static final float EPS = 1e-6f;
    /** LayerNorm eps of the patch embeddings and the spatial-reduction norm (plain {@code nn.LayerNorm}). */
    public static final float EPS_DEFAULT = 1e-5f;

    public static final List<String> V2_NAMES = List.of("pvt_v2_b0", "pvt_v2_b1", "pvt_v2_b2", "pvt_v2_b3", "pvt_v2_b4",
            "pvt_v2_b5", "pvt_v2_b2_li");
    public static final List<String> V1_NAMES = List.of("pvt_tiny", "pvt_small", "pvt_medium", "pvt_large");

    public static String canonical(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.startsWith("timm:")) n = n.substring(5);
        if (n.startsWith("pvt:")) n = n.substring(4);
        int dot = n.indexOf('.');
        return dot >= 0 ? n.substring(0, dot) : n;
    }

    public static boolean handles(String name) {
        String n = canonical(name);
        return V2_NAMES.contains(n) || V1_NAMES.contains(n);
    }

    /** Defaults of a registered name overridden by {@code model_args} / {@code num_classes}. */
    public static PvtConfig from(Fam1Config cfg) {
        String name = canonical(cfg.architecture());
        int[] dims = {64, 128, 320, 512}, heads = {1, 2, 5, 8}, sr = {8, 4, 2, 1};
        double[] mlp = {8, 8, 4, 4};
        int[] depths;
        boolean v2 = V2_NAMES.contains(name), linear = false;
        switch (name) {
            case "pvt_v2_b0" -> { depths = new int[] {2, 2, 2, 2}; dims = new int[] {32, 64, 160, 256}; }
            case "pvt_v2_b1", "pvt_tiny" -> depths = new int[] {2, 2, 2, 2};
            case "pvt_v2_b2", "pvt_small" -> depths = new int[] {3, 4, 6, 3};
            case "pvt_v2_b2_li" -> { depths = new int[] {3, 4, 6, 3}; linear = true; }
            case "pvt_v2_b3", "pvt_medium" -> depths = new int[] {3, 4, 18, 3};
            case "pvt_v2_b4", "pvt_large" -> depths = new int[] {3, 8, 27, 3};
            case "pvt_v2_b5" -> { depths = new int[] {3, 6, 40, 3}; mlp = new double[] {4, 4, 4, 4}; }
            default -> throw new IllegalArgumentException("unknown PVT architecture '" + cfg.architecture() + "'; known: "
                    + V2_NAMES + " " + V1_NAMES);
        }
        return new PvtConfig(name, v2, cfg.arg("linear", linear), cfg.arg("img_size", 224), cfg.arg("patch_size", 4),
                cfg.ints("embed_dims", dims), cfg.ints("num_heads", heads), cfg.ints("depths", depths),
                cfg.ints("sr_ratios", sr), cfg.doubles("mlp_ratios", mlp), cfg.arg("qkv_bias", true),
                cfg.numClasses() >= 0 ? cfg.numClasses() : 1000);
    }

    /** timm's default preprocessing for PVT (ImageNet mean/std, bicubic, crop 0.9). */
    public Fam1Config.Preprocess defaultPreprocess() {
        return Fam1Config.Preprocess.timm(imgSize);
    }
}
