package dev.vitesse.model.analysis;

import dev.vitesse.model.LoadOptions;
import dev.vitesse.model.VisionModel;
import dev.vitesse.model.config.PreprocessConfig;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Loads any checkpoint {@link VisionModel} can load as a {@link Tappable} for the analyses: ViT/DeiT, Swin,
 * PVT, MLP-Mixer, the feed-forward-only ViT, Refiner-ViT and AlterNet.
 */
public final class TappableModels {
    private TappableModels() {}

    /** A tappable model plus the preprocessing its checkpoint expects. */
    public record Loaded(Tappable model, String architecture, PreprocessConfig preprocess) {}

    /**
     * @param path folder with config.json + model.safetensors, or a .safetensors file
     * @param arch architecture override (nullable)
     */
    public static Loaded load(Path path, String arch) throws IOException {
        VisionModel vm = VisionModel.load(path, arch == null ? LoadOptions.defaults() : LoadOptions.arch(arch));
        Tappable t = new Tappable() {
            @Override
            public int inputSize() {
                return vm.inputSize();
            }

            @Override
            public float[] forward(float[] image, FeatureTap tap) {
                return vm.forward(image, tap);
            }
        };
        return new Loaded(t, vm.architecture(), vm.preprocessing());
    }
}
