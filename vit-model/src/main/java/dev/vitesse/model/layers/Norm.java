package dev.vitesse.model.layers;

import dev.vitesse.kernels.LayerNorm;
import dev.vitesse.kernels.Profiler;
import dev.vitesse.model.io.TensorMap;

/**
 * {@code nn.LayerNorm(dim, eps)} over the last dimension with affine weight and bias. Immutable; reported to the
 * profiler as NORM.
 */
public final class Norm {
    private final float[] gamma, beta;
    private final float eps;

    public Norm(float[] gamma, float[] beta, float eps) {
        this.gamma = gamma;
        this.beta = beta;
        this.eps = eps;
    }

    /** Loads {@code prefix.weight} and {@code prefix.bias}, both [dim]. */
    public static Norm load(TensorMap t, String prefix, int dim, float eps) {
        return new Norm(t.take(prefix + ".weight", dim), t.take(prefix + ".bias", dim), eps);
    }

    public int dim() { return gamma.length; }

    /** Weight and bias. */
    public long parameterCount() { return 2L * gamma.length; }

    /** {@code y = LN(x)} over {@code rows} contiguous rows ({@code y} may equal {@code x}). */
    public void apply(float[] x, int xOff, float[] y, int yOff, int rows) {
        apply(x, xOff, gamma.length, y, yOff, gamma.length, rows);
    }

    /** {@code y = LN(x)} over {@code rows} rows with row strides {@code ldx}, {@code ldy} ({@code y} may be {@code x}). */
    public void apply(float[] x, int xOff, int ldx, float[] y, int yOff, int ldy, int rows) {
        long t = Profiler.start();
        LayerNorm.apply(x, xOff, y, yOff, rows, gamma.length, ldx, ldy, gamma, beta, eps);
        Profiler.stop(Profiler.Kind.NORM, t);
    }
}
