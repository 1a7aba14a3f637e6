package dev.vitesse.model.analysis;

import dev.vitesse.model.family2.Family2Models;
import dev.vitesse.model.family2.ModelConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads any checkpoint whose architecture reports per-block feature maps, for the analyses.
 * Currently: the feed-forward-only ViT, Refiner-ViT and AlterNet ({@code ffvit:}, {@code refiner:},
 * {@code alternet:}).
 */
public final class TappableModels {
    private TappableModels() {}

    /** A tappable model plus the preprocessing its repository uses. */
    public record Loaded(Tappable model, String architecture, float[] mean, float[] std, double cropPct) {}

    /**
     * @param path folder with config.json + model.safetensors, or a .safetensors file
     * @param arch architecture override (nullable)
     * @throws IllegalArgumentException if the architecture does not expose per-block feature maps
     */
    public static Loaded load(Path path, String arch) throws IOException {
        String a = arch != null ? arch : architectureOf(path);
        if (Family2Models.handles(a)) {
            var m = Family2Models.load(path, arch);
            return new Loaded(m, m.architecture(), m.mean(), m.std(), m.cropPct());
        }
        throw new IllegalArgumentException("architecture '" + a + "' does not expose per-block feature maps yet; "
                + "supported: " + Family2Models.NAMES);
    }

    static String architectureOf(Path path) throws IOException {
        Path folder = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
        Path cfg = folder.resolve("config.json");
        if (!Files.exists(cfg)) throw new IllegalArgumentException("no config.json next to " + path + "; give --arch");
        return ModelConfig.read(cfg).architecture();
    }
}
