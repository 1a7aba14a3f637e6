package dev.vitesse.model.pvt;

/** PyTorch {@code F.interpolate(mode='bilinear', align_corners=False)} (no antialias) on a channels-last grid. */
final class Bilinear {
    private Bilinear() {}

    static float[] resize(float[] src, int off, int ih, int iw, int c, int oh, int ow) {
        float[] out = new float[oh * ow * c];
        double sh = (double) ih / oh, sw = (double) iw / ow;
        for (int y = 0; y < oh; y++) {
            double fy = Math.max((y + 0.5) * sh - 0.5, 0);
            int y0 = (int) fy, y1 = Math.min(y0 + 1, ih - 1);
            float ly = (float) (fy - y0);
            for (int x = 0; x < ow; x++) {
                double fx = Math.max((x + 0.5) * sw - 0.5, 0);
                int x0 = (int) fx, x1 = Math.min(x0 + 1, iw - 1);
                float lx = (float) (fx - x0);
                int o = (y * ow + x) * c;
                int a = off + (y0 * iw + x0) * c, b = off + (y0 * iw + x1) * c, d = off + (y1 * iw + x0) * c, e = off + (y1 * iw + x1) * c;
                for (int ch = 0; ch < c; ch++) {
                    out[o + ch] = (1 - ly) * ((1 - lx) * src[a + ch] + lx * src[b + ch]) + ly * ((1 - lx) * src[d + ch] + lx * src[e + ch]);
                }
            }
        }
        return out;
    }
}
