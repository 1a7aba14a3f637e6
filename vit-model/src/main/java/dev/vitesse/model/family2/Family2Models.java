package dev.vitesse.model.family2;

import dev.vitesse.model.alternet.AlterNet;
import dev.vitesse.model.alternet.AlterNetConfig;
import dev.vitesse.model.ffvit.FeedForwardViT;
import dev.vitesse.model.ffvit.FfVitConfig;
import dev.vitesse.kernels.WeightFormat;
import dev.vitesse.model.io.TensorMap;
import dev.vitesse.model.refiner.RefinerConfig;
import dev.vitesse.model.refiner.RefinerViT;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Registry and loader of the architectures named {@code ffvit:NAME}, {@code refiner:NAME} and
 * {@code alternet:NAME}. A checkpoint folder holds {@code model.safetensors} with the original repository's
 * state_dict names and a {@code config.json} such as
 * {@code {"architecture": "refiner:Refiner_ViT_S", "num_classes": 1000}}.
 */
public final class Family2Models {
    private Family2Models() {}

    /** Every accepted architecture name. */
    public static final List<String> NAMES = List.of(
            "ffvit:linear_tiny", "ffvit:linear_base", "ffvit:linear_large",
            "refiner:Refiner_ViT_S", "refiner:Refiner_ViT_M", "refiner:Refiner_ViT_L",
            "alternet:dnn_18", "alternet:dnn_34", "alternet:dnn_50", "alternet:dnn_101", "alternet:dnn_152");

    /** True if {@code architecture} has one of this family's prefixes. */
    public static boolean handles(String architecture) {
        return architecture != null && (architecture.startsWith("ffvit:") || architecture.startsWith("refiner:")
                || architecture.startsWith("alternet:"));
    }

    /** Loads {@code dir/config.json} (optional when {@code archOverride} is given) and {@code dir/model.safetensors}. */
    public static Family2Model load(Path dir, String archOverride) throws IOException {
        return load(dir, archOverride, WeightFormat.FP32);
    }

    /** As {@link #load(Path, String)} with the GEMM weights (linear layers, convolutions) stored in {@code weights}. */
    public static Family2Model load(Path dir, String archOverride, WeightFormat weights) throws IOException {
        Path weightsFile = Files.isDirectory(dir) ? dir.resolve("model.safetensors") : dir;
        Path folder = Files.isDirectory(dir) ? dir : dir.toAbsolutePath().getParent();
        Path cfgFile = folder.resolve("config.json");
        ModelConfig cfg;
        if (Files.exists(cfgFile)) {
            cfg = ModelConfig.read(cfgFile);
            if (archOverride != null) cfg = cfg.withArchitecture(archOverride);
        } else if (archOverride != null) {
            cfg = ModelConfig.of(archOverride);
        } else {
            throw new IllegalArgumentException("no config.json in " + folder + " and no --arch given");
        }
        if (!Files.exists(weightsFile)) throw new IllegalArgumentException("no model.safetensors in " + folder);
        try (TensorMap tensors = TensorMap.read(weightsFile)) {   // unmapped once the model is built
            return build(cfg, tensors.useWeightFormat(weights));
        }
    }

    /**
     * A model of {@code architecture} with made-up weights (see {@link TensorMap#random}), for benchmarks: the
     * registered variant at {@code imageSize} (null = 224). ffvit needs a multiple of its patch size (its 14x14
     * position table is resized), Refiner a multiple of 16, AlterNet a multiple of 224 (7x7 attention windows on
     * the 1/32 map); other sizes fail with a message saying so.
     */
    public static Family2Model random(String architecture, long seed, Integer imageSize, WeightFormat weights) {
        ModelConfig cfg = ModelConfig.of(architecture);
        if (imageSize != null) cfg = cfg.withInt("img_size", imageSize);
        return build(cfg, TensorMap.random(seed).useWeightFormat(weights));
    }

    public static Family2Model load(Path dir) throws IOException {
        return load(dir, null);
    }

    /** Builds the named architecture (config overrides applied) from checkpoint tensors. */
    public static Family2Model build(ModelConfig cfg, TensorMap tensors) {
        String arch = cfg.architecture();
        int colon = arch.indexOf(':');
        if (colon < 0 || !handles(arch)) {
            throw new IllegalArgumentException("not a ffvit/refiner/alternet architecture: '" + arch + "' (known: " + NAMES + ")");
        }
        String variant = arch.substring(colon + 1);
        return switch (arch.substring(0, colon)) {
            case "ffvit" -> FeedForwardViT.load(FfVitConfig.named(variant, cfg), tensors);
            case "refiner" -> RefinerViT.load(RefinerConfig.named(variant, cfg), tensors);
            default -> AlterNet.load(AlterNetConfig.named(variant, cfg), tensors);
        };
    }
}
