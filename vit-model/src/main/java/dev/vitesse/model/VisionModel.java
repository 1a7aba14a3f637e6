package dev.vitesse.model;

import dev.vitesse.kernels.Parallel;
import dev.vitesse.kernels.WeightFormat;
import dev.vitesse.model.config.ModelResolver;
import dev.vitesse.model.config.ModelSpec;
import dev.vitesse.model.config.PreprocessConfig;
import dev.vitesse.model.config.VitConfig;
import dev.vitesse.model.fam1.Fam1Model;
import dev.vitesse.model.fam1.Fam1Models;
import dev.vitesse.model.io.ImageNetLabels;
import dev.vitesse.model.io.SafeTensors;
import dev.vitesse.model.vit.VisionTransformer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A loaded Vision Transformer (ViT / DeiT / DeiT-3) ready for inference.
 *
 * <pre>{@code
 * VisionModel model = VisionModel.load(Path.of("vit_base_patch16_224"));          // timm or HF folder
 * VisionModel tv = VisionModel.load(Path.of("vit_b_16.safetensors"), LoadOptions.arch("torchvision:vit_b_16"));
 * float[] x = ...;                          // preprocessed NCHW batch, see preprocessing()
 * float[] logits = model.forward(x, batch); // [batch][numClasses()]
 * List<Prediction> top5 = model.classify(oneImageChw, 5);
 * }</pre>
 *
 * <p>Weights are packed once at load; a model is immutable and can be shared by any number of threads
 * (activation buffers belong to the calling thread, never to the model; the kernels use the shared
 * {@code Parallel} team, and a batch of at least as many images as threads runs as single-threaded passes of up to
 * 4 images side by side). Every pass is a {@link Parallel#request}: while several threads run passes at once, each
 * pass computes on its own thread only, so concurrent requests share the cores without the team's workers adding
 * threads.
 * Inputs are float32 NCHW in the model's input size ({@link #inputSize()}), already normalised.
 */
public final class VisionModel {
    private final VisionTransformer net;
    private final ModelSpec spec;
    private final List<String> labels;
    /** Swin / PVT / MLP-Mixer (then net and spec are null); see {@link Fam1Models}. */
    private final Fam1Model fam1;
    private final PreprocessConfig fam1Preprocess;
    private final String fam1Source;
    /** ffvit / Refiner-ViT / AlterNet and other registered {@link ArchitectureBackend}s (then net, spec, fam1 are null). */
    private final ArchitectureBackend backend;
    /** Weight storage of the fam1 / backend models (the ViT path asks {@code net}). */
    private final WeightFormat otherWeights;

    private VisionModel(VisionTransformer net, ModelSpec spec) {
        this.net = net;
        this.spec = spec;
        this.labels = chooseLabels(spec.labels(), net.config().numClasses());
        this.fam1 = null;
        this.fam1Preprocess = null;
        this.fam1Source = null;
        this.backend = null;
        this.otherWeights = null;
    }

    private VisionModel(ArchitectureBackend backend, String source, WeightFormat weights) {
        this.otherWeights = weights;
        this.net = null;
        this.spec = null;
        this.fam1 = null;
        this.fam1Preprocess = backend.preprocess();
        this.fam1Source = source;
        this.backend = backend;
        this.labels = chooseLabels(null, backend.numClasses());
    }

    /** Loads a checkpoint of a registered {@link ArchitectureBackend} family, or returns null if none owns it. */
    private static VisionModel loadBackend(Path path, LoadOptions options) throws IOException {
        String arch = options.arch().orElse(null);
        if (arch == null) arch = configArchitecture(path);
        ArchitectureBackend.Loader loader = ArchitectureBackend.loaderFor(arch);
        if (loader == null) return null;
        if (options.embedDim().isPresent() || options.depth().isPresent() || options.numHeads().isPresent()
                || options.patchSize().isPresent()) {
            throw new IllegalArgumentException("shape overrides are not supported for " + arch + " (put them in config.json)");
        }
        ArchitectureBackend b = loader.load(path, options.arch().orElse(null), options.weights());
        if (options.imageSize().isPresent() && options.imageSize().get() != b.inputSize()) {
            throw new IllegalArgumentException(b.architecture() + " only runs at " + b.inputSize() + "x" + b.inputSize()
                    + ", asked for " + options.imageSize().get());
        }
        return new VisionModel(b, path + " (" + b.architecture() + ")", options.weights());
    }

    /** The {@code architecture} string of the config.json next to {@code path}, or null. */
    private static String configArchitecture(Path path) throws IOException {
        Path folder = java.nio.file.Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
        Path cfg = folder == null ? null : folder.resolve("config.json");
        if (cfg == null || !java.nio.file.Files.isRegularFile(cfg)) return null;
        try {
            var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(cfg.toFile()).get("architecture");
            return node != null && node.isTextual() ? node.asText() : null;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return null; // the ViT resolver reports malformed configs
        }
    }

    private VisionModel(Fam1Model fam1, String source, WeightFormat weights) {
        this.otherWeights = weights;
        this.net = null;
        this.spec = null;
        this.fam1 = fam1;
        this.fam1Source = source;
        var p = fam1.preprocess();
        this.fam1Preprocess = new PreprocessConfig(p.height(), p.cropPct(), p.interpolation(), p.mean(), p.std(), false);
        this.labels = chooseLabels(null, fam1.numClasses());
        this.backend = null;
    }

    /** Loads a timm hub folder, a Hugging Face folder, or a .safetensors next to a config.json. */
    public static VisionModel load(Path path) throws IOException {
        return load(path, LoadOptions.defaults());
    }

    /**
     * Loads a model with options (architecture name for a bare .safetensors, overrides).
     *
     * @throws IOException                                if a file cannot be read
     * @throws IllegalArgumentException                   for an unknown architecture or bad options
     * @throws dev.vitesse.model.io.ModelFormatException  for a corrupt file or tensors not matching the architecture
     */
    public static VisionModel load(Path path, LoadOptions options) throws IOException {
        VisionModel other = loadBackend(path, options);
        if (other != null) return other;
        String family1 = Fam1Models.architectureOf(path, options.arch().orElse(null));
        if (family1 != null) {
            return new VisionModel(Fam1Models.load(path, options.arch().orElse(null), options.imageSize().orElse(null),
                    options.weights()), path + " (" + family1 + ")", options.weights());
        }
        Path weights = ModelResolver.weightsFile(path);
        try (SafeTensors st = SafeTensors.open(weights)) {
            ModelSpec spec = ModelResolver.resolve(path, options, st);
            return new VisionModel(VisionTransformer.load(spec.config(), st, options.weights()), spec);
        }
    }

    /** A model with random weights for an architecture name (+ overrides), e.g. for benchmarks. */
    public static VisionModel random(LoadOptions options, long seed) {
        ArchitectureBackend.Loader loader = ArchitectureBackend.loaderFor(options.arch().orElse(null));
        if (loader != null) {
            if (options.embedDim().isPresent() || options.depth().isPresent() || options.numHeads().isPresent()
                    || options.patchSize().isPresent()) {
                throw new IllegalArgumentException("shape overrides are not supported for " + options.arch().get()
                        + " (only the image size)");
            }
            ArchitectureBackend b = loader.random(options.arch().get(), seed, options.imageSize().orElse(null), options.weights());
            return new VisionModel(b, "random weights (" + b.architecture() + ")", options.weights());
        }
        if (options.arch().isPresent() && Fam1Models.handles(options.arch().get())) {
            return new VisionModel(Fam1Models.random(options.arch().get(), seed, options.imageSize().orElse(null),
                    options.weights()), "random weights", options.weights());
        }
        ModelSpec spec = ModelResolver.forArchitecture(options);
        return new VisionModel(VisionTransformer.random(spec.config(), seed, options.weights()), spec);
    }

    /**
     * Logits [batch][numClasses()] for a preprocessed NCHW batch (features if the model has no head). With at least
     * as many images as kernel threads, the images run side by side, one thread each (see {@link ImageParallel}).
     */
    public float[] forward(float[] batchNchw, int batch) {
        return Parallel.request(() -> ImageParallel.run(batchNchw, batch, imageFloats(), this::forwardBatch));
    }

    private float[] forwardBatch(float[] batchNchw, int batch) {
        if (backend != null) return backend.logits(batchNchw, batch);
        if (fam1 != null) return fam1.logits(batchNchw, batch);
        return net.logits(batchNchw, batch);
    }

    /** Pre-logits embeddings [batch][numFeatures()] (timm {@code forward_head(x, pre_logits=True)}). */
    public float[] embed(float[] batchNchw, int batch) {
        return Parallel.request(() -> ImageParallel.run(batchNchw, batch, imageFloats(), this::embedBatch));
    }

    private float[] embedBatch(float[] batchNchw, int batch) {
        if (backend != null) return backend.features(batchNchw, batch);
        if (fam1 != null) return fam1.embed(batchNchw, batch);
        return net.features(batchNchw, batch);
    }

    /**
     * Token features [batch][numTokens][numFeatures()] of a ViT-family model (timm {@code forward_features}: prefix
     * tokens first, then the patches row by row, after the final norm); see {@link VisionTransformer#tokens}.
     */
    public float[] tokens(float[] batchNchw, int batch) {
        if (backend != null || fam1 != null) {
            throw new UnsupportedOperationException(architecture() + ": token features are available for ViT-family models only");
        }
        return Parallel.request(() -> ImageParallel.run(batchNchw, batch, imageFloats(), net::tokens));
    }

    /** Attention probabilities of every block and head (explicit attention path). */
    public AttentionMaps attentionMaps(float[] batchNchw, int batch) {
        if (backend != null) {
            throw new UnsupportedOperationException(backend.architecture() + ": attention maps are available for ViT/DeiT only");
        }
        if (fam1 != null) {
            throw new UnsupportedOperationException(fam1.architecture() + ": attention maps are available for ViT/DeiT only");
        }
        VitConfig c = net.config();
        return new AttentionMaps(c.depth(), batch, c.numHeads(), c.numTokens(), c.numPrefixTokens(), c.gridSize(),
                Parallel.request(() -> net.attentionProbabilities(batchNchw, batch)));
    }

    /**
     * Logits of one preprocessed CHW image, reporting every block's output feature map to {@code tap}
     * (the "How Do ViTs Work?" analyses): ViT/DeiT, the fam1 models and the registered backends.
     */
    public float[] forward(float[] imageChw, dev.vitesse.model.analysis.FeatureTap tap) {
        if (fam1 != null && !(fam1 instanceof dev.vitesse.model.analysis.Tappable))
            throw new UnsupportedOperationException(fam1.architecture() + " does not expose feature maps");
        return Parallel.request(() -> {
            if (backend != null) return backend.forward(imageChw, tap);
            if (fam1 instanceof dev.vitesse.model.analysis.Tappable t) return t.forward(imageChw, tap);
            return net.logits(imageChw, 1, tap);
        });
    }

    /** Top-k classes with softmax probabilities for one preprocessed CHW image. */
    public List<Prediction> classify(float[] imageChw, int k) {
        if (numClasses() == 0) throw new IllegalStateException("model has no classifier head (num_classes = 0)");
        return topK(forward(imageChw, 1), 0, k);
    }

    /** Top-k of row {@code row} of a logits array [rows][numClasses()], probabilities by a stable softmax. */
    public List<Prediction> topK(float[] logits, int row, int k) {
        int n = numClasses();
        if (n == 0) throw new IllegalStateException("model has no classifier head (num_classes = 0)");
        if (k < 1) throw new IllegalArgumentException("k must be >= 1, found " + k);
        if (row < 0 || (long) (row + 1) * n > logits.length) {
            throw new IllegalArgumentException("row " + row + " outside logits of length " + logits.length);
        }
        int off = row * n;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, logits[off + i]);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Math.exp(logits[off + i] - max);
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        java.util.Arrays.sort(idx, (a, b) -> Float.compare(logits[off + b], logits[off + a]));
        List<Prediction> out = new ArrayList<>();
        for (int i = 0; i < Math.min(k, n); i++) {
            int c = idx[i];
            out.add(new Prediction(c, labels.get(c), (float) (Math.exp(logits[off + c] - max) / sum)));
        }
        return out;
    }

    /** Architecture, parameter count, dims, preprocessing. */
    public ModelInfo info() {
        if (backend != null) return new ModelInfo(fam1Source, null, backend.parameterCount(), fam1Preprocess, backend.describe());
        if (fam1 != null) return new ModelInfo(fam1Source, null, fam1.parameterCount(), fam1Preprocess, fam1.describe());
        return new ModelInfo(spec.source(), net.config(), net.parameterCount(), spec.preprocess());
    }

    /** How the GEMM weights (linear layers, GEMM-lowered convolutions) are stored ({@link LoadOptions#withWeights}). */
    public WeightFormat weightFormat() {
        return net != null ? net.weightFormat() : otherWeights;
    }

    /**
     * Bytes held by the model's parameters (packed GEMM weights at their storage size, padding included; the rest as
     * f32), or -1 when the family does not report it (only the ViT/DeiT path does).
     */
    public long weightBytes() {
        return net != null ? net.weightBytes() : -1;
    }

    /** Full architecture description. */
    public VitConfig config() {
        if (backend != null) throw new IllegalStateException(backend.architecture() + " is not a ViT; see info()");
        if (fam1 != null) throw new IllegalStateException(fam1.architecture() + " is not a ViT; see info() / family1Model()");
        return net.config();
    }

    /** Preprocessing the checkpoint expects (from its config, else the architecture's defaults). */
    public PreprocessConfig preprocessing() {
        if (backend != null) return fam1Preprocess;
        if (fam1 != null) return fam1Preprocess;
        return spec.preprocess();
    }

    /** Class names, one per class (id2label / label_names / ImageNet-1k / index). */
    public List<String> labels() {
        return labels;
    }

    /** Number of classes (0 when the checkpoint has no head). */
    public int numClasses() {
        if (backend != null) return backend.numClasses();
        if (fam1 != null) return fam1.numClasses();
        return net.config().numClasses();
    }

    /** Width of {@link #embed}. */
    public int numFeatures() {
        if (backend != null) return backend.numFeatures();
        if (fam1 != null) return fam1.numFeatures();
        return net.numFeatures();
    }

    /** Square input resolution. */
    public int inputSize() {
        if (backend != null) return backend.inputSize();
        if (fam1 != null) return fam1.inputHeight();
        return net.config().imageSize();
    }

    /** Floats of one image at the model's own input size (other sizes some families accept run unsplit). */
    private int imageFloats() {
        long n = (long) inChans() * inputSize() * (fam1 != null ? fam1.inputWidth() : inputSize());
        return n > Integer.MAX_VALUE ? 0 : (int) n;
    }

    /** Input channels. */
    public int inChans() {
        if (backend != null) return 3;
        if (fam1 != null) return 3;
        return net.config().inChans();
    }

    private static List<String> chooseLabels(List<String> fromConfig, int numClasses) {
        if (fromConfig != null && fromConfig.size() == numClasses) return List.copyOf(fromConfig);
        if (numClasses == 1000) {
            return ImageNetLabels.get();   // bundled ImageNet-1k names (torchvision's order)
        }
        List<String> idx = new ArrayList<>(numClasses);
        for (int i = 0; i < numClasses; i++) idx.add(Integer.toString(i));
        return Collections.unmodifiableList(idx);
    }

    /** The ffvit / Refiner-ViT / AlterNet (or other registered) backend, or null for ViT/DeiT and the fam1 models. */
    public ArchitectureBackend backend() {
        return backend;
    }

    /** True when the head is a CLIP image projection rather than a classifier (see {@link VitConfig#headIsImageProjection}). */
    public boolean headIsImageProjection() {
        return backend == null && fam1 == null && net.config().headIsImageProjection();
    }

    /** Canonical architecture name, e.g. {@code vit_base_patch16_224}, {@code swin_t...}, {@code alternet:dnn_50}. */
    public String architecture() {
        if (backend != null) return backend.architecture();
        if (fam1 != null) return fam1.architecture();
        return net.config().architecture();
    }

    /** The Swin / PVT / MLP-Mixer model behind this facade (block outputs, other input sizes), or null for ViT/DeiT. */
    public Fam1Model family1Model() {
        return fam1;
    }

    @Override
    public String toString() {
        if (backend != null) return "VisionModel[" + backend.architecture() + ", " + fam1Source + "]";
        if (fam1 != null) return "VisionModel[" + fam1.architecture() + ", " + fam1Source + "]";
        return "VisionModel[" + net.config().architecture() + ", " + spec.source() + "]";
    }
}
