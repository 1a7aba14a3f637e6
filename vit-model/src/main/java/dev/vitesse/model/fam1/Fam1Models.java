package dev.vitesse.model.fam1;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vitesse.kernels.WeightFormat;
import dev.vitesse.model.config.PreprocessConfig;
import dev.vitesse.model.io.ModelFormatException;
import dev.vitesse.model.io.TensorMap;
import dev.vitesse.model.mixer.MixerConfig;
import dev.vitesse.model.mixer.MlpMixer;
import dev.vitesse.model.pvt.PvtConfig;
import dev.vitesse.model.pvt.PyramidVisionTransformer;
import dev.vitesse.model.swin.SwinConfig;
import dev.vitesse.model.swin.SwinTransformer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Entry point for the Swin / PVT v1 / PVT v2 / MLP-Mixer families: architecture names, loading from a
 * checkpoint folder ({@code config.json} + {@code model.safetensors}) or a bare {@code .safetensors} file
 * with an architecture name.
 */
public final class Fam1Models {
    private Fam1Models() {}

    /** Every architecture name this family accepts. */
    public static List<String> names() {
        List<String> all = new ArrayList<>(SwinConfig.NAMES);
        all.addAll(PvtConfig.V2_NAMES);
        all.addAll(PvtConfig.V1_NAMES);
        all.addAll(MixerConfig.NAMES);
        return List.copyOf(all);
    }

    /** True when {@code architecture} belongs to this family. */
    public static boolean handles(String architecture) {
        return architecture != null && (SwinConfig.handles(architecture) || PvtConfig.handles(architecture)
                || MixerConfig.handles(architecture));
    }

    /**
     * Loads a folder with {@code config.json} and {@code model.safetensors}, or a {@code .safetensors} file
     * (a {@code config.json} next to it is used when present).
     *
     * @param archOverride architecture name replacing the config's (null = use config.json)
     */
    public static Fam1Model load(Path path, String archOverride) throws IOException {
        return load(path, archOverride, null);
    }

    /**
     * As {@link #load(Path, String)}, optionally at another input size ({@link Fam1Config#withImageSize}; null = as configured).
     * A timm Swin checkpoint's relative-position tables, PVT v1's position embeddings and Mixer's token MLPs
     * must still fit that size, else loading fails with the tensor and shapes.
     */
    public static Fam1Model load(Path path, String archOverride, Integer imageSize) throws IOException {
        return load(path, archOverride, imageSize, WeightFormat.FP32);
    }

    /** As {@link #load(Path, String, Integer)} with the GEMM weights (linear layers, convolutions) stored in {@code weights}. */
    public static Fam1Model load(Path path, String archOverride, Integer imageSize, WeightFormat weights) throws IOException {
        Path weightsFile, configJson;
        if (Files.isDirectory(path)) {
            weightsFile = path.resolve("model.safetensors");
            configJson = path.resolve("config.json");
        } else {
            weightsFile = path;
            configJson = path.resolveSibling("config.json");
        }
        if (!Files.isRegularFile(weightsFile)) throw new IllegalArgumentException("no safetensors weights at " + weightsFile);
        Fam1Config cfg = Files.isRegularFile(configJson) ? Fam1Config.read(configJson) : null;
        if (archOverride != null) cfg = cfg == null ? Fam1Config.of(archOverride) : cfg.withArchitecture(archOverride);
        if (cfg == null || cfg.architecture() == null) {
            throw new IllegalArgumentException("no architecture for " + path + ": add config.json with \"architecture\" or pass one of "
                    + names());
        }
        if (Files.isRegularFile(configJson)) checkConfig(cfg, configJson);
        if (imageSize != null) cfg = cfg.withImageSize(imageSize);
        try (TensorMap tensors = TensorMap.read(weightsFile)) {   // unmapped once the model is built
            return build(cfg, tensors.useWeightFormat(weights));
        }
    }

    /**
     * Parses the hyper-parameters and preprocessing of {@code cfg} before the weights are mapped, so that a bad value
     * fails naming {@code config.json} (the family's loaders report it without the file).
     */
    private static void checkConfig(Fam1Config cfg, Path configJson) {
        try {
            String a = cfg.architecture();
            Fam1Config.Preprocess def;
            if (SwinConfig.handles(a)) def = SwinConfig.from(cfg).defaultPreprocess();
            else if (PvtConfig.handles(a)) def = PvtConfig.from(cfg).defaultPreprocess();
            else if (MixerConfig.handles(a)) def = MixerConfig.from(cfg).defaultPreprocess();
            else return;   // build() reports an unknown name
            Fam1Config.Preprocess p = cfg.preprocess(def);
            new PreprocessConfig(p.height(), p.cropPct(), p.interpolation(), p.mean(), p.std(), false);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(configJson + ": " + e.getMessage(), e);
        }
    }

    /** A model of {@code architecture} with made-up weights (see {@link TensorMap#random}), for benchmarks. */
    public static Fam1Model random(String architecture, long seed) {
        return random(architecture, seed, null);
    }

    /** As {@link #random(String, long)} at another input size (null = the architecture's). */
    public static Fam1Model random(String architecture, long seed, Integer imageSize) {
        return random(architecture, seed, imageSize, WeightFormat.FP32);
    }

    /** As {@link #random(String, long, Integer)} with the GEMM weights stored in {@code weights}. */
    public static Fam1Model random(String architecture, long seed, Integer imageSize, WeightFormat weights) {
        Fam1Config cfg = Fam1Config.of(architecture);
        return build(imageSize == null ? cfg : cfg.withImageSize(imageSize), TensorMap.random(seed).useWeightFormat(weights));
    }

    /**
     * The architecture a path would be loaded as by this family, or null when it is not one of ours:
     * {@code archOverride} if given, else {@code config.json}'s {@code architecture} (folder or sibling).
     */
    public static String architectureOf(Path path, String archOverride) throws IOException {
        String arch = archOverride;
        if (arch == null) {
            Path cfg = Files.isDirectory(path) ? path.resolve("config.json") : path.resolveSibling("config.json");
            if (Files.isRegularFile(cfg)) {
                try {
                    // only the name: a bad value elsewhere in the file is reported by load(), naming the field
                    JsonNode a = new ObjectMapper().readTree(Files.readAllBytes(cfg)).path("architecture");
                    arch = a.isTextual() ? a.asText() : null;
                } catch (JsonProcessingException e) {
                    return null; // not parseable here: let the caller's own loader report it
                }
            }
        }
        return arch != null && handles(arch) ? arch : null;
    }

    /** Builds a model of {@code cfg.architecture()} from tensors. */
    public static Fam1Model build(Fam1Config cfg, TensorMap tensors) {
        String a = cfg.architecture();
        if (SwinConfig.handles(a)) return SwinTransformer.load(cfg, tensors);
        if (PvtConfig.handles(a)) return PyramidVisionTransformer.load(cfg, tensors);
        if (MixerConfig.handles(a)) return MlpMixer.load(cfg, tensors);
        throw new IllegalArgumentException("unknown architecture '" + a + "'; known: " + names());
    }
}
