package dev.vitesse.model.analysis;

/**
 * Separable 2-D discrete Fourier transform of real planar maps of any size.
 *
 * <p>Feature maps in the analysis are 7, 14, 28, 56 (or 12, 24, ...) pixels wide: not powers of two, and tiny.
 * A direct DFT with precomputed double-precision twiddles (rows, then columns: O(HW(H+W)) per channel) is exact
 * for every size, simple, and costs well under a millisecond per 56x56 channel, so a radix-2 FFT or Bluestein's
 * algorithm would add code without a measurable benefit here.
 */
public final class Dft2d {
    private final int h, w;
    private final double[] cosH, sinH, cosW, sinW;

    public Dft2d(int h, int w) {
        if (h < 1 || w < 1) throw new IllegalArgumentException("DFT size must be positive, found " + h + "x" + w);
        this.h = h;
        this.w = w;
        cosH = new double[h];
        sinH = new double[h];
        cosW = new double[w];
        sinW = new double[w];
        for (int k = 0; k < h; k++) {
            cosH[k] = Math.cos(2 * Math.PI * k / h);
            sinH[k] = Math.sin(2 * Math.PI * k / h);
        }
        for (int k = 0; k < w; k++) {
            cosW[k] = Math.cos(2 * Math.PI * k / w);
            sinW[k] = Math.sin(2 * Math.PI * k / w);
        }
    }

    /**
     * Magnitudes {@code |F[u][v]|} of {@code F[u][v] = sum_{y,x} x[y][x] exp(-2 pi i (u y / h + v x / w))}
     * (numpy/torch {@code fft2} convention) for the map at {@code x[off .. off + h*w)}.
     */
    public double[] magnitude(float[] x, int off) {
        double[] re = new double[h * w], im = new double[h * w];
        // rows: R[y][v] = sum_x x[y][x] e^{-2 pi i v x / w}
        for (int y = 0; y < h; y++) {
            int row = off + y * w;
            for (int v = 0; v < w; v++) {
                double sr = 0, si = 0;
                for (int xx = 0, k = 0; xx < w; xx++) {
                    double val = x[row + xx];
                    sr += val * cosW[k];
                    si -= val * sinW[k];
                    k += v;
                    if (k >= w) k -= w;
                }
                re[y * w + v] = sr;
                im[y * w + v] = si;
            }
        }
        // columns: F[u][v] = sum_y R[y][v] e^{-2 pi i u y / h}
        double[] mag = new double[h * w];
        double[] cr = new double[h], ci = new double[h];
        for (int v = 0; v < w; v++) {
            for (int y = 0; y < h; y++) {
                cr[y] = re[y * w + v];
                ci[y] = im[y * w + v];
            }
            for (int u = 0; u < h; u++) {
                double sr = 0, si = 0;
                for (int y = 0, k = 0; y < h; y++) {
                    double c = cosH[k], s = sinH[k];
                    sr += cr[y] * c + ci[y] * s;
                    si += ci[y] * c - cr[y] * s;
                    k += u;
                    if (k >= h) k -= h;
                }
                mag[u * w + v] = Math.hypot(sr, si);
            }
        }
        return mag;
    }
}
