package dev.vitesse.model.fam1;

import dev.vitesse.kernels.LayerNorm;
import dev.vitesse.kernels.Profiler;
import dev.vitesse.model.io.TensorMap;

/** LayerNorm over the last dimension with affine parameters (reported to the profiler as NORM). */
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

    /** {@code y = LN(x)} over {@code rows} contiguous rows ({@code y} may equal {@code x}). */
    public void apply(float[] x, int xOff, float[] y, int yOff, int rows) {
        long t = Profiler.start();
        LayerNorm.apply(x, xOff, y, yOff, rows, gamma.length, gamma, beta, eps);
        Profiler.stop(Profiler.Kind.NORM, t);
    }
}
