package dev.vitesse.kernels.gemm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Exact-form GELU, {@code 0.5 x (1 + erf(x / sqrt 2))}, for the GEMM epilogue.
 *
 * <p>erf is a rational minimax approximation on [-4, 4] (beyond it erf rounds to +-1 in float):
 * {@code erf(x) = x P(x^2) / Q(x^2)}, P of degree 6 and Q of degree 4 in x^2 (the coefficients used by Eigen's
 * float erf). Measured max error vs a double reference is asserted in EpilogueMathTest.
 * (The kops helper's VectorMath/Gelu cover the stand-alone kernels; the two can be unified later.)
 */
public final class EpilogueMath {
    private EpilogueMath() {}

    private static final VectorSpecies<Float> S = GemmConfig.SPECIES;

    static final float A1 = -1.60960333262415e-02f;
    static final float A3 = -2.95459980854025e-03f;
    static final float A5 = -7.34990630326855e-04f;
    static final float A7 = -5.69250639462346e-05f;
    static final float A9 = -2.10102402082508e-06f;
    static final float A11 = 2.77068142495902e-08f;
    static final float A13 = -2.72614225801306e-10f;
    static final float B0 = -1.42647390514189e-02f;
    static final float B2 = -7.37332916720468e-03f;
    static final float B4 = -1.68282697438203e-03f;
    static final float B6 = -2.13374055278905e-04f;
    static final float B8 = -1.45660718464996e-05f;
    static final float INV_SQRT2 = 0.70710678118654752f;

    /** Scalar erf with the same approximation as the vector path. */
    public static float erf(float a) {
        float x = Math.max(-4f, Math.min(4f, a));
        float x2 = x * x;
        float p = A13;
        p = Math.fma(x2, p, A11);
        p = Math.fma(x2, p, A9);
        p = Math.fma(x2, p, A7);
        p = Math.fma(x2, p, A5);
        p = Math.fma(x2, p, A3);
        p = Math.fma(x2, p, A1);
        p = x * p;
        float q = B8;
        q = Math.fma(x2, q, B6);
        q = Math.fma(x2, q, B4);
        q = Math.fma(x2, q, B2);
        q = Math.fma(x2, q, B0);
        return p / q;
    }

    /** Scalar exact-form GELU. */
    public static float gelu(float v) {
        return 0.5f * v * (1f + erf(v * INV_SQRT2));
    }

    /**
     * In place GELU (then optional per-column scale {@code post[colOff + j]}) on a rows x cols block of c.
     * Called on a just-stored C tile while it is in L1.
     */
    public static void geluTile(float[] c, int off, int ld, int rows, int cols, float[] post, int colOff) {
        int vecCols = S.loopBound(cols);
        for (int i = 0; i < rows; i++) {
            int row = off + i * ld;
            int j = 0;
            for (; j < vecCols; j += S.length()) {
                FloatVector v = FloatVector.fromArray(S, c, row + j);
                FloatVector x = v.mul(INV_SQRT2).max(-4f).min(4f);
                FloatVector x2 = x.mul(x);
                FloatVector p = x2.fma(A13, A11);
                p = p.fma(x2, FloatVector.broadcast(S, A9));
                p = p.fma(x2, FloatVector.broadcast(S, A7));
                p = p.fma(x2, FloatVector.broadcast(S, A5));
                p = p.fma(x2, FloatVector.broadcast(S, A3));
                p = p.fma(x2, FloatVector.broadcast(S, A1));
                p = p.mul(x);
                FloatVector q = x2.fma(B8, B6);
                q = q.fma(x2, FloatVector.broadcast(S, B4));
                q = q.fma(x2, FloatVector.broadcast(S, B2));
                q = q.fma(x2, FloatVector.broadcast(S, B0));
                FloatVector erf = p.div(q);
                FloatVector g = v.mul(0.5f).mul(erf.add(1f));
                if (post != null) g = g.mul(FloatVector.fromArray(S, post, colOff + j));
                g.intoArray(c, row + j);
            }
            for (; j < cols; j++) {
                float g = gelu(c[row + j]);
                c[row + j] = post != null ? g * post[colOff + j] : g;
            }
        }
    }
}
