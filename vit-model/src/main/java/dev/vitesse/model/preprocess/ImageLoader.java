package dev.vitesse.model.preprocess;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Decodes JPEG, PNG, BMP and GIF files with ImageIO into {@link RgbImage}s with the semantics of PIL's
 * {@code Image.open(f).convert("RGB")}, which is what timm and torchvision data pipelines do:
 * <ul>
 *   <li>raw decoded samples are used; no colour management (an embedded ICC profile or PNG gamma is ignored,
 *       as PIL ignores it) — in particular grey images are not run through Java's linear-grey colour space;</li>
 *   <li>grey is replicated into R, G and B; palette images are looked up in their palette;</li>
 *   <li>alpha is dropped, not composited (PIL's RGBA to RGB conversion discards it);</li>
 *   <li>16-bit samples keep their most significant byte; only the first frame of an animated GIF is read.</li>
 * </ul>
 */
public final class ImageLoader {
    private ImageLoader() {}

    static {
        ImageIO.setUseCache(false); // decode in memory, no temp files
    }

    /** Reads an image file. Errors (missing, unreadable, not an image, corrupt) are IllegalArgumentExceptions naming the file. */
    public static RgbImage read(Path file) {
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(file + ": no such file");
        }
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(file + ": is a directory, expected an image file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read image: " + e.getMessage(), e);
        }
    }

    /** Reads an image from a stream; {@code name} is used in error messages. */
    public static RgbImage read(InputStream in, String name) {
        BufferedImage img;
        try {
            byte[] bytes = in.readAllBytes();
            img = ImageIO.read(new ByteArrayInputStream(stripJpegIccProfile(bytes)));
        } catch (IOException | RuntimeException e) {
            // ImageIO reports corrupt data as IIOException and sometimes as runtime exceptions from the decoders.
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new IllegalArgumentException(name + ": cannot decode image (" + why + ")", e);
        }
        if (img == null) {
            throw new IllegalArgumentException(name + ": not a supported image (expected JPEG, PNG, BMP or GIF)");
        }
        return toRgb(img);
    }

    /**
     * Returns the JPEG stream without its APP2 {@code ICC_PROFILE} segments (other input is returned as is).
     * ImageIO's JPEG reader colour-converts images that carry a profile (by up to ~50 grey levels on
     * scikit-image's rocket.jpg); PIL, and therefore every PyTorch training pipeline, ignores the profile.
     * Without it ImageIO's output is identical to PIL's on that image.
     */
    static byte[] stripJpegIccProfile(byte[] b) {
        if (b.length < 4 || (b[0] & 0xff) != 0xFF || (b[1] & 0xff) != 0xD8) return b;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(b.length);
        out.write(b, 0, 2);
        int i = 2;
        boolean stripped = false;
        while (i + 4 <= b.length && (b[i] & 0xff) == 0xFF) {
            int marker = b[i + 1] & 0xff;
            if (marker == 0xDA || marker == 0xD9) break; // start of scan / end of image: the rest is entropy-coded data
            int len = (b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff);
            if (len < 2 || i + 2 + len > b.length) return b; // malformed: let ImageIO report it
            boolean icc = marker == 0xE2 && len >= 14
                    && new String(b, i + 4, 11, java.nio.charset.StandardCharsets.ISO_8859_1).equals("ICC_PROFILE");
            if (icc) stripped = true;
            else out.write(b, i, 2 + len);
            i += 2 + len;
        }
        if (!stripped) return b;
        out.write(b, i, b.length - i);
        return out.toByteArray();
    }

    /** Converts a decoded image to 8-bit RGB with PIL {@code convert("RGB")} semantics (see class comment). */
    public static RgbImage toRgb(BufferedImage img) {
        int w = img.getWidth(), h = img.getHeight();
        ColorModel cm = img.getColorModel();
        Raster r = img.getRaster();
        byte[] out = new byte[w * h * 3];
        int[] row = new int[w * r.getNumBands()];
        int bands = r.getNumBands();
        if (cm instanceof IndexColorModel icm) {
            for (int y = 0; y < h; y++) {
                r.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    int idx = row[x], o = (y * w + x) * 3;
                    out[o] = (byte) icm.getRed(idx);
                    out[o + 1] = (byte) icm.getGreen(idx);
                    out[o + 2] = (byte) icm.getBlue(idx);
                }
            }
        } else if (cm instanceof ComponentColorModel && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
            int shift = Math.max(0, cm.getComponentSize(0) - 8);
            for (int y = 0; y < h; y++) {
                r.getPixels(0, y, w, 1, row);
                for (int x = 0; x < w; x++) {
                    byte v = (byte) (row[x * bands] >> shift);
                    int o = (y * w + x) * 3;
                    out[o] = v;
                    out[o + 1] = v;
                    out[o + 2] = v;
                }
            }
        } else if (cm instanceof ComponentColorModel && cm.getColorSpace().getType() == ColorSpace.TYPE_RGB
                && !cm.isAlphaPremultiplied()) {
            // Bands are in R, G, B(, A) order whatever the byte layout; any ICC profile is deliberately ignored.
            int shift = Math.max(0, cm.getComponentSize(0) - 8);
            for (int y = 0; y < h; y++) {
                r.getPixels(0, y, w, 1, row);
                for (int x = 0; x < w; x++) {
                    int o = (y * w + x) * 3, p = x * bands;
                    out[o] = (byte) (row[p] >> shift);
                    out[o + 1] = (byte) (row[p + 1] >> shift);
                    out[o + 2] = (byte) (row[p + 2] >> shift);
                }
            }
        } else {
            // Packed (DirectColorModel, e.g. some BMPs) and anything exotic: ImageIO's sRGB conversion.
            int[] argb = new int[w];
            for (int y = 0; y < h; y++) {
                img.getRGB(0, y, w, 1, argb, 0, w);
                for (int x = 0; x < w; x++) {
                    int o = (y * w + x) * 3, v = argb[x];
                    out[o] = (byte) (v >> 16);
                    out[o + 1] = (byte) (v >> 8);
                    out[o + 2] = (byte) v;
                }
            }
        }
        return new RgbImage(w, h, out);
    }
}
