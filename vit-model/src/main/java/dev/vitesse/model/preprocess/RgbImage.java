package dev.vitesse.model.preprocess;

/**
 * An 8-bit RGB image, pixels interleaved row by row ({@code r,g,b,r,g,b,...}), the equivalent of a PIL image in
 * mode {@code "RGB"}. Immutable by convention: operations return new images.
 *
 * @param width  columns, &gt; 0
 * @param height rows, &gt; 0
 * @param rgb    {@code width * height * 3} bytes (unsigned)
 */
public record RgbImage(int width, int height, byte[] rgb) {
    public RgbImage {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if ((long) width * height * 3 != rgb.length) {
            throw new IllegalArgumentException("RGB buffer for " + width + "x" + height + " needs " + (long) width * height * 3
                    + " bytes, got " + rgb.length);
        }
    }

    /** Channel {@code c} (0=R, 1=G, 2=B) of pixel (x, y) as 0..255. */
    public int get(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xff;
    }

    /** The rectangle [left, left+w) x [top, top+h); parts outside the image are black (as torchvision's padding). */
    public RgbImage crop(int left, int top, int w, int h) {
        byte[] out = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            int sy = top + y;
            if (sy < 0 || sy >= height) continue;
            int x0 = Math.max(0, -left), x1 = Math.min(w, width - left);
            if (x1 <= x0) continue;
            System.arraycopy(rgb, (sy * width + left + x0) * 3, out, (y * w + x0) * 3, (x1 - x0) * 3);
        }
        return new RgbImage(w, h, out);
    }

    /** Grey image of the given size (all three channels = value). */
    public static RgbImage filled(int width, int height, int r, int g, int b) {
        byte[] px = new byte[width * height * 3];
        for (int i = 0; i < px.length; i += 3) {
            px[i] = (byte) r;
            px[i + 1] = (byte) g;
            px[i + 2] = (byte) b;
        }
        return new RgbImage(width, height, px);
    }
}
