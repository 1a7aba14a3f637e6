package dev.vitesse.model;

import dev.vitesse.model.analysis.FeatureTap;
import dev.vitesse.model.config.PreprocessConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A non-ViT architecture family (feed-forward-only ViT, Refiner-ViT, AlterNet, ...) served through
 * {@link VisionModel}: classify / logits / embed / bench work the same for every family.
 *
 * <p>A family registers a {@link Loader} in {@link #LOADERS}; {@link VisionModel#load} asks each loader whether it
 * handles the checkpoint's architecture name before falling back to the ViT/DeiT path.
 */
public interface ArchitectureBackend {
    /** Canonical architecture name, e.g. {@code refiner:Refiner_ViT_S}. */
    String architecture();

    /** Logits [batch][numClasses()] for a preprocessed NCHW batch at {@link #inputSize()}. */
    float[] logits(float[] batchNchw, int batch);

    /** Pre-logits features [batch][numFeatures()]. */
    float[] features(float[] batchNchw, int batch);

    int numClasses();

    int numFeatures();

    /** Square input resolution. */
    int inputSize();

    long parameterCount();

    /** The repository's eval preprocessing. */
    PreprocessConfig preprocess();

    /** Floating-point operations per image (2 per multiply-add), or NaN when not counted. */
    default double flopsPerImage() {
        return Double.NaN;
    }

    /** Multi-line human-readable description (architecture, dims, blocks) for {@code vitesse info}. */
    String describe();

    /**
     * One image through the model, reporting every block's output to {@code tap} (nullable); returns the logits.
     *
     * @throws UnsupportedOperationException if the family does not expose per-block feature maps
     */
    default float[] forward(float[] imageChw, FeatureTap tap) {
        throw new UnsupportedOperationException(architecture() + " does not expose per-block feature maps");
    }

    /** Loads the checkpoints of one family. */
    interface Loader {
        /** True if this family owns {@code architecture} (as given by config.json or --arch). */
        boolean handles(String architecture);

        /**
         * @param path         folder with config.json + model.safetensors, or a .safetensors file
         * @param archOverride architecture replacing the config's (nullable)
         */
        ArchitectureBackend load(Path path, String archOverride) throws IOException;

        /**
         * As {@link #load(Path, String)} with the GEMM weights stored in {@code weights}.
         *
         * @throws IllegalArgumentException if the family cannot store its weights in that format
         */
        default ArchitectureBackend load(Path path, String archOverride, dev.vitesse.kernels.WeightFormat weights)
                throws IOException {
            if (weights != dev.vitesse.kernels.WeightFormat.FP32) {
                throw new IllegalArgumentException((archOverride == null ? path.toString() : archOverride)
                        + ": weight format " + weights.cliName() + " is not supported by this family");
            }
            return load(path, archOverride);
        }

        /**
         * A model of {@code architecture} with made-up weights (benchmarks), deterministic per seed.
         *
         * @param imageSize input resolution (null = the architecture's)
         * @throws IllegalArgumentException if the family cannot make random weights or the size is not supported
         */
        default ArchitectureBackend random(String architecture, long seed, Integer imageSize,
                                           dev.vitesse.kernels.WeightFormat weights) {
            throw new IllegalArgumentException("random weights are not available for " + architecture
                    + "; it needs a checkpoint");
        }
    }

    /** Registered families, asked in order. */
    List<Loader> LOADERS = new ArrayList<>(List.of(dev.vitesse.model.family2.Family2Backend.LOADER));

    /** The loader owning {@code architecture}, or null (ViT/DeiT and unknown names). */
    static Loader loaderFor(String architecture) {
        if (architecture == null) return null;
        for (Loader l : LOADERS) {
            if (l.handles(architecture)) return l;
        }
        return null;
    }
}
