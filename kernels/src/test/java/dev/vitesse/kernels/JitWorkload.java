package dev.vitesse.kernels;

import dev.vitesse.kernels.gemm.GemmConfig;

import java.util.SplittableRandom;

/**
 * Runs every kernel with every epilogue variant often enough for the JIT to reach its top tier; started in a
 * child JVM by {@link JitHealthTest}, which reads the JIT's log. Prints {@code done} at the end.
 */
public final class JitWorkload {
    private JitWorkload() {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        SplittableRandom rnd = new SplittableRandom(7);
        int m = 197, k = 384, n = 3 * GemmConfig.NR + 5;
        float[] x = random(rnd, m * k), w = random(rnd, n * k), bias = random(rnd, n), gamma = random(rnd, n);
        float[] c = new float[m * n], tall = new float[1500 * 40];
        PackedMatrix pw = PackedMatrix.packWeight(w, 0, n, k);
        Epilogue[] variants = {
                Epilogue.NONE, Epilogue.NONE.withBias(bias), Epilogue.NONE.withBias(bias).withGelu(),
                Epilogue.NONE.withBias(bias).withColumnScale(gamma).accumulate(), Epilogue.NONE.withAlpha(0.5f),
                Epilogue.NONE.withBias(bias).withGelu().withColumnScale(gamma)};
        int heads = 3, hd = 64, tokens = 197;
        float[] qkv = random(rnd, tokens * 3 * heads * hd), out = new float[tokens * heads * hd];
        float[] probs = new float[heads * tokens * tokens];
        float[] ln = random(rnd, m * k), lnGamma = random(rnd, k), lnBeta = random(rnd, k);
        DepthwiseConv2d dw = DepthwiseConv2d.of(random(rnd, 64 * 9), random(rnd, 64), 64, 3, 3, 1, 1);
        float[] img = random(rnd, 28 * 28 * 64), img2 = new float[28 * 28 * 64];
        for (int r = 0; r < rounds; r++) {
            for (Epilogue e : variants) pw.multiply(m, x, 0, k, c, 0, n, e);
            Gemm.sgemm(false, true, m, n, k, 1f, x, 0, k, w, 0, k, 0f, c, 0, n);
            Gemm.sgemm(true, false, n, m, k, 0.5f, w, 0, n, x, 0, m, 0.25f, c, 0, m);
            Gemm.sgemm(false, false, 1500, 40, 30, 1f, ln, 0, 30, w, 0, 40, 1f, tall, 0, 40);
            AttentionView q = AttentionView.qkv(qkv, 0, tokens, heads, hd, 0);
            AttentionView kv = AttentionView.qkv(qkv, 0, tokens, heads, hd, 1);
            AttentionView v = AttentionView.qkv(qkv, 0, tokens, heads, hd, 2);
            AttentionView o = AttentionView.tokenMajor(out, 0, tokens, heads, hd);
            Attention.flash(1, heads, tokens, tokens, hd, 0.125f, q, kv, v, o, null);
            Attention.explicit(1, heads, tokens, tokens, hd, 0.125f, q, kv, v, o, null, probs, 0);
            LayerNorm.apply(ln, 0, ln, 0, m, k, lnGamma, lnBeta, 1e-6f);
            Softmax.rows(probs, 0, heads * tokens, tokens, tokens);
            Gelu.apply(ln, 0, ln.length);
            dw.applyNhwc(img, 0, 28, 28, img2, 0);
        }
        System.out.println("done");
    }

    private static float[] random(SplittableRandom rnd, int len) {
        float[] f = new float[len];
        for (int i = 0; i < len; i++) f[i] = (float) (rnd.nextDouble() - 0.5);
        return f;
    }
}
