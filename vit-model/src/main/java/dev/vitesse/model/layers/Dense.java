package dev.vitesse.model.layers;

import dev.vitesse.kernels.Epilogue;
import dev.vitesse.kernels.PackedMatrix;
import dev.vitesse.kernels.Profiler;
import dev.vitesse.kernels.WeightFormat;
import dev.vitesse.model.io.TensorMap;

/**
 * A linear layer {@code y = x W^T + b} (PyTorch {@code nn.Linear}, weight {@code [out][in]}) packed once at load for
 * the GEMM kernel. Immutable and thread-safe. The fixed-epilogue methods ({@link #apply}, {@link #applyGelu},
 * {@link #applyAdd}) cover the common cases; {@link #apply(int, float[], int, int, float[], int, int, Epilogue)} takes
 * any epilogue built on {@link #epilogue()}. Every product is reported to {@link Profiler} as GEMM.
 */
public final class Dense {
    private final PackedMatrix w;
    private final float[] bias;
    private final Epilogue plain, gelu, residual;

    /** Packs {@code weight} [out][in] as f32. */
    public Dense(float[] weight, float[] bias, int out, int in) {
        this(weight, bias, out, in, WeightFormat.FP32);
    }

    /** Packs {@code weight} [out][in] in {@code format} (the array is not retained). */
    public Dense(float[] weight, float[] bias, int out, int in, WeightFormat format) {
        this.w = PackedMatrix.packWeight(weight, 0, out, in, format);
        this.bias = bias;
        this.plain = bias == null ? Epilogue.NONE : Epilogue.NONE.withBias(bias);
        this.gelu = plain.withGelu();
        this.residual = plain.accumulate();
    }

    /** Loads {@code prefix.weight} [out][in] and, if {@code hasBias}, {@code prefix.bias} [out]. */
    public static Dense load(TensorMap t, String prefix, int out, int in, boolean hasBias) {
        float[] w = t.take(prefix + ".weight", out, in);
        float[] b = hasBias ? t.take(prefix + ".bias", out) : null;
        return new Dense(w, b, out, in, t.weightFormat());
    }

    /** Loads weight and bias scaled by {@code s} (exact for powers of two, e.g. a folded attention scale). */
    public static Dense loadScaled(TensorMap t, String prefix, int out, int in, float s) {
        float[] w = t.take(prefix + ".weight", out, in).clone();
        float[] b = t.take(prefix + ".bias", out).clone();
        for (int i = 0; i < w.length; i++) w[i] *= s;
        for (int i = 0; i < b.length; i++) b[i] *= s;
        return new Dense(w, b, out, in, t.weightFormat());
    }

    public int out() { return w.n(); }
    public int in() { return w.k(); }
    /** The bias (not a copy; null when the layer has none). */
    public float[] bias() { return bias; }
    /** Bytes of the packed weight plus the f32 bias. */
    public long bytes() { return w.bytes() + (bias == null ? 0 : 4L * bias.length); }
    public long parameterCount() { return (long) w.n() * w.k() + (bias == null ? 0 : bias.length); }

    /** The bias epilogue (or NONE), to extend with GELU / column scale / accumulate. */
    public Epilogue epilogue() { return plain; }

    /** {@code y[m][out] (=|+=) epi(x[m][in] W^T)} with row strides; {@code e} should build on {@link #epilogue()}. */
    public void apply(int m, float[] x, int xOff, int ldx, float[] y, int yOff, int ldy, Epilogue e) {
        mul(m, x, xOff, ldx, y, yOff, ldy, e);
    }

    /** {@code y[m][out] = x[m][in] W^T + b} with row strides. */
    public void apply(int m, float[] x, int xOff, int ldx, float[] y, int yOff, int ldy) {
        mul(m, x, xOff, ldx, y, yOff, ldy, plain);
    }

    /** Contiguous rows. */
    public void apply(int m, float[] x, int xOff, float[] y, int yOff) {
        mul(m, x, xOff, in(), y, yOff, out(), plain);
    }

    /** Contiguous rows from offset 0. */
    public void apply(int m, float[] x, float[] y) {
        mul(m, x, 0, in(), y, 0, out(), plain);
    }

    /** {@code y = gelu(x W^T + b)}, contiguous rows. */
    public void applyGelu(int m, float[] x, int xOff, float[] y, int yOff) {
        mul(m, x, xOff, in(), y, yOff, out(), gelu);
    }

    /** {@code y += x W^T + b} (residual add), contiguous rows. */
    public void applyAdd(int m, float[] x, int xOff, float[] y, int yOff) {
        mul(m, x, xOff, in(), y, yOff, out(), residual);
    }

    /** {@code y += x W^T + b} with row strides. */
    public void applyAdd(int m, float[] x, int xOff, int ldx, float[] y, int yOff, int ldy) {
        mul(m, x, xOff, ldx, y, yOff, ldy, residual);
    }

    private void mul(int m, float[] x, int xOff, int ldx, float[] y, int yOff, int ldy, Epilogue e) {
        long t = Profiler.start();
        w.multiply(m, x, xOff, ldx, y, yOff, ldy, e);
        Profiler.stop(Profiler.Kind.GEMM, t);
    }
}
