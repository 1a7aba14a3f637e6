package dev.vitesse.model.fam1;

import dev.vitesse.model.analysis.BlockKind;
import dev.vitesse.model.analysis.FeatureMap;
import dev.vitesse.model.analysis.FeatureTap;
import dev.vitesse.model.analysis.Tappable;
import dev.vitesse.model.layers.Dense;

/**
 * Common surface of the Swin, PVT v1/v2 and MLP-Mixer models: logits, pooled features and per-block
 * outputs for a batch of preprocessed NCHW images. Models are immutable after loading and thread-safe
 * (each call allocates its own activations).
 */
public abstract class Fam1Model implements Tappable {
    private final String architecture;
    private final Fam1Config.Preprocess preprocess;

    protected Fam1Model(String architecture, Fam1Config.Preprocess preprocess) {
        this.architecture = architecture;
        this.preprocess = preprocess;
    }

    /** Canonical architecture name, e.g. {@code swin_tiny_patch4_window7_224} or {@code torchvision:swin_t}. */
    public String architecture() { return architecture; }

    /** Preprocessing the checkpoint expects (input size, mean/std, crop, interpolation). */
    public Fam1Config.Preprocess preprocess() { return preprocess; }

    /** Default input height (pixels). */
    public int inputHeight() { return preprocess.height(); }

    /** Default input width (pixels). */
    public int inputWidth() { return preprocess.width(); }

    public abstract int numClasses();

    /** Width of the pooled features fed to the head. */
    public abstract int numFeatures();

    public abstract long parameterCount();

    /** Floating-point operations (2 per multiply-add, GEMMs / convs / attention) for one image at the default size. */
    public abstract double flopsPerImage();

    /** One-line architecture summary (layout, widths, depths, heads, windows...). */
    public abstract String describe();

    /**
     * Pooled pre-logit features of one image {@code [3][h][w]} at {@code off}, reporting block outputs.
     *
     * @throws IllegalArgumentException if this model cannot run at {@code h x w}
     */
    protected abstract float[] features(float[] x, int off, int h, int w, int image, FeatureObserver observer);

    /** The classification head, or null for a headless model (features are the output). */
    protected abstract Dense classifier();

    /** Head: logits from pooled features. */
    private float[] head(float[] features) {
        Dense head = classifier();
        if (head == null) return features;
        float[] out = new float[numClasses()];
        head.apply(1, features, 0, out, 0);
        return out;
    }

    /**
     * Logits {@code [batch][numClasses()]} for a batch {@code [batch][3][h][w]}: at the default input size,
     * or at a square size {@code s x s} inferred from the array length.
     */
    public float[] logits(float[] batchNchw, int batch) {
        int[] hw = sizeOf(batchNchw, batch);
        return logits(batchNchw, batch, hw[0], hw[1], null);
    }

    /** Pooled features for a batch at the default or an inferred square size (see {@link #logits(float[], int)}). */
    public float[] embed(float[] batchNchw, int batch) {
        int[] hw = sizeOf(batchNchw, batch);
        return embed(batchNchw, batch, hw[0], hw[1]);
    }

    private int[] sizeOf(float[] x, int batch) {
        if (x != null && batch >= 1 && x.length == (long) batch * 3 * inputHeight() * inputWidth()) {
            return new int[] {inputHeight(), inputWidth()};
        }
        if (x != null && batch >= 1 && x.length % (3L * batch) == 0) {
            int s = (int) Math.round(Math.sqrt(x.length / (3.0 * batch)));
            if ((long) batch * 3 * s * s == x.length) return new int[] {s, s};
        }
        throw new IllegalArgumentException("input has " + (x == null ? 0 : x.length) + " floats: not batch " + batch
                + " x 3 x " + inputHeight() + " x " + inputWidth() + " nor a square image size");
    }

    /** Logits for any supported input size, reporting every block's output to {@code observer} (nullable). */
    public float[] logits(float[] batchNchw, int batch, int h, int w, FeatureObserver observer) {
        checkInput(batchNchw, batch, h, w);
        int n = numClasses();
        float[] out = new float[batch * n];
        int per = 3 * h * w;
        for (int b = 0; b < batch; b++) {
            float[] logit = head(features(batchNchw, b * per, h, w, b, observer));
            System.arraycopy(logit, 0, out, b * n, n);
        }
        return out;
    }

    /** Pooled features {@code [batch][numFeatures()]}. */
    public float[] embed(float[] batchNchw, int batch, int h, int w) {
        checkInput(batchNchw, batch, h, w);
        int f = numFeatures();
        float[] out = new float[batch * f];
        for (int b = 0; b < batch; b++) System.arraycopy(features(batchNchw, b * 3 * h * w, h, w, b, null), 0, out, b * f, f);
        return out;
    }

    private static void checkInput(float[] x, int batch, int h, int w) {
        if (batch < 1 || h < 1 || w < 1) throw new IllegalArgumentException("bad batch/size: batch=" + batch + " " + h + "x" + w);
        if (x == null || (long) batch * 3 * h * w != x.length) {
            throw new IllegalArgumentException("input has " + (x == null ? 0 : x.length) + " floats, expected batch "
                    + batch + " x 3 x " + h + " x " + w + " = " + (long) batch * 3 * h * w);
        }
    }

    /** {@link Tappable}: the default (square) input size. */
    @Override
    public int inputSize() {
        return inputHeight();
    }

    /**
     * {@link Tappable}: one image at the default input size; reports the embedding, every attention (or
     * token-mixing) sub-block and every full block (kind MLP) as planar maps (class tokens dropped).
     */
    @Override
    public float[] forward(float[] image, FeatureTap tap) {
        int[] index = {0};
        FeatureObserver obs = tap == null ? null : (name, kind, img, tok, off, prefix, h, w, c) -> {
            BlockKind k = switch (kind) {
                case EMBEDDING -> BlockKind.EMBEDDING;
                case ATTENTION -> BlockKind.ATTENTION;
                case MLP -> BlockKind.MLP;
                case TOKEN_MLP -> BlockKind.TOKEN_MLP;
                case NORM, DOWNSAMPLE -> null;   // not blocks of the analysis
            };
            if (k != null) tap.accept(FeatureMap.fromTokens(index[0]++, name, k, tok, off, prefix, c, h, w));
        };
        return logits(image, 1, inputHeight(), inputWidth(), obs);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + architecture + ", " + parameterCount() + " parameters]";
    }
}
