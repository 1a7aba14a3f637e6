package dev.vitesse.model.family2;

import dev.vitesse.model.analysis.FeatureTap;
import dev.vitesse.model.analysis.Tappable;
import dev.vitesse.model.io.TensorMap;

/**
 * Common base of the feed-forward-only ViT, Refiner-ViT and AlterNet: fixed square input, planar normalised
 * image in, logits out, per-block feature taps. Instances are immutable after loading and thread-safe
 * (every forward pass allocates its own activations).
 */
public abstract class Family2Model implements Tappable {
    private final String architecture;
    private final int numClasses;
    private final int inputSize;
    /** Set by {@link #finishLoading} at the end of the subclass constructor; never changes afterwards. */
    private long parameterCount = -1;

    protected Family2Model(String architecture, int numClasses, int inputSize) {
        this.architecture = architecture;
        this.numClasses = numClasses;
        this.inputSize = inputSize;
    }

    /**
     * Number of parameters as PyTorch counts them (BatchNorm running statistics excluded): the checkpoint's tensors,
     * or the made-up ones of a random-weight model.
     */
    public long parameterCount() {
        return parameterCount;
    }

    /**
     * Last step of a subclass constructor: rejects tensors no layer consumed (BatchNorm's
     * {@code num_batches_tracked} counters are not weights) and records the parameter count (only known now for
     * a random map, whose tensors are made as the layers ask for them).
     */
    protected final void finishLoading(TensorMap t) {
        t.ignoreSuffix("num_batches_tracked");
        t.requireAllUsed(architecture);
        parameterCount = t.parameterCount();
    }

    /** Width of {@link #features}. */
    public abstract int numFeatures();

    /** Floating-point operations of one forward pass (2 per multiply-add; convolutions, GEMMs and attention products). */
    public abstract double flopsPerImage();

    /** Multi-line description of the loaded architecture. */
    public abstract String describe();

    /** The architecture name, e.g. {@code ffvit:linear_tiny}. */
    public String architecture() {
        return architecture;
    }

    public int numClasses() {
        return numClasses;
    }

    @Override
    public int inputSize() {
        return inputSize;
    }

    /** ImageNet mean used by the repository's preprocessing (override where the repo differs). */
    public float[] mean() {
        return new float[] {0.485f, 0.456f, 0.406f};
    }

    /** ImageNet std used by the repository's preprocessing. */
    public float[] std() {
        return new float[] {0.229f, 0.224f, 0.225f};
    }

    /** Center-crop fraction of the repository's eval transform. */
    public double cropPct() {
        return 0.875;
    }

    /** Logits for one normalised planar image {@code [3][inputSize][inputSize]}. */
    public float[] logits(float[] image) {
        return forward(image, null);
    }

    @Override
    public final float[] forward(float[] image, FeatureTap tap) {
        checkImage(image);
        return run(image, tap, false);
    }

    /** Pre-logits features of one image (the input of the classifier head), length {@link #numFeatures()}. */
    public final float[] features(float[] image) {
        checkImage(image);
        return run(image, null, true);
    }

    private void checkImage(float[] image) {
        int expected = 3 * inputSize * inputSize;
        if (image == null || image.length != expected) {
            throw new IllegalArgumentException(architecture + " expects a 3x" + inputSize + "x" + inputSize + " image ("
                    + expected + " floats), found " + (image == null ? "null" : image.length + " floats")
                    + "; this model only runs at " + inputSize + "x" + inputSize);
        }
    }

    /** Checks a requested input size against the model's only supported one. */
    public void requireInputSize(int h, int w) {
        if (h != inputSize || w != inputSize) {
            throw new IllegalArgumentException(architecture + " only runs at its training resolution " + inputSize + "x"
                    + inputSize + ", asked for " + h + "x" + w);
        }
    }

    /** Forward pass: logits, or the pre-logits features when {@code featuresOnly}. */
    protected abstract float[] run(float[] image, FeatureTap tap, boolean featuresOnly);
}
