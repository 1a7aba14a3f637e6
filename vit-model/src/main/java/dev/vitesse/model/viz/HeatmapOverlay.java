package dev.vitesse.model.viz;

import dev.vitesse.model.preprocess.RgbImage;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Renders a patch-grid heatmap (values 0..1) as a jet-coloured overlay blended over an image, and writes PNGs. */
public final class HeatmapOverlay {
    private HeatmapOverlay() {}

    /**
     * Rescales {@code values} (gridH x gridW, row-major) to 0..1 (min to max), upsamples bilinearly to the image
     * size, maps through a jet-like colour map and blends over {@code image}:
     * {@code out = (1 - alpha) * image + alpha * colour}.
     */
    public static RgbImage overlay(RgbImage image, float[] values, int gridH, int gridW, float alpha) {
        if (values.length != gridH * gridW) {
            throw new IllegalArgumentException("heatmap has " + values.length + " values, expected " + gridH + "x" + gridW);
        }
        float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
        for (float v : values) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        float[] grid = new float[values.length];
        for (int i = 0; i < grid.length; i++) grid[i] = max > min ? (values[i] - min) / (max - min) : 0.5f;
        int w = image.width(), h = image.height();
        byte[] out = new byte[w * h * 3];
        byte[] src = image.rgb();
        for (int y = 0; y < h; y++) {
            // sample at pixel centres, align_corners=false convention, clamped at the borders
            double gy = Math.max(0, Math.min(gridH - 1, (y + 0.5) * gridH / h - 0.5));
            int y0 = (int) gy, y1 = Math.min(gridH - 1, y0 + 1);
            double fy = gy - y0;
            for (int x = 0; x < w; x++) {
                double gx = Math.max(0, Math.min(gridW - 1, (x + 0.5) * gridW / w - 0.5));
                int x0 = (int) gx, x1 = Math.min(gridW - 1, x0 + 1);
                double fx = gx - x0;
                double v = (1 - fy) * ((1 - fx) * grid[y0 * gridW + x0] + fx * grid[y0 * gridW + x1])
                        + fy * ((1 - fx) * grid[y1 * gridW + x0] + fx * grid[y1 * gridW + x1]);
                int[] c = jet(v);
                int o = (y * w + x) * 3;
                for (int k = 0; k < 3; k++) {
                    out[o + k] = (byte) Math.round((1 - alpha) * (src[o + k] & 0xff) + alpha * c[k]);
                }
            }
        }
        return new RgbImage(w, h, out);
    }

    /** Jet colour map: dark blue (0) - blue - cyan - yellow - red - dark red (1). */
    static int[] jet(double v) {
        v = Math.max(0, Math.min(1, v));
        double r = clamp(1.5 - Math.abs(4 * v - 3));
        double g = clamp(1.5 - Math.abs(4 * v - 2));
        double b = clamp(1.5 - Math.abs(4 * v - 1));
        return new int[] {(int) Math.round(255 * r), (int) Math.round(255 * g), (int) Math.round(255 * b)};
    }

    private static double clamp(double x) {
        return Math.max(0, Math.min(1, x));
    }

    /** Writes an RGB image as PNG. */
    public static void writePng(RgbImage img, Path file) throws IOException {
        BufferedImage bi = new BufferedImage(img.width(), img.height(), BufferedImage.TYPE_3BYTE_BGR);
        byte[] px = img.rgb();
        int[] row = new int[img.width() * 3];
        for (int y = 0; y < img.height(); y++) {
            for (int i = 0; i < row.length; i++) row[i] = px[y * row.length + i] & 0xff;
            bi.getRaster().setPixels(0, y, img.width(), 1, row);
        }
        // through our own stream: ImageIO's file stream prints a stack trace to stderr when it cannot open the file
        try (java.io.OutputStream os = java.nio.file.Files.newOutputStream(file)) {
            if (!ImageIO.write(bi, "png", os)) throw new IOException("no PNG writer available");
        }
    }
}
