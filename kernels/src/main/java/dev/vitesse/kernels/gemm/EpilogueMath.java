package dev.vitesse.kernels.gemm;

import dev.vitesse.kernels.Activation;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The GEMM epilogue's non-linear step: an {@link Activation} (GELU, its tanh approximation, QuickGELU) on a
 * just-stored C tile while it is in L1.
 * The math itself is {@link Gelu} (erf from {@code VectorMath}), so the fused and stand-alone paths
 * give bit-identical results.
 */
public final class EpilogueMath {
    private EpilogueMath() {}

    private static final VectorSpecies<Float> S = GemmConfig.SPECIES;

    /**
     * In place {@code act}, then optional per-column scale {@code post[colOff + j]}, on a rows x cols block of c.
     */
    public static void activationTile(float[] c, int off, int ld, int rows, int cols, float[] post, int colOff,
                                      Activation act) {
        int vecCols = S.loopBound(cols);
        for (int i = 0; i < rows; i++) {
            int row = off + i * ld;
            int j = 0;
            for (; j < vecCols; j += S.length()) {
                FloatVector v = FloatVector.fromArray(S, c, row + j);
                FloatVector g = act.apply(v);
                if (post != null) g = g.mul(FloatVector.fromArray(S, post, colOff + j));
                g.intoArray(c, row + j);
            }
            for (; j < cols; j++) {
                float g = act.apply(c[row + j]);
                c[row + j] = post != null ? g * post[colOff + j] : g;
            }
        }
    }
}
