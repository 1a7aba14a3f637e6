package dev.vitesse.model.mixer;

import dev.vitesse.model.config.ActivationLimit;
import dev.vitesse.model.fam1.Fam1Config;

import java.util.List;
import java.util.Locale;

/**
 * MLP-Mixer hyper-parameters (timm {@code mlp_mixer.py}): token MLP width {@code mlpRatio[0] * dim},
 * channel MLP width {@code mlpRatio[1] * dim}, LayerNorm eps 1e-6, global average pooling.
 */
public record MixerConfig(String architecture, int imgSize, int patchSize, int numBlocks, int embedDim,
                          double tokenRatio, double channelRatio, int numClasses) {
    public static final float EPS = 1e-6f;

    public MixerConfig {
        // checked before any arithmetic on them: a zero patch divides by zero, negative sizes make arrays of them
        if (imgSize < 1 || patchSize < 1 || patchSize > imgSize || numBlocks < 0 || embedDim < 1 || embedDim > 1 << 20
                || !(tokenRatio > 0 && tokenRatio < 1 << 10) || !(channelRatio > 0 && channelRatio < 1 << 10)) {
            throw new IllegalArgumentException(architecture + ": needs 1 <= patch_size <= img_size, num_blocks >= 0, embed_dim "
                    + "in [1, " + (1 << 20) + "] and mlp_ratio entries in (0, 1024); found img_size " + imgSize
                    + ", patch_size " + patchSize + ", num_blocks " + numBlocks + ", embed_dim " + embedDim + ", mlp_ratio ["
                    + tokenRatio + ", " + channelRatio + "]");
        }
        // channel MLP: tokens x channelRatio*dim; token MLP: dim x tokenRatio*dim (and its weights tokenRatio*dim x tokens)
        double g = imgSize / patchSize, tokens = g * g;
        ActivationLimit.check(architecture, "img_size " + imgSize + " / patch_size " + patchSize + " (" + (long) tokens
                + " tokens, embed_dim " + embedDim + ")", Math.max(Math.max(tokens * embedDim * Math.max(channelRatio, 1),
                embedDim * tokenRatio * Math.max(embedDim, tokens)), 3.0 * imgSize * imgSize));
    }

    public static final List<String> NAMES = List.of("mixer_s32_224", "mixer_s16_224", "mixer_b32_224", "mixer_b16_224",
            "mixer_l32_224", "mixer_l16_224", "mixer_b16_224_in21k", "mixer_l16_224_in21k", "mixer_b16_224_miil",
            "mixer_b16_224_miil_in21k");

    public static String canonical(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.startsWith("timm:")) n = n.substring(5);
        int dot = n.indexOf('.');
        return dot >= 0 ? n.substring(0, dot) : n;
    }

    public static boolean handles(String name) {
        return NAMES.contains(canonical(name));
    }

    public static MixerConfig from(Fam1Config cfg) {
        String name = canonical(cfg.architecture());
        if (!NAMES.contains(name)) throw new IllegalArgumentException("unknown MLP-Mixer architecture '" + cfg.architecture() + "'; known: " + NAMES);
        int patch = name.contains("32") ? 32 : 16;
        int blocks, dim;
        switch (name.substring(6, 7)) {
            case "s" -> { blocks = 8; dim = 512; }
            case "b" -> { blocks = 12; dim = 768; }
            default -> { blocks = 24; dim = 1024; }
        }
        double[] ratio = cfg.doubles("mlp_ratio", new double[] {0.5, 4.0});
        if (ratio.length != 2) throw new IllegalArgumentException("model_args.mlp_ratio must have 2 entries");
        int nc = cfg.numClasses() >= 0 ? cfg.numClasses() : name.contains("in21k") ? 21843 : 1000;
        return new MixerConfig(name, cfg.arg("img_size", 224), cfg.arg("patch_size", patch), cfg.arg("num_blocks", blocks),
                cfg.arg("embed_dim", dim), ratio[0], ratio[1], nc);
    }

    /** timm's mixer preprocessing: mean = std = 0.5, bicubic, crop 0.875 (miil: ImageNet mean/std). */
    public Fam1Config.Preprocess defaultPreprocess() {
        if (architecture.contains("miil")) {
            return new Fam1Config.Preprocess(imgSize, imgSize, new float[] {0, 0, 0}, new float[] {1, 1, 1}, 0.875, "bilinear");
        }
        float[] half = {0.5f, 0.5f, 0.5f};
        return new Fam1Config.Preprocess(imgSize, imgSize, half, half, 0.875, "bicubic");
    }
}
