package dev.vitesse.kernels;

/**
 * Scalar double-accumulating oracles for the conv/pool kernels. Every function returns, next to
 * the value, the sum of absolute products, which bounds the float rounding error of any summation
 * order: |err| <= K * 2^-24 * sum|terms| (+ one rounding of the result).
 */
final class ConvReference {
    private ConvReference() {}

    /** Dense conv, PyTorch semantics. x NCHW [cin][h][w]; returns {y, absSum} each [oh*ow][cout] (channels-last). */
    static double[][] conv2d(float[] x, int cin, int h, int w, float[] weight, float[] bias, int cout,
                             int kh, int kw, int sh, int sw, int ph, int pw) {
        int oh = (h + 2 * ph - kh) / sh + 1, ow = (w + 2 * pw - kw) / sw + 1;
        double[] y = new double[oh * ow * cout], a = new double[oh * ow * cout];
        for (int oy = 0; oy < oh; oy++) for (int ox = 0; ox < ow; ox++) for (int co = 0; co < cout; co++) {
            double s = bias == null ? 0 : bias[co], abs = Math.abs(s);
            for (int ci = 0; ci < cin; ci++) for (int ky = 0; ky < kh; ky++) for (int kx = 0; kx < kw; kx++) {
                int iy = oy * sh - ph + ky, ix = ox * sw - pw + kx;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                double t = (double) x[(ci * h + iy) * w + ix] * weight[((co * cin + ci) * kh + ky) * kw + kx];
                s += t;
                abs += Math.abs(t);
            }
            y[(oy * ow + ox) * cout + co] = s;
            a[(oy * ow + ox) * cout + co] = abs;
        }
        return new double[][] {y, a};
    }

    /** Depthwise conv; x NCHW [c][h][w]; returns {y, absSum} each NCHW [c][oh][ow]. */
    static double[][] depthwise(float[] x, int c, int h, int w, float[] weight, float[] bias, int k, int s, int p) {
        int oh = (h + 2 * p - k) / s + 1, ow = (w + 2 * p - k) / s + 1;
        double[] y = new double[c * oh * ow], a = new double[c * oh * ow];
        for (int ch = 0; ch < c; ch++) for (int oy = 0; oy < oh; oy++) for (int ox = 0; ox < ow; ox++) {
            double sum = bias == null ? 0 : bias[ch], abs = Math.abs(sum);
            for (int ky = 0; ky < k; ky++) for (int kx = 0; kx < k; kx++) {
                int iy = oy * s - p + ky, ix = ox * s - p + kx;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                double t = (double) x[(ch * h + iy) * w + ix] * weight[(ch * k + ky) * k + kx];
                sum += t;
                abs += Math.abs(t);
            }
            y[(ch * oh + oy) * ow + ox] = sum;
            a[(ch * oh + oy) * ow + ox] = abs;
        }
        return new double[][] {y, a};
    }

    static float[] nchwToNhwc(float[] x, int c, int h, int w) {
        float[] y = new float[x.length];
        for (int ch = 0; ch < c; ch++) for (int i = 0; i < h * w; i++) y[i * c + ch] = x[ch * h * w + i];
        return y;
    }

    static double[] nhwcToNchw(double[] x, int c, int h, int w) {
        double[] y = new double[x.length];
        for (int ch = 0; ch < c; ch++) for (int i = 0; i < h * w; i++) y[ch * h * w + i] = x[i * c + ch];
        return y;
    }

    static float[] random(java.util.Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextGaussian());
        return a;
    }
}
