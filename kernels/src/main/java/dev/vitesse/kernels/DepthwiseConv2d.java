package dev.vitesse.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Depthwise 2-D convolution ({@code groups = channels}, one filter per channel), any kernel size
 * (3x3 and 7x7 are the common ones), any stride, zero padding, optional bias. One image per call.
 *
 * <p>The weight is PyTorch's {@code [c][1][kh][kw]}. Two data layouts, each vectorised over its
 * contiguous dimension:
 * <ul>
 *   <li>{@link #applyNhwc} — channels-last {@code [h*w][c]} (token models: PVT v2's MLP), vectors
 *       run over channels; the weight is reordered at construction to {@code [ky][kx][c]} so each
 *       tap is one contiguous vector load.</li>
 *   <li>{@link #applyNchw} — planar {@code [c][h][w]}, vectors run along output rows (stride 1);
 *       border columns and strided convolutions take the scalar path.</li>
 * </ul>
 * Output rows are distributed over {@link Parallel}. Instances are immutable and thread-safe.
 */
public final class DepthwiseConv2d {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Channel vectors per pass of the channels-last kernel. */
    private static final int CH_BLOCK = 8;

    private final int c, kh, kw, stride, pad;
    private final float[] wPlanar; // [c][kh][kw] (PyTorch order)
    private final float[] wTaps;   // [kh][kw][c]
    private final float[] bias;    // [c], zeros when absent

    private DepthwiseConv2d(int c, int kh, int kw, int stride, int pad, float[] wPlanar, float[] bias) {
        this.c = c;
        this.kh = kh;
        this.kw = kw;
        this.stride = stride;
        this.pad = pad;
        this.wPlanar = wPlanar;
        this.bias = bias;
        this.wTaps = new float[kh * kw * c];
        for (int ch = 0; ch < c; ch++) {
            for (int t = 0; t < kh * kw; t++) wTaps[t * c + ch] = wPlanar[ch * kh * kw + t];
        }
    }

    /**
     * @param weight PyTorch {@code [channels][1][kh][kw]} (copied)
     * @param bias   {@code [channels]} or null
     */
    public static DepthwiseConv2d of(float[] weight, float[] bias, int channels, int kh, int kw, int stride, int padding) {
        Checks.notNull("weight", weight);
        if (channels < 1 || kh < 1 || kw < 1 || stride < 1 || padding < 0) {
            throw new IllegalArgumentException("bad depthwise conv geometry: channels=" + channels + " kernel=" + kh + "x" + kw
                    + " stride=" + stride + " pad=" + padding);
        }
        if (weight.length != (long) channels * kh * kw) {
            throw new IllegalArgumentException("depthwise weight has " + weight.length + " floats, expected "
                    + channels + "x1x" + kh + "x" + kw);
        }
        if (bias != null && bias.length != channels) {
            throw new IllegalArgumentException("depthwise bias length " + bias.length + " != channels " + channels);
        }
        return new DepthwiseConv2d(channels, kh, kw, stride, padding, weight.clone(),
                bias == null ? new float[channels] : bias.clone());
    }

    public int channels() { return c; }

    /** Output height for input height {@code h}. */
    public int outH(int h) { return outSize(h, kh); }

    /** Output width for input width {@code w}. */
    public int outW(int w) { return outSize(w, kw); }

    private int outSize(int in, int k) {
        long span = in + 2L * pad - k;
        if (in < 1 || span < 0) {
            throw new IllegalArgumentException("depthwise conv input size " + in + " too small for kernel " + k + " pad " + pad);
        }
        return Checks.fitsInt("depthwise conv output size", span / stride + 1);
    }

    /**
     * Channels-last: {@code x [h*w][c]} to {@code y [outH*outW][c]}. {@code y} must not overlap {@code x}.
     */
    public void applyNhwc(float[] x, int xOff, int h, int w, float[] y, int yOff) {
        applyNhwc(x, xOff, h, w, y, yOff, false);
    }

    /**
     * As {@link #applyNhwc(float[], int, int, int, float[], int)}, then exact GELU ({@link Gelu}) on each output
     * row while it is still in cache (PVT v2's MLP: dwconv then GELU), instead of a second pass over the map.
     */
    public void applyNhwc(float[] x, int xOff, int h, int w, float[] y, int yOff, boolean gelu) {
        int oh = outH(h), ow = outW(w);
        Checks.range("input", x, xOff, (long) h * w * c);
        Checks.range("output", y, yOff, (long) oh * ow * c);
        Checks.noOverlapLen("input", x, xOff, (long) h * w * c, "output", y, yOff, (long) oh * ow * c);
        Parallel.forEach(oh, oy -> {
            nhwcRow(x, xOff, h, w, y, yOff, ow, oy);
            if (gelu) Gelu.apply(y, yOff + oy * ow * c, ow * c);
        });
    }

    private void nhwcRow(float[] x, int xOff, int h, int w, float[] y, int yOff, int ow, int oy) {
        int iy0 = oy * stride - pad;
        int ky0 = Math.max(0, -iy0), ky1 = Math.min(kh, h - iy0);
        int vecEnd = S.loopBound(c);
        for (int ox = 0; ox < ow; ox++) {
            int ix0 = ox * stride - pad;
            int kx0 = Math.max(0, -ix0), kx1 = Math.min(kw, w - ix0);
            int out = yOff + (oy * ow + ox) * c;
            int ch = 0;
            // CH_BLOCK vectors of channels per pass: independent FMA chains share each tap's loop overhead
            // (one vector per pass ran at ~4 GFLOP/s on 56x56x512, bound by the short variable-length tap loops;
            // 4 vectors: 9.7, 8 vectors: 10.6 and better on small maps)
            for (; ch + CH_BLOCK * L <= c; ch += CH_BLOCK * L) {
                FloatVector a0 = FloatVector.fromArray(S, bias, ch + 0 * L);
                FloatVector a1 = FloatVector.fromArray(S, bias, ch + 1 * L);
                FloatVector a2 = FloatVector.fromArray(S, bias, ch + 2 * L);
                FloatVector a3 = FloatVector.fromArray(S, bias, ch + 3 * L);
                FloatVector a4 = FloatVector.fromArray(S, bias, ch + 4 * L);
                FloatVector a5 = FloatVector.fromArray(S, bias, ch + 5 * L);
                FloatVector a6 = FloatVector.fromArray(S, bias, ch + 6 * L);
                FloatVector a7 = FloatVector.fromArray(S, bias, ch + 7 * L);
                for (int ky = ky0; ky < ky1; ky++) {
                    int rowBase = xOff + ((iy0 + ky) * w + ix0) * c + ch;
                    int tapBase = ky * kw * c + ch;
                    for (int kx = kx0; kx < kx1; kx++) {
                        int xi = rowBase + kx * c, wi = tapBase + kx * c;
                        a0 = FloatVector.fromArray(S, x, xi + 0 * L).fma(FloatVector.fromArray(S, wTaps, wi + 0 * L), a0);
                        a1 = FloatVector.fromArray(S, x, xi + 1 * L).fma(FloatVector.fromArray(S, wTaps, wi + 1 * L), a1);
                        a2 = FloatVector.fromArray(S, x, xi + 2 * L).fma(FloatVector.fromArray(S, wTaps, wi + 2 * L), a2);
                        a3 = FloatVector.fromArray(S, x, xi + 3 * L).fma(FloatVector.fromArray(S, wTaps, wi + 3 * L), a3);
                        a4 = FloatVector.fromArray(S, x, xi + 4 * L).fma(FloatVector.fromArray(S, wTaps, wi + 4 * L), a4);
                        a5 = FloatVector.fromArray(S, x, xi + 5 * L).fma(FloatVector.fromArray(S, wTaps, wi + 5 * L), a5);
                        a6 = FloatVector.fromArray(S, x, xi + 6 * L).fma(FloatVector.fromArray(S, wTaps, wi + 6 * L), a6);
                        a7 = FloatVector.fromArray(S, x, xi + 7 * L).fma(FloatVector.fromArray(S, wTaps, wi + 7 * L), a7);
                    }
                }
                a0.intoArray(y, out + ch + 0 * L);
                a1.intoArray(y, out + ch + 1 * L);
                a2.intoArray(y, out + ch + 2 * L);
                a3.intoArray(y, out + ch + 3 * L);
                a4.intoArray(y, out + ch + 4 * L);
                a5.intoArray(y, out + ch + 5 * L);
                a6.intoArray(y, out + ch + 6 * L);
                a7.intoArray(y, out + ch + 7 * L);
            }
            for (; ch < vecEnd; ch += L) {
                FloatVector acc = FloatVector.fromArray(S, bias, ch);
                for (int ky = ky0; ky < ky1; ky++) {
                    int rowBase = xOff + ((iy0 + ky) * w + ix0) * c + ch;
                    int tapBase = ky * kw * c + ch;
                    for (int kx = kx0; kx < kx1; kx++) {
                        FloatVector xv = FloatVector.fromArray(S, x, rowBase + kx * c);
                        FloatVector wv = FloatVector.fromArray(S, wTaps, tapBase + kx * c);
                        acc = xv.fma(wv, acc);
                    }
                }
                acc.intoArray(y, out + ch);
            }
            for (; ch < c; ch++) {
                float acc = bias[ch];
                for (int ky = ky0; ky < ky1; ky++) {
                    int rowBase = xOff + ((iy0 + ky) * w + ix0) * c + ch;
                    for (int kx = kx0; kx < kx1; kx++) acc = Math.fma(x[rowBase + kx * c], wTaps[(ky * kw + kx) * c + ch], acc);
                }
                y[out + ch] = acc;
            }
        }
    }

    /**
     * Planar: {@code x [c][h][w]} to {@code y [c][outH][outW]}. {@code y} must not overlap {@code x}.
     */
    public void applyNchw(float[] x, int xOff, int h, int w, float[] y, int yOff) {
        int oh = outH(h), ow = outW(w);
        Checks.range("input", x, xOff, (long) h * w * c);
        Checks.range("output", y, yOff, (long) oh * ow * c);
        Checks.noOverlapLen("input", x, xOff, (long) h * w * c, "output", y, yOff, (long) oh * ow * c);
        Parallel.forEach(c, ch -> nchwPlane(x, xOff + ch * h * w, h, w, y, yOff + ch * oh * ow, oh, ow, ch));
    }

    private void nchwPlane(float[] x, int xp, int h, int w, float[] y, int yp, int oh, int ow, int ch) {
        int wb = ch * kh * kw;
        float b = bias[ch];
        // Output columns whose whole receptive field is inside the row (stride 1 only): [pad, w - kw + pad].
        int inLo = stride == 1 ? Math.min(ow, pad) : ow;
        int inHi = stride == 1 ? Math.max(inLo, Math.min(ow, w - kw + pad + 1)) : ow;
        for (int oy = 0; oy < oh; oy++) {
            int iy0 = oy * stride - pad;
            int ky0 = Math.max(0, -iy0), ky1 = Math.min(kh, h - iy0);
            int out = yp + oy * ow;
            // interior, vectorised along the row
            int ox = inLo;
            for (; ox + L <= inHi; ox += L) {
                FloatVector acc = FloatVector.broadcast(S, b);
                for (int ky = ky0; ky < ky1; ky++) {
                    int src = xp + (iy0 + ky) * w + ox - pad;
                    for (int kx = 0; kx < kw; kx++) {
                        acc = FloatVector.fromArray(S, x, src + kx).fma(FloatVector.broadcast(S, wPlanar[wb + ky * kw + kx]), acc);
                    }
                }
                acc.intoArray(y, out + ox);
            }
            for (int o = 0; o < ow; o++) {
                if (o >= inLo && o < ox) continue; // done by the vector loop
                int ix0 = o * stride - pad;
                int kx0 = Math.max(0, -ix0), kx1 = Math.min(kw, w - ix0);
                float acc = b;
                for (int ky = ky0; ky < ky1; ky++) {
                    int src = xp + (iy0 + ky) * w + ix0;
                    for (int kx = kx0; kx < kx1; kx++) acc = Math.fma(x[src + kx], wPlanar[wb + ky * kw + kx], acc);
                }
                y[out + o] = acc;
            }
        }
    }
}
