package dev.vitesse.model.ffvit;

/**
 * {@code F.interpolate(x, size, mode='bilinear', align_corners=False)} on a planar [C][inH][inW] map,
 * following PyTorch's CPU kernel index arithmetic (source index clamped at 0, scale = in/out).
 */
final class Bilinear {
    private Bilinear() {}

    static float[] resize(float[] x, int c, int inH, int inW, int outH, int outW) {
        float[] y = new float[c * outH * outW];
        float sh = (float) inH / outH, sw = (float) inW / outW;
        for (int oy = 0; oy < outH; oy++) {
            float ry = Math.max(sh * (oy + 0.5f) - 0.5f, 0f);
            int y0 = (int) ry;
            int dy = y0 < inH - 1 ? 1 : 0;
            float ly1 = ry - y0, ly0 = 1f - ly1;
            for (int ox = 0; ox < outW; ox++) {
                float rx = Math.max(sw * (ox + 0.5f) - 0.5f, 0f);
                int x0 = (int) rx;
                int dx = x0 < inW - 1 ? 1 : 0;
                float lx1 = rx - x0, lx0 = 1f - lx1;
                for (int ch = 0; ch < c; ch++) {
                    int b = ch * inH * inW + y0 * inW + x0;
                    y[ch * outH * outW + oy * outW + ox] =
                            ly0 * (lx0 * x[b] + lx1 * x[b + dx])
                          + ly1 * (lx0 * x[b + dy * inW] + lx1 * x[b + dy * inW + dx]);
                }
            }
        }
        return y;
    }
}
