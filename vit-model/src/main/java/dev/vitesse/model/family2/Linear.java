package dev.vitesse.model.family2;

import dev.vitesse.kernels.Epilogue;
import dev.vitesse.kernels.PackedMatrix;
import dev.vitesse.model.io.TensorMap;

/** An {@code nn.Linear} (weight [out,in] + optional bias) packed once for the GEMM kernel. */
public final class Linear {
    private final PackedMatrix w;
    private final float[] bias;

    public Linear(float[] weight, float[] bias, int out, int in) {
        this.w = PackedMatrix.packWeight(weight, 0, out, in);
        this.bias = bias;
    }

    /** Loads {@code prefix.weight} [out,in] and (if {@code hasBias}) {@code prefix.bias} [out]. */
    public static Linear load(TensorMap t, String prefix, int out, int in, boolean hasBias) {
        float[] w = t.take(prefix + ".weight", out, in);
        float[] b = hasBias ? t.take(prefix + ".bias", out) : null;
        return new Linear(w, b, out, in);
    }

    /** Loads and scales weight and bias by {@code s} (exact for powers of two). */
    public static Linear loadScaled(TensorMap t, String prefix, int out, int in, float s) {
        float[] w = t.take(prefix + ".weight", out, in).clone();
        float[] b = t.take(prefix + ".bias", out).clone();
        for (int i = 0; i < w.length; i++) w[i] *= s;
        for (int i = 0; i < b.length; i++) b[i] *= s;
        return new Linear(w, b, out, in);
    }

    public int out() {
        return w.n();
    }

    public int in() {
        return w.k();
    }

    public float[] bias() {
        return bias;
    }

    /** The bias epilogue (or NONE) to extend with GELU / column scale / accumulate. */
    public Epilogue epilogue() {
        return bias == null ? Epilogue.NONE : Epilogue.NONE.withBias(bias);
    }

    /** {@code y[m][out] = epi(x[m][in] W^T)} with the given epilogue (which should include {@link #epilogue()}). */
    public void apply(int m, float[] x, int xOff, int ldx, float[] y, int yOff, int ldy, Epilogue e) {
        w.multiply(m, x, xOff, ldx, y, yOff, ldy, e);
    }

    /** {@code y = x W^T + b}, dense rows. */
    public void apply(int m, float[] x, float[] y) {
        w.multiply(m, x, 0, in(), y, 0, out(), epilogue());
    }
}
