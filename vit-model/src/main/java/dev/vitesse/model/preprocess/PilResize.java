package dev.vitesse.model.preprocess;

/**
 * Pillow's {@code Image.resize} for 8-bit RGB images, reproduced bit for bit (Pillow 9.x
 * {@code libImaging/Resample.c}, the path torchvision's {@code Resize} takes for PIL images).
 *
 * <p>Separable convolution: a horizontal pass into a temporary 8-bit image (only the rows the vertical pass
 * reads), then a vertical pass. When downscaling, the filter support is stretched by the scale factor
 * (antialiasing). Coefficients are normalised per output pixel in double, then converted to fixed point with
 * {@value #PRECISION_BITS} fractional bits; sums start at one half (rounding) and are clipped to 0..255 after each
 * pass. A pass is skipped when that dimension does not change.
 */
public final class PilResize {
    /** 32 - 8 (result) - 2 (headroom for negative lobes / sums above 1), as in Pillow. */
    static final int PRECISION_BITS = 32 - 8 - 2;

    private PilResize() {}

    /** Refuses an output (or intermediate) image of more than {@link ImageLoader#maxPixels()} pixels. */
    private static void checkPixels(RgbImage in, int w, int h) {
        long pixels = (long) w * h, limit = ImageLoader.maxPixels();
        if (pixels > limit)
            throw new IllegalArgumentException("cannot resize the " + in.width() + " x " + in.height() + " image to " + w
                    + " x " + h + ": " + pixels + " pixels is over the image limit of " + limit + " (-D"
                    + ImageLoader.MAX_PIXELS_PROPERTY + ")");
    }

    /** Filter taps for one axis: output i reads {@code count[i]} inputs from {@code first[i]} with weights {@code k[i*ksize..]}. */
    record Taps(int ksize, int[] first, int[] count, int[] k) {}

    /** Resizes to {@code outW x outH} with the given filter. Returns the input itself if the size is unchanged. */
    public static RgbImage resize(RgbImage in, int outW, int outH, Interpolation filter) {
        if (outW <= 0 || outH <= 0) {
            throw new IllegalArgumentException("resize target must be positive, got " + outW + "x" + outH);
        }
        if (outW == in.width() && outH == in.height()) return in;
        checkPixels(in, outW, outH); // e.g. --resize 30000 or a tiny --crop-pct: refuse before allocating
        if (filter == Interpolation.NEAREST) return nearest(in, outW, outH);
        Taps vert = taps(in.height(), outH, filter);
        int rowFirst = vert.first[0];
        int rowEnd = vert.first[outH - 1] + vert.count[outH - 1];
        if (outW != in.width()) checkPixels(in, outW, rowEnd - rowFirst); // the horizontal pass's intermediate
        RgbImage src = in;
        int rowOffset = 0;
        if (outW != in.width()) {
            // Only rows [rowFirst, rowEnd) feed the vertical pass.
            src = horizontal(in, rowFirst, rowEnd - rowFirst, taps(in.width(), outW, filter));
            rowOffset = rowFirst;
        }
        if (outH != in.height()) {
            return vertical(src, rowOffset, vert);
        }
        return src;
    }

    /**
     * Pillow resizes with NEAREST through {@code ImagingScaleAffine}: the source coordinate starts at half a step
     * and is advanced by repeated addition of {@code in / out} in double (so it can differ from a direct
     * {@code floor((x + 0.5) * in / out)} at exact boundaries), then truncated.
     */
    private static RgbImage nearest(RgbImage in, int outW, int outH) {
        int[] sx = nearestTable(in.width(), outW);
        int[] sy = nearestTable(in.height(), outH);
        byte[] src = in.rgb(), dst = new byte[outW * outH * 3];
        for (int y = 0; y < outH; y++) {
            int syRow = sy[y] * in.width();
            for (int x = 0; x < outW; x++) System.arraycopy(src, (syRow + sx[x]) * 3, dst, (y * outW + x) * 3, 3);
        }
        return new RgbImage(outW, outH, dst);
    }

    private static int[] nearestTable(int inSize, int outSize) {
        double step = (double) inSize / outSize;
        double pos = step * 0.5;
        int[] t = new int[outSize];
        for (int i = 0; i < outSize; i++) {
            t[i] = Math.min(inSize - 1, Math.max(0, (int) pos));
            pos += step;
        }
        return t;
    }

    /** Pillow's {@code precompute_coeffs} + {@code normalize_coeffs_8bpc} for a full-image box. */
    static Taps taps(int inSize, int outSize, Interpolation filter) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = filter.support * filterScale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] first = new int[outSize];
        int[] count = new int[outSize];
        int[] k = new int[outSize * ksize];
        double[] w = new double[ksize];
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterScale;
            // (int) truncates toward zero, as C's cast does.
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) xmin = 0;
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) xmax = inSize;
            xmax -= xmin;
            double ww = 0.0;
            for (int x = 0; x < xmax; x++) {
                w[x] = filter.filter((x + xmin - center + 0.5) * ss);
                ww += w[x];
            }
            for (int x = 0; x < xmax; x++) {
                double v = ww != 0.0 ? w[x] / ww : w[x];
                k[xx * ksize + x] = v < 0 ? (int) (-0.5 + v * (1 << PRECISION_BITS)) : (int) (0.5 + v * (1 << PRECISION_BITS));
            }
            first[xx] = xmin;
            count[xx] = xmax;
        }
        return new Taps(ksize, first, count, k);
    }

    private static int clip8(int acc) {
        int v = acc >> PRECISION_BITS; // arithmetic shift, as Pillow's lookup index
        return v < 0 ? 0 : Math.min(v, 255);
    }

    private static RgbImage horizontal(RgbImage in, int row0, int rows, Taps t) {
        int inW = in.width(), outW = t.first.length;
        byte[] src = in.rgb();
        byte[] dst = new byte[outW * rows * 3];
        int half = 1 << (PRECISION_BITS - 1);
        for (int y = 0; y < rows; y++) {
            int srcRow = (row0 + y) * inW * 3;
            int dstRow = y * outW * 3;
            for (int xx = 0; xx < outW; xx++) {
                int s0 = half, s1 = half, s2 = half;
                int kb = xx * t.ksize, p = srcRow + t.first[xx] * 3;
                for (int x = 0, n = t.count[xx]; x < n; x++, p += 3) {
                    int kv = t.k[kb + x];
                    s0 += (src[p] & 0xff) * kv;
                    s1 += (src[p + 1] & 0xff) * kv;
                    s2 += (src[p + 2] & 0xff) * kv;
                }
                int o = dstRow + xx * 3;
                dst[o] = (byte) clip8(s0);
                dst[o + 1] = (byte) clip8(s1);
                dst[o + 2] = (byte) clip8(s2);
            }
        }
        return new RgbImage(outW, rows, dst);
    }

    /** {@code rowOffset}: the source image's row 0 corresponds to original row {@code rowOffset}. */
    private static RgbImage vertical(RgbImage in, int rowOffset, Taps t) {
        int w = in.width(), outH = t.first.length, stride = w * 3;
        byte[] src = in.rgb();
        byte[] dst = new byte[w * outH * 3];
        int half = 1 << (PRECISION_BITS - 1);
        int[] acc = new int[stride];
        for (int yy = 0; yy < outH; yy++) {
            java.util.Arrays.fill(acc, half);
            int kb = yy * t.ksize, y0 = t.first[yy] - rowOffset;
            // Row-wise accumulation: the same integer sums as Pillow's per-pixel loop (integer adds commute).
            for (int y = 0, n = t.count[yy]; y < n; y++) {
                int kv = t.k[kb + y], p = (y0 + y) * stride;
                for (int i = 0; i < stride; i++) acc[i] += (src[p + i] & 0xff) * kv;
            }
            int o = yy * stride;
            for (int i = 0; i < stride; i++) dst[o + i] = (byte) clip8(acc[i]);
        }
        return new RgbImage(w, outH, dst);
    }
}
