package dev.vitesse.model.viz;

/**
 * Attention rollout (Abnar &amp; Zuidema, "Quantifying Attention Flow in Transformers", 2020): how much each
 * input patch contributes to the class token after all layers.
 *
 * <p>Per layer: average the heads, add the identity (the residual connection), renormalise rows to sum to 1;
 * then multiply the layers' matrices, first layer rightmost: {@code R = A_L * ... * A_1}. The result is the
 * class token's row over the patch tokens (for models without a class token, the mean of the patch rows, as those
 * models pool the patch tokens).
 */
public final class AttentionRollout {
    private AttentionRollout() {}

    /**
     * @param probs        {@code probs[layer]}: [heads][tokens][tokens] attention probabilities of one image
     *                     (query rows), e.g. a slice of the model's attention maps
     * @param heads        heads per layer
     * @param tokens       tokens per sequence (prefix + patches)
     * @param prefixTokens class/distillation/register tokens before the patches (0 if none)
     * @param classToken   whether token 0 is a class token (read its row); else the patch rows are averaged
     * @return patch relevances (the rollout matrix entries, not rescaled), length {@code tokens - prefixTokens},
     *         in patch order (row by row)
     */
    public static float[] rollout(float[][] probs, int heads, int tokens, int prefixTokens, boolean classToken) {
        if (probs.length == 0) throw new IllegalArgumentException("attention rollout needs at least one layer");
        if (prefixTokens < 0 || prefixTokens >= tokens) {
            throw new IllegalArgumentException("prefix tokens " + prefixTokens + " out of range for " + tokens + " tokens");
        }
        if (classToken && prefixTokens == 0) throw new IllegalArgumentException("a class token is a prefix token: prefixTokens is 0");
        int n = tokens;
        double[] r = identity(n);
        double[] a = new double[n * n];
        double[] next = new double[n * n];
        for (int l = 0; l < probs.length; l++) {
            float[] p = probs[l];
            if (p.length < heads * n * n) {
                throw new IllegalArgumentException("layer " + l + " attention has " + p.length + " values, expected "
                        + heads + "x" + n + "x" + n);
            }
            java.util.Arrays.fill(a, 0);
            for (int h = 0; h < heads; h++) {
                int off = h * n * n;
                for (int i = 0; i < n * n; i++) a[i] += p[off + i];
            }
            for (int i = 0; i < n; i++) {
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    double v = a[i * n + j] / heads + (i == j ? 1 : 0);
                    a[i * n + j] = v;
                    sum += v;
                }
                for (int j = 0; j < n; j++) a[i * n + j] /= sum;
            }
            // next = a * r  (the new layer acts after the previous ones)
            java.util.Arrays.fill(next, 0);
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < n; k++) {
                    double aik = a[i * n + k];
                    if (aik == 0) continue;
                    for (int j = 0; j < n; j++) next[i * n + j] += aik * r[k * n + j];
                }
            }
            double[] t = r;
            r = next;
            next = t;
        }
        int patches = n - prefixTokens;
        float[] out = new float[patches];
        if (classToken) {
            for (int j = 0; j < patches; j++) out[j] = (float) r[prefixTokens + j]; // row 0: class token
        } else {
            for (int i = prefixTokens; i < n; i++) {
                for (int j = 0; j < patches; j++) out[j] += (float) (r[i * n + prefixTokens + j] / patches);
            }
        }
        return out;
    }

    private static double[] identity(int n) {
        double[] m = new double[n * n];
        for (int i = 0; i < n; i++) m[i * n + i] = 1;
        return m;
    }
}
