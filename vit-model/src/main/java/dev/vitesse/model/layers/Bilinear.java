package dev.vitesse.model.layers;

/**
 * {@code F.interpolate(x, size, mode='bilinear', align_corners=False)} (no antialias), following PyTorch's CPU
 * kernel arithmetic in float: scale = in / out, source index {@code max(scale * (o + 0.5) - 0.5, 0)}, the upper
 * neighbour clamped to the last row/column. Used to resize position-embedding tables.
 */
public final class Bilinear {
    private Bilinear() {}

    /** A channels-last {@code [ih][iw][c]} grid at {@code off} resized to a new {@code [oh][ow][c]} array. */
    public static float[] resizeChannelsLast(float[] src, int off, int ih, int iw, int c, int oh, int ow) {
        float[] out = new float[oh * ow * c];
        resize(src, off, iw * c, c, 1, ih, iw, c, out, 0, ow * c, c, 1, oh, ow);
        return out;
    }

    /** A planar {@code [c][inH][inW]} map resized to a new {@code [c][outH][outW]} array. */
    public static float[] resizePlanar(float[] x, int c, int inH, int inW, int outH, int outW) {
        float[] out = new float[c * outH * outW];
        resize(x, 0, inW, 1, inH * inW, inH, inW, c, out, 0, outW, 1, outH * outW, outH, outW);
        return out;
    }

    /** Strided core: element (y, x, ch) of a map is at {@code off + y*rowStride + x*colStride + ch*chStride}. */
    private static void resize(float[] src, int sOff, int sRow, int sCol, int sCh, int inH, int inW, int c,
                               float[] dst, int dOff, int dRow, int dCol, int dCh, int outH, int outW) {
        float sh = (float) inH / outH, sw = (float) inW / outW;
        for (int oy = 0; oy < outH; oy++) {
            float ry = Math.max(sh * (oy + 0.5f) - 0.5f, 0f);
            int y0 = (int) ry;
            int dy = y0 < inH - 1 ? sRow : 0;
            float ly1 = ry - y0, ly0 = 1f - ly1;
            for (int ox = 0; ox < outW; ox++) {
                float rx = Math.max(sw * (ox + 0.5f) - 0.5f, 0f);
                int x0 = (int) rx;
                int dx = x0 < inW - 1 ? sCol : 0;
                float lx1 = rx - x0, lx0 = 1f - lx1;
                int b0 = sOff + y0 * sRow + x0 * sCol, o0 = dOff + oy * dRow + ox * dCol;
                for (int ch = 0; ch < c; ch++) {
                    int b = b0 + ch * sCh;
                    dst[o0 + ch * dCh] = ly0 * (lx0 * src[b] + lx1 * src[b + dx])
                            + ly1 * (lx0 * src[b + dy] + lx1 * src[b + dy + dx]);
                }
            }
        }
    }
}
