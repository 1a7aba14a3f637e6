package dev.vitesse.cli;

import dev.vitesse.kernels.WeightFormat;
import dev.vitesse.model.LoadOptions;
import dev.vitesse.model.VisionModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Which model to run: {@code --model PATH [--arch NAME] [--image-size N]}; the built-in digits model by default. */
final class ModelOptions {
    @Option(names = {"-m", "--model"}, paramLabel = "PATH",
            description = "timm or Hugging Face folder (config.json + model.safetensors), or a .safetensors file "
                    + "(then give --arch). Default: the built-in digits model.")
    Path model;

    @Option(names = "--arch", paramLabel = "NAME",
            description = "Architecture for a bare .safetensors, e.g. vit_base_patch16_224, timm:deit_small_patch16_224, "
                    + "torchvision:vit_b_16 (overrides a folder's config).")
    String arch;

    @Option(names = "--image-size", paramLabel = "N",
            description = "Run at another input resolution (position embeddings are resampled).")
    Integer imageSize;

    @Option(names = "--weights", paramLabel = "FORMAT", defaultValue = "fp32",
            description = "Weight storage: fp32 (default, exact) or bf16 (linear-layer weights rounded to bfloat16: "
                    + "half the weight memory, arithmetic stays fp32; see docs/weights-bf16.md).")
    String weights;

    boolean builtin() {
        return model == null;
    }

    String describe() {
        return model == null ? "built-in digits model" : model.toString();
    }

    LoadOptions options() {
        LoadOptions o = LoadOptions.defaults();
        try {
            o = o.withWeights(WeightFormat.parse(weights));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--weights must be fp32 or bf16, got '" + weights + "'");
        }
        if (arch != null) o = o.withArch(arch);
        if (imageSize != null) {
            if (imageSize <= 0) throw new IllegalArgumentException("--image-size must be > 0, got " + imageSize);
            o = o.withImageSize(imageSize);
        }
        return o;
    }

    VisionModel load() throws IOException {
        if (model == null) {
            if (arch != null) throw new IllegalArgumentException("--arch needs --model PATH (the built-in model has its own config)");
            return VisionModel.load(BuiltinModel.folder(), options());
        }
        if (!Files.exists(model)) throw new IllegalArgumentException(model + ": no such model file or folder");
        return VisionModel.load(model, options());
    }
}
