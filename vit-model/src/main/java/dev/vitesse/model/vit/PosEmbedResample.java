package dev.vitesse.model.vit;

/**
 * Resampling of a position-embedding grid [h][w][dim] (channels last) to another grid size, reproducing
 * PyTorch's {@code F.interpolate(mode="bicubic", align_corners=False)}:
 * <ul>
 *   <li>{@link #timm}: {@code antialias=True} (timm {@code resample_abs_pos_embed}). PyTorch's antialiased
 *       path is separable; output i is centred at {@code scale*(i+0.5)} (scale = in/out), the cubic kernel
 *       (a = -0.5, PIL's) is stretched by the scale when downsampling, taps outside the input are dropped and
 *       the weights renormalised to sum to one.</li>
 *   <li>{@link #hf}: {@code antialias=False} (HF {@code interpolate_pos_encoding}): 4 taps, Keys kernel with
 *       a = -0.75, source coordinate {@code scale*(i+0.5)-0.5}, indices clamped to the border.</li>
 * </ul>
 * Both run in double and round once, so they differ from PyTorch's float32 arithmetic by ~1 ulp.
 */
public final class PosEmbedResample {
    private PosEmbedResample() {}

    /** Per-output-index taps: first input index and weights. */
    private record Taps(int[] start, double[][] weights) {}

    /** timm-style (antialiased bicubic) resample of {@code src} [h0][w0][dim] to [h1][w1][dim]. */
    public static float[] timm(float[] src, int h0, int w0, int h1, int w1, int dim) {
        return separable(src, h0, w0, h1, w1, dim, antialiasTaps(h0, h1), antialiasTaps(w0, w1));
    }

    /** HF-style (plain bicubic, no antialias) resample of {@code src} [h0][w0][dim] to [h1][w1][dim]. */
    public static float[] hf(float[] src, int h0, int w0, int h1, int w1, int dim) {
        return separable(src, h0, w0, h1, w1, dim, cubicTaps(h0, h1), cubicTaps(w0, w1));
    }

    private static float[] separable(float[] src, int h0, int w0, int h1, int w1, int dim, Taps th, Taps tw) {
        if (src.length != h0 * w0 * dim) throw new IllegalArgumentException("pos embed grid size mismatch");
        // width pass: [h0][w1][dim]
        double[] tmp = new double[h0 * w1 * dim];
        for (int y = 0; y < h0; y++) {
            for (int x = 0; x < w1; x++) {
                double[] wts = tw.weights[x];
                int o = (y * w1 + x) * dim;
                for (int t = 0; t < wts.length; t++) {
                    int s = (y * w0 + clamp(tw.start[x] + t, w0)) * dim;
                    double wt = wts[t];
                    for (int c = 0; c < dim; c++) tmp[o + c] += wt * src[s + c];
                }
            }
        }
        double[] acc = new double[dim];
        float[] out = new float[h1 * w1 * dim];
        for (int y = 0; y < h1; y++) {
            double[] wts = th.weights[y];
            for (int x = 0; x < w1; x++) {
                java.util.Arrays.fill(acc, 0);
                for (int t = 0; t < wts.length; t++) {
                    int s = (clamp(th.start[y] + t, h0) * w1 + x) * dim;
                    for (int c = 0; c < dim; c++) acc[c] += wts[t] * tmp[s + c];
                }
                int o = (y * w1 + x) * dim;
                for (int c = 0; c < dim; c++) out[o + c] = (float) acc[c];
            }
        }
        return out;
    }

    private static int clamp(int i, int n) {
        return Math.min(Math.max(i, 0), n - 1);
    }

    /** PIL / PyTorch antialias bicubic filter, a = -0.5, support 2. */
    static double aaCubic(double x) {
        final double a = -0.5;
        x = Math.abs(x);
        if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
        if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
        return 0;
    }

    private static Taps antialiasTaps(int in, int out) {
        double scale = (double) in / out;
        double support = scale >= 1 ? 2 * scale : 2;
        double invScale = scale >= 1 ? 1 / scale : 1;
        int[] start = new int[out];
        double[][] w = new double[out][];
        for (int i = 0; i < out; i++) {
            double center = scale * (i + 0.5);
            int xmin = Math.max((int) (center - support + 0.5), 0);
            int xmax = Math.min((int) (center + support + 0.5), in);
            double[] wi = new double[Math.max(xmax - xmin, 0)];
            double total = 0;
            for (int j = 0; j < wi.length; j++) {
                wi[j] = aaCubic((j + xmin - center + 0.5) * invScale);
                total += wi[j];
            }
            if (total != 0) for (int j = 0; j < wi.length; j++) wi[j] /= total;
            start[i] = xmin;
            w[i] = wi;
        }
        return new Taps(start, w);
    }

    private static Taps cubicTaps(int in, int out) {
        final double a = -0.75;
        double scale = (double) in / out;
        int[] start = new int[out];
        double[][] w = new double[out][];
        for (int i = 0; i < out; i++) {
            double real = scale * (i + 0.5) - 0.5;
            int i0 = (int) Math.floor(real);
            double t = real - i0;
            start[i] = i0 - 1;
            w[i] = new double[] {cc2(t + 1, a), cc1(t, a), cc1(1 - t, a), cc2(2 - t, a)};
        }
        return new Taps(start, w);
    }

    private static double cc1(double x, double a) {
        return ((a + 2) * x - (a + 3)) * x * x + 1;
    }

    private static double cc2(double x, double a) {
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
    }
}
