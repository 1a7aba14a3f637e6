package dev.vitesse.model.vit;

import dev.vitesse.kernels.Activation;
import dev.vitesse.kernels.Epilogue;
import dev.vitesse.kernels.PackedMatrix;
import dev.vitesse.kernels.Profiler;
import dev.vitesse.kernels.WeightFormat;

/**
 * {@code nn.Linear} with a fixed fused epilogue: {@code y (=|+=) act(x W^T + b) * gamma}.
 * The weight is packed once at load; instances are immutable and thread-safe.
 */
final class Linear {
    final int in, out;
    private final PackedMatrix weight;
    private final Epilogue epilogue;
    private final long params;

    /**
     * @param w          [out][in] row-major (PyTorch layout)
     * @param bias       length out, nullable
     * @param gelu       apply exact GELU after the bias
     * @param gamma      per-output scale after the activation (LayerScale), nullable
     * @param accumulate add into the destination (residual) instead of overwriting it
     */
    Linear(float[] w, float[] bias, int out, int in, boolean gelu, float[] gamma, boolean accumulate) {
        this(pack(w, out, in, WeightFormat.FP32), bias, gelu, gamma, accumulate);
    }

    /** As above with an already packed [out][in] weight (e.g. packed straight from the memory-mapped file). */
    Linear(PackedMatrix packed, float[] bias, boolean gelu, float[] gamma, boolean accumulate) {
        this(packed, bias, gelu ? Activation.GELU : null, gamma, accumulate);
    }

    /** As above with any activation ({@code act} null: none) after the bias. */
    Linear(PackedMatrix packed, float[] bias, Activation act, float[] gamma, boolean accumulate) {
        this.in = packed.k();
        this.out = packed.n();
        this.weight = packed;
        Epilogue e = Epilogue.NONE;
        if (bias != null) e = e.withBias(bias.clone());
        if (act != null) e = e.withActivation(act);
        if (gamma != null) e = e.withColumnScale(gamma.clone());
        if (accumulate) e = e.accumulate();
        this.epilogue = e;
        this.params = (long) out * in + (bias != null ? out : 0) + (gamma != null ? out : 0);
    }

    /** Packs a [out][in] weight in the given storage format (the float[] is not retained). */
    static PackedMatrix pack(float[] w, int out, int in, WeightFormat format) {
        if (w.length != (long) out * in) throw new IllegalArgumentException("weight length " + w.length + " != " + out + "x" + in);
        return PackedMatrix.packWeight(w, 0, out, in, format);
    }

    /** Rows {@code m} of x (row stride ldx) -> rows of y (row stride ldy). */
    void apply(int m, float[] x, int xOff, int ldx, float[] y, int yOff, int ldy) {
        long t = Profiler.start();
        weight.multiply(m, x, xOff, ldx, y, yOff, ldy, epilogue);
        Profiler.stop(Profiler.Kind.GEMM, t);
    }

    /** Parameter count (weight, bias and LayerScale gamma fused into this layer). */
    long params() {
        return params;
    }
}
