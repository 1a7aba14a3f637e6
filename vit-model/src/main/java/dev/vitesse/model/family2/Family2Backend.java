package dev.vitesse.model.family2;

import dev.vitesse.kernels.WeightFormat;
import dev.vitesse.model.ArchitectureBackend;
import dev.vitesse.model.analysis.FeatureTap;
import dev.vitesse.model.config.PreprocessConfig;

import java.io.IOException;
import java.nio.file.Path;

/** {@link ArchitectureBackend} over a {@link Family2Model} (ffvit / Refiner-ViT / AlterNet). */
public final class Family2Backend implements ArchitectureBackend {
    /** Registered in {@link ArchitectureBackend#LOADERS}. */
    public static final Loader LOADER = new Loader() {
        @Override
        public boolean handles(String architecture) {
            return Family2Models.handles(architecture);
        }

        @Override
        public ArchitectureBackend load(Path path, String archOverride) throws IOException {
            return new Family2Backend(Family2Models.load(path, archOverride));
        }

        @Override
        public ArchitectureBackend load(Path path, String archOverride, WeightFormat weights) throws IOException {
            return new Family2Backend(Family2Models.load(path, archOverride, weights));
        }

        @Override
        public ArchitectureBackend random(String architecture, long seed, Integer imageSize, WeightFormat weights) {
            return new Family2Backend(Family2Models.random(architecture, seed, imageSize, weights));
        }
    };

    private final Family2Model model;

    public Family2Backend(Family2Model model) {
        this.model = model;
    }

    public Family2Model model() {
        return model;
    }

    @Override
    public String architecture() {
        return model.architecture();
    }

    @Override
    public float[] logits(float[] batchNchw, int batch) {
        return eachImage(batchNchw, batch, model.numClasses(), model::logits);
    }

    @Override
    public float[] features(float[] batchNchw, int batch) {
        return eachImage(batchNchw, batch, model.numFeatures(), model::features);
    }

    /**
     * {@code pass} on every image in turn, every core inside each kernel (VisionModel already runs batches of >=
     * threads images side by side); {@code outPer} floats out per image.
     */
    private float[] eachImage(float[] batchNchw, int batch, int outPer, java.util.function.UnaryOperator<float[]> pass) {
        int per = checkBatch(batchNchw, batch);
        float[] out = new float[batch * outPer];
        for (int b = 0; b < batch; b++) {
            float[] img = java.util.Arrays.copyOfRange(batchNchw, b * per, (b + 1) * per);
            System.arraycopy(pass.apply(img), 0, out, b * outPer, outPer);
        }
        return out;
    }

    private int checkBatch(float[] x, int batch) {
        int per = 3 * model.inputSize() * model.inputSize();
        if (x == null || batch < 1 || (long) batch * per != x.length) {
            throw new IllegalArgumentException(model.architecture() + ": input has " + (x == null ? 0 : x.length)
                    + " floats, expected batch " + batch + " x 3 x " + model.inputSize() + " x " + model.inputSize());
        }
        return per;
    }

    @Override
    public int numClasses() {
        return model.numClasses();
    }

    @Override
    public int numFeatures() {
        return model.numFeatures();
    }

    @Override
    public int inputSize() {
        return model.inputSize();
    }

    @Override
    public long parameterCount() {
        return model.parameterCount();
    }

    @Override
    public PreprocessConfig preprocess() {
        // Refiner_ViT_L's crop_pct 1.13 resizes below the crop size; the center crop zero-pads (timm + torchvision)
        return new PreprocessConfig(model.inputSize(), model.cropPct(), "bicubic", model.mean(),
                model.std(), false);
    }

    @Override
    public double flopsPerImage() {
        return model.flopsPerImage();
    }

    @Override
    public String describe() {
        return model.describe();
    }

    @Override
    public float[] forward(float[] imageChw, FeatureTap tap) {
        return model.forward(imageChw, tap);
    }
}
