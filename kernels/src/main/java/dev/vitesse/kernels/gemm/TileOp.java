package dev.vitesse.kernels.gemm;

import dev.vitesse.kernels.Activation;

/**
 * How an accumulated tile is combined into C, per K block: {@code v = acc * s_j + (first K block ? add_j + beta*C : C)},
 * then, after the last K block only, {@code v = act(v) * post_j} when an activation {@code act} is set.
 * {@code s_j = scale[j]} or {@code alpha} when scale is null; beta == 0 means C is not read (BLAS: NaN in C does not
 * propagate). Column arrays are padded to a multiple of {@link GemmConfig#NR} so tiles load whole vectors.
 *
 * <p>Being linear until the optional activation, this lets K-blocked partial sums live in C itself with no scratch.
 */
public record TileOp(float alpha, float beta, float[] scale, float[] add, Activation act, float[] post) {

    /** Plain BLAS update {@code C = alpha*acc + beta*C}. */
    public static TileOp blas(float alpha, float beta) {
        return new TileOp(alpha, beta, null, null, null, null);
    }

    /** Copies {@code src[0..n)} (times {@code factor[j]} if non-null, times {@code s}) into a zero-padded array. */
    public static float[] padded(float[] src, float[] factor, float s, int n) {
        int len = (n + GemmConfig.NR - 1) / GemmConfig.NR * GemmConfig.NR;
        float[] out = new float[len];
        for (int j = 0; j < n; j++) {
            float v = src == null ? s : src[j] * s;
            out[j] = factor == null ? v : v * factor[j];
        }
        return out;
    }
}
