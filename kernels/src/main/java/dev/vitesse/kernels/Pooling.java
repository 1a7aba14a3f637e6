package dev.vitesse.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Spatial pooling on channels-last feature maps {@code [h*w][c]} (one image per call), vectorised
 * over channels. Semantics follow PyTorch's {@code avg_pool2d} / {@code adaptive_avg_pool2d} /
 * {@code max_pool2d} (floor output size, {@code ceil_mode=False}).
 */
public final class Pooling {
    private Pooling() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    /** Output size of a k/s/p window along one axis (floor mode). */
    public static int outSize(int in, int k, int s, int p) {
        if (in < 1 || k < 1 || s < 1 || p < 0 || in + 2L * p < k) {
            throw new IllegalArgumentException("bad pooling geometry: input " + in + " kernel " + k + " stride " + s + " pad " + p);
        }
        if (2L * p > k) throw new IllegalArgumentException("pooling pad " + p + " must be at most half the kernel " + k);
        if (in + 2L * p > Integer.MAX_VALUE)
            throw new IllegalArgumentException("pooling padded input " + in + " + 2*" + p + " exceeds Integer.MAX_VALUE");
        return (in + 2 * p - k) / s + 1;
    }

    /**
     * {@code avg_pool2d(kernel, stride, padding, count_include_pad)}: y {@code [outH*outW][c]}.
     * With {@code countIncludePad} the divisor is the window size clipped to the padded map
     * (PyTorch's rule), otherwise the number of real input pixels in the window.
     */
    public static void avgPool(float[] x, int xOff, int h, int w, int c, int kernel, int stride, int pad,
                               boolean countIncludePad, float[] y, int yOff) {
        int oh = outSize(h, kernel, stride, pad), ow = outSize(w, kernel, stride, pad);
        Checks.range("input", x, xOff, (long) h * w * c);
        Checks.range("output", y, yOff, (long) oh * ow * c);
        Checks.noOverlapLen("input", x, xOff, (long) h * w * c, "output", y, yOff, (long) oh * ow * c);
        for (int oy = 0; oy < oh; oy++) {
            int hs = oy * stride - pad, he = Math.min(hs + kernel, h + pad);
            int poolH = he - hs;
            int y0 = Math.max(hs, 0), y1 = Math.min(he, h);
            for (int ox = 0; ox < ow; ox++) {
                int ws = ox * stride - pad, we = Math.min(ws + kernel, w + pad);
                int poolW = we - ws;
                int x0 = Math.max(ws, 0), x1 = Math.min(we, w);
                long count = countIncludePad ? (long) poolH * poolW : (long) (y1 - y0) * (x1 - x0); // can exceed int
                meanRegion(x, xOff, w, c, y0, y1, x0, x1, 1f / count, y, yOff + (oy * ow + ox) * c);
            }
        }
    }

    /**
     * {@code adaptive_avg_pool2d(output (outH, outW))}: output cell i along an axis of length n
     * averages input [floor(i*n/out), ceil((i+1)*n/out)).
     */
    public static void adaptiveAvgPool(float[] x, int xOff, int h, int w, int c, int outH, int outW, float[] y, int yOff) {
        if (h < 1 || w < 1 || c < 1 || outH < 1 || outW < 1) {
            throw new IllegalArgumentException("bad adaptive pooling geometry: " + h + "x" + w + "x" + c + " -> " + outH + "x" + outW);
        }
        Checks.range("input", x, xOff, (long) h * w * c);
        Checks.range("output", y, yOff, (long) outH * outW * c);
        Checks.noOverlapLen("input", x, xOff, (long) h * w * c, "output", y, yOff, (long) outH * outW * c);
        for (int oy = 0; oy < outH; oy++) {
            // long: oy * h can exceed int (h = outH = 65536)
            int y0 = (int) Math.floorDiv((long) oy * h, outH), y1 = (int) -Math.floorDiv(-(oy + 1L) * h, outH);
            for (int ox = 0; ox < outW; ox++) {
                int x0 = (int) Math.floorDiv((long) ox * w, outW), x1 = (int) -Math.floorDiv(-(ox + 1L) * w, outW);
                meanRegion(x, xOff, w, c, y0, y1, x0, x1, 1f / ((long) (y1 - y0) * (x1 - x0)), y, yOff + (oy * outW + ox) * c);
            }
        }
    }

    /** y[0..c) = inv * sum over rows [y0,y1) x cols [x0,x1). */
    private static void meanRegion(float[] x, int xOff, int w, int c, int y0, int y1, int x0, int x1, float inv,
                                   float[] y, int out) {
        int vecEnd = S.loopBound(c);
        int ch = 0;
        for (; ch < vecEnd; ch += L) {
            FloatVector acc = FloatVector.zero(S);
            for (int iy = y0; iy < y1; iy++) {
                for (int ix = x0; ix < x1; ix++) acc = acc.add(FloatVector.fromArray(S, x, xOff + (iy * w + ix) * c + ch));
            }
            acc.mul(inv).intoArray(y, out + ch);
        }
        for (; ch < c; ch++) {
            float acc = 0f;
            for (int iy = y0; iy < y1; iy++) {
                for (int ix = x0; ix < x1; ix++) acc += x[xOff + (iy * w + ix) * c + ch];
            }
            y[out + ch] = acc * inv;
        }
    }

    /** {@code max_pool2d(kernel, stride, padding)} (padding never wins: it is -infinity). */
    public static void maxPool(float[] x, int xOff, int h, int w, int c, int kernel, int stride, int pad, float[] y, int yOff) {
        int oh = outSize(h, kernel, stride, pad), ow = outSize(w, kernel, stride, pad);
        Checks.range("input", x, xOff, (long) h * w * c);
        Checks.range("output", y, yOff, (long) oh * ow * c);
        Checks.noOverlapLen("input", x, xOff, (long) h * w * c, "output", y, yOff, (long) oh * ow * c);
        int vecEnd = S.loopBound(c);
        for (int oy = 0; oy < oh; oy++) {
            int y0 = Math.max(oy * stride - pad, 0), y1 = Math.min(oy * stride - pad + kernel, h);
            for (int ox = 0; ox < ow; ox++) {
                int x0 = Math.max(ox * stride - pad, 0), x1 = Math.min(ox * stride - pad + kernel, w);
                int out = yOff + (oy * ow + ox) * c;
                int ch = 0;
                for (; ch < vecEnd; ch += L) {
                    FloatVector acc = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
                    for (int iy = y0; iy < y1; iy++) {
                        for (int ix = x0; ix < x1; ix++) {
                            acc = acc.lanewise(VectorOperators.MAX, FloatVector.fromArray(S, x, xOff + (iy * w + ix) * c + ch));
                        }
                    }
                    acc.intoArray(y, out + ch);
                }
                for (; ch < c; ch++) {
                    float acc = Float.NEGATIVE_INFINITY;
                    for (int iy = y0; iy < y1; iy++) {
                        for (int ix = x0; ix < x1; ix++) acc = Math.max(acc, x[xOff + (iy * w + ix) * c + ch]);
                    }
                    y[out + ch] = acc;
                }
            }
        }
    }

    /** Mean over {@code rows} token rows {@code x[r*ldx + ch]} into {@code y[yOff + ch]}, ch in [0, c). */
    public static void meanTokens(float[] x, int xOff, int rows, int c, int ldx, float[] y, int yOff) {
        if (rows < 1 || c < 1 || ldx < c) throw new IllegalArgumentException("bad token mean geometry: rows=" + rows + " c=" + c + " ld=" + ldx);
        Checks.range("input", x, xOff, (long) (rows - 1) * ldx + c);
        Checks.range("output", y, yOff, c);
        Checks.noRowsOverlap("input", x, xOff, ldx, rows, c, "output", y, yOff, 0, 1, c);
        float inv = 1f / rows;
        int vecEnd = S.loopBound(c);
        int ch = 0;
        for (; ch < vecEnd; ch += L) {
            FloatVector acc = FloatVector.zero(S);
            for (int r = 0; r < rows; r++) acc = acc.add(FloatVector.fromArray(S, x, xOff + r * ldx + ch));
            acc.mul(inv).intoArray(y, yOff + ch);
        }
        for (; ch < c; ch++) {
            float acc = 0f;
            for (int r = 0; r < rows; r++) acc += x[xOff + r * ldx + ch];
            y[yOff + ch] = acc * inv;
        }
    }
}
