package dev.vitesse.model.vit;

import dev.vitesse.kernels.LayerNorm;
import dev.vitesse.kernels.Profiler;

/** {@code nn.LayerNorm(dim, eps)} with affine weight and bias. Immutable. */
final class Norm {
    final int dim;
    private final float[] gamma, beta;
    private final float eps;

    Norm(float[] gamma, float[] beta, float eps) {
        this.dim = gamma.length;
        this.gamma = gamma;
        this.beta = beta;
        this.eps = eps;
    }

    /** Normalises {@code rows} rows (row strides ldx, ldy); y may be x. */
    void apply(float[] x, int xOff, int ldx, float[] y, int yOff, int ldy, int rows) {
        long t = Profiler.start();
        LayerNorm.apply(x, xOff, y, yOff, rows, dim, ldx, ldy, gamma, beta, eps);
        Profiler.stop(Profiler.Kind.NORM, t);
    }

    long params() {
        return 2L * dim;
    }
}
