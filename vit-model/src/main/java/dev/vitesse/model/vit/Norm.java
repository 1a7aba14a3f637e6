package dev.vitesse.model.vit;

import dev.vitesse.kernels.LayerNorm;

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
        LayerNorm.apply(x, xOff, y, yOff, rows, dim, ldx, ldy, gamma, beta, eps);
    }

    long params() {
        return 2L * dim;
    }
}
