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
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

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
 * Images of more than {@link #maxPixels()} pixels are refused from their header, before any pixel is decoded: a
 * few hundred bytes of PNG can declare 20000 x 20000 pixels, and a 750 KB one really holds 16000 x 16000, which
 * took 1.7 GB and 9 s to decode before this check.
 */
public final class ImageLoader {
    private ImageLoader() {}

    /**
     * The default pixel limit: PIL's {@code DecompressionBombError} threshold (2 x {@code Image.MAX_IMAGE_PIXELS} =
     * 2 x 89,478,485), so every image a PIL-based training pipeline would open is accepted. Decoding one that large
     * takes about 1.1 GB of heap (ImageIO's raster plus the RGB copy).
     */
    public static final long DEFAULT_MAX_PIXELS = 2L * 89_478_485;

    /** System property overriding {@link #DEFAULT_MAX_PIXELS} (a positive number of pixels). */
    public static final String MAX_PIXELS_PROPERTY = "vitesse.image.maxPixels";

    /** The pixel limit in force: {@value #MAX_PIXELS_PROPERTY} if set, else {@link #DEFAULT_MAX_PIXELS}. */
    public static long maxPixels() {
        String p = System.getProperty(MAX_PIXELS_PROPERTY);
        if (p == null) return DEFAULT_MAX_PIXELS;
        try {
            long v = Long.parseLong(p.trim());
            if (v > 0) return v;
        } catch (NumberFormatException ignored) {
            // fall through
        }
        throw new IllegalArgumentException(MAX_PIXELS_PROPERTY + " must be a positive number of pixels, found '" + p + "'");
    }

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

    /** Reads an image from a stream with the {@link #maxPixels()} limit; {@code name} is used in error messages. */
    public static RgbImage read(InputStream in, String name) {
        return read(in, name, maxPixels());
    }

    /**
     * Reads an image from a stream, refusing (IllegalArgumentException) one whose header declares more than
     * {@code maxPixels} pixels before decoding it; {@code name} is used in error messages.
     */
    public static RgbImage read(InputStream in, String name, long maxPixels) {
        if (maxPixels <= 0) throw new IllegalArgumentException("maxPixels must be positive, found " + maxPixels);
        BufferedImage img;
        try {
            byte[] bytes = in.readAllBytes();
            img = decode(stripJpegIccProfile(bytes), name, maxPixels);
        } catch (TooLarge e) {
            throw new IllegalArgumentException(e.getMessage());
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

    /** An image over the pixel limit (kept apart from the decoders' own runtime exceptions). */
    private static final class TooLarge extends RuntimeException {
        TooLarge(String message) {
            super(message, null, false, false);
        }
    }

    /** As {@link ImageIO#read(InputStream)}, but checks the header's size against the limit before decoding. */
    private static BufferedImage decode(byte[] bytes, String name, long maxPixels) throws IOException {
        try (ImageInputStream iis = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(iis);
            if (!readers.hasNext()) return null;
            ImageReader reader = readers.next();
            try {
                reader.setInput(iis, true, true);
                long w = reader.getWidth(0), h = reader.getHeight(0);
                if (w * h > maxPixels)
                    throw new TooLarge(name + ": image of " + w + " x " + h + " = " + w * h + " pixels is over the limit of "
                            + maxPixels + " (a guard against decompression bombs; raise it with -D" + MAX_PIXELS_PROPERTY
                            + "=N)");
                return reader.read(0, reader.getDefaultReadParam());
            } finally {
                reader.dispose();
            }
        }
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
        if ((long) w * h * 3 > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException("image of " + w + " x " + h + " pixels is too large for one RGB array");
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
