package dev.vitesse.model.preprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vitesse.model.io.Npy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Compares the Java pipeline with torchvision 0.14 transforms on PIL images (fixtures from
 * scripts/reference/gen_preprocess_fixtures.py, inputs are scikit-image's sample photos).
 */
class PreprocessTest {
    private static final String DIR = "/preprocess/";

    static RgbImage resource(String name) {
        try (InputStream in = PreprocessTest.class.getResourceAsStream(DIR + name)) {
            assertThat(in).as(name).isNotNull();
            return ImageLoader.read(in, name);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    static Stream<JsonNode> cases() throws IOException {
        try (InputStream in = PreprocessTest.class.getResourceAsStream(DIR + "cases.json")) {
            List<JsonNode> list = new ArrayList<>();
            new ObjectMapper().readTree(in).forEach(list::add);
            return list.stream();
        }
    }

    static ImageTransform transform(JsonNode c) {
        Interpolation interp = Interpolation.parse(c.get("interpolation").asText());
        return switch (c.get("mode").asText()) {
            case "timm" -> ImageTransform.timm(c.get("size").asInt(), c.get("crop_pct").asDouble(), interp,
                    ImageTransform.IMAGENET_MEAN, ImageTransform.IMAGENET_STD);
            case "torchvision" -> ImageTransform.torchvision(c.get("resize").asInt(), c.get("crop").asInt(), interp,
                    ImageTransform.IMAGENET_MEAN, ImageTransform.IMAGENET_STD);
            case "squash" -> ImageTransform.squash(c.get("size").asInt(), c.get("size").asInt(), interp,
                    ImageTransform.HALF, ImageTransform.HALF);
            default -> throw new IllegalStateException(c.toString());
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTorchvision(JsonNode c) {
        RgbImage input = resource(c.get("input").asText());
        assertThat(new int[] {input.width(), input.height()})
                .containsExactly(c.get("source_size").get(0).asInt(), c.get("source_size").get(1).asInt());
        RgbImage expected = resource(c.get("expected").asText());
        ImageTransform t = transform(c);

        // 1) the 8-bit image after resize + crop: Pillow's integer arithmetic reproduced exactly. Only JPEG decoding
        //    may differ (ImageIO's IJG decoder vs libjpeg-turbo), by at most one grey level.
        RgbImage got = t.resizeAndCrop(input);
        assertThat(got.width()).isEqualTo(expected.width());
        assertThat(got.height()).isEqualTo(expected.height());
        int maxDiff = 0;
        for (int i = 0; i < got.rgb().length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs((got.rgb()[i] & 0xff) - (expected.rgb()[i] & 0xff)));
        }
        boolean jpeg = c.get("input").asText().endsWith(".jpg");
        assertThat(maxDiff).as("max |diff| in grey levels for %s", c.get("name").asText()).isLessThanOrEqualTo(jpeg ? 1 : 0);

        // 2) the normalised float tensor, un-normalised: within 1/255 per value.
        float[] x = t.apply(input);
        int plane = expected.width() * expected.height();
        assertThat(x).hasSize(3 * plane);
        double worst = 0;
        for (int ch = 0; ch < 3; ch++) {
            for (int i = 0; i < plane; i++) {
                double want = (expected.rgb()[i * 3 + ch] & 0xff) / 255.0;
                worst = Math.max(worst, Math.abs(t.unnormalize(x[ch * plane + i], ch) - want));
            }
        }
        assertThat(worst).isLessThanOrEqualTo(1 / 255.0 + 1e-6);
    }

    @Test
    void normalisationMatchesTorchvisionFloats() throws IOException {
        Npy.Array want;
        try (InputStream in = getClass().getResourceAsStream(DIR + "norm_chelsea_64.npy")) {
            want = Npy.read(in, "norm_chelsea_64.npy");
        }
        assertThat(want.shape()).containsExactly(3, 64, 64);
        ImageTransform t = ImageTransform.timm(64, 0.9, Interpolation.BICUBIC, ImageTransform.IMAGENET_MEAN, ImageTransform.IMAGENET_STD);
        float[] got = t.apply(resource("in_chelsea.png"));
        for (int i = 0; i < got.length; i++) {
            // same float32 operations as ToTensor + Normalize: (v / 255 - mean) / std
            assertThat(got[i]).as("element %d", i).isEqualTo(want.data()[i]);
        }
    }

    @Test
    void cropPctAboveOneResizesBelowTheCropAndZeroPadsLikeTorchvision() throws IOException {
        // Refiner_ViT_L's pipeline at 64 px: resize the shorter side to floor(64 / 1.13) = 56, CenterCrop(64) pads
        // 4 zero rows above and below; mean = std = 0.5 turns the padding into -1
        Npy.Array want;
        try (InputStream in = getClass().getResourceAsStream(DIR + "norm_chelsea_64_crop113.npy")) {
            want = Npy.read(in, "norm_chelsea_64_crop113.npy");
        }
        assertThat(want.shape()).containsExactly(3, 64, 64);
        var cfg = new dev.vitesse.model.config.PreprocessConfig(64, 1.13, "bicubic", ImageTransform.HALF,
                ImageTransform.HALF, false);
        assertThat(cfg.scaleSize()).isEqualTo(56);
        ImageTransform t = ImageTransform.of(cfg);
        assertThat(t.resizeSize()).isEqualTo(56);
        float[] got = t.apply(resource("in_chelsea.png"));
        assertThat(got).hasSize(want.data().length);
        for (int i = 0; i < got.length; i++) assertThat(got[i]).as("element %d", i).isEqualTo(want.data()[i]);
        for (int ch = 0; ch < 3; ch++) {
            for (int x = 0; x < 64; x++) {
                for (int y : new int[] {0, 3, 60, 63}) assertThat(got[(ch * 64 + y) * 64 + x]).isEqualTo(-1f);
                assertThat(got[(ch * 64 + 4) * 64 + x]).isNotEqualTo(-1f); // a real photo row is not all black
            }
        }
    }

    @Test
    void cropPctBoundsAreChecked() {
        assertThatThrownBy(() -> new dev.vitesse.model.config.PreprocessConfig(224, 10.5, "bicubic", ImageTransform.HALF,
                ImageTransform.HALF, false)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("crop_pct");
        assertThatThrownBy(() -> new dev.vitesse.model.config.PreprocessConfig(8, 9, "bicubic", ImageTransform.HALF,
                ImageTransform.HALF, false)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("less than one pixel");
        assertThatThrownBy(() -> new dev.vitesse.model.config.PreprocessConfig(224, 0, "bicubic", ImageTransform.HALF,
                ImageTransform.HALF, false)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("crop_pct");
    }

    @Test
    void timmResizeSizeIsFloorOfSizeOverCropPct() {
        assertThat(ImageTransform.timm(224, 0.9, Interpolation.BICUBIC, ImageTransform.HALF, ImageTransform.HALF).resizeSize()).isEqualTo(248);
        assertThat(ImageTransform.timm(224, 0.875, Interpolation.BICUBIC, ImageTransform.HALF, ImageTransform.HALF).resizeSize()).isEqualTo(256);
        assertThat(ImageTransform.timm(384, 1.0, Interpolation.BICUBIC, ImageTransform.HALF, ImageTransform.HALF).resizeSize()).isEqualTo(384);
    }

    @Test
    void checkpointConfigMapsToTheSourcesPipelines() {
        var timm = ImageTransform.of(new dev.vitesse.model.config.PreprocessConfig(224, 0.9, "bicubic",
                ImageTransform.HALF, ImageTransform.HALF, false));
        assertThat(timm).isEqualTo(ImageTransform.timm(224, 0.9, Interpolation.BICUBIC, ImageTransform.HALF, ImageTransform.HALF));
        assertThat(timm.resizeSize()).isEqualTo(248);
        var tv = ImageTransform.of(new dev.vitesse.model.config.PreprocessConfig(224, 0.875, "bilinear",
                ImageTransform.IMAGENET_MEAN, ImageTransform.IMAGENET_STD, false));
        assertThat(tv).isEqualTo(ImageTransform.torchvision(256, 224, Interpolation.BILINEAR, ImageTransform.IMAGENET_MEAN, ImageTransform.IMAGENET_STD));
        var hf = ImageTransform.of(new dev.vitesse.model.config.PreprocessConfig(224, 1.0, "bilinear",
                ImageTransform.HALF, ImageTransform.HALF, true));
        assertThat(hf).isEqualTo(ImageTransform.squash(224, 224, Interpolation.BILINEAR, ImageTransform.HALF, ImageTransform.HALF));
        // timm crop_mode='squash' with a crop margin: both sides to 256, then center crop 224
        var squashCrop = ImageTransform.of(new dev.vitesse.model.config.PreprocessConfig(224, 0.875, "bicubic",
                ImageTransform.HALF, ImageTransform.HALF, true));
        RgbImage out = squashCrop.resizeAndCrop(resource("in_chelsea.png"));
        assertThat(new int[] {out.width(), out.height()}).containsExactly(224, 224);
        RgbImage manual = ImageTransform.centerCrop(PilResize.resize(resource("in_chelsea.png"), 256, 256, Interpolation.BICUBIC), 224, 224);
        assertThat(out.rgb()).isEqualTo(manual.rgb());
    }

    @Test
    void centerCropRoundsHalfToEvenLikePython() {
        // 7 - 4 = 3 -> round(1.5) = 2; 5 - 4 = 1 -> round(0.5) = 0
        RgbImage img = gradient(7, 5);
        RgbImage c = ImageTransform.centerCrop(img, 4, 4);
        assertThat(c.get(0, 0, 0)).isEqualTo(img.get(2, 0, 0));
        assertThat(c.get(0, 0, 1)).isEqualTo(img.get(2, 0, 1));
    }

    @Test
    void identityWhenSizesMatch() {
        RgbImage img = gradient(32, 32);
        ImageTransform t = ImageTransform.timm(32, 1.0, Interpolation.BILINEAR, ImageTransform.HALF, ImageTransform.HALF);
        assertThat(t.resizeAndCrop(img).rgb()).isEqualTo(img.rgb());
    }

    @Test
    void resizeOfConstantImageIsConstant() {
        // Coefficients are normalised per output pixel, so a flat image stays flat (no ringing at the borders).
        RgbImage flat = RgbImage.filled(37, 23, 200, 10, 255);
        for (Interpolation f : Interpolation.values()) {
            RgbImage r = PilResize.resize(flat, 101, 9, f);
            for (int i = 0; i < r.rgb().length; i += 3) {
                assertThat(new int[] {r.rgb()[i] & 0xff, r.rgb()[i + 1] & 0xff, r.rgb()[i + 2] & 0xff})
                        .as(f.name()).containsExactly(200, 10, 255);
            }
        }
    }

    @Test
    void greyImagesAreNotColourManaged(@TempDir Path dir) throws IOException {
        // ImageIO's getRGB() would push TYPE_BYTE_GRAY through a linear-grey colour space (100 -> ~170);
        // PIL (and so every training pipeline) keeps the raw value.
        var g8 = new java.awt.image.BufferedImage(3, 2, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        g8.getRaster().setSample(1, 1, 0, 100);
        Path p8 = dir.resolve("g8.png");
        javax.imageio.ImageIO.write(g8, "png", p8.toFile());
        RgbImage r8 = ImageLoader.read(p8);
        assertThat(new int[] {r8.get(1, 1, 0), r8.get(1, 1, 1), r8.get(1, 1, 2)}).containsExactly(100, 100, 100);
        // 16-bit grey keeps the most significant byte
        var g16 = new java.awt.image.BufferedImage(3, 2, java.awt.image.BufferedImage.TYPE_USHORT_GRAY);
        g16.getRaster().setSample(2, 0, 0, 0x9A7F);
        Path p16 = dir.resolve("g16.png");
        javax.imageio.ImageIO.write(g16, "png", p16.toFile());
        assertThat(ImageLoader.read(p16).get(2, 0, 1)).isEqualTo(0x9A);
    }

    /** A PNG of one (zero) row whose header declares {@code w x h} RGB pixels: a few hundred bytes. */
    static byte[] pngDeclaring(int w, int h) throws IOException {
        var out = new java.io.ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        var ihdr = java.nio.ByteBuffer.allocate(13).putInt(w).putInt(h).put(new byte[] {8, 2, 0, 0, 0}).array();
        pngChunk(out, "IHDR", ihdr);
        var deflater = new java.util.zip.Deflater(9);
        deflater.setInput(new byte[1 + 3 * w]);
        deflater.finish();
        byte[] buf = new byte[1 << 16];
        int len = deflater.deflate(buf);
        pngChunk(out, "IDAT", java.util.Arrays.copyOf(buf, len));
        pngChunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void pngChunk(java.io.ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        var crc = new java.util.zip.CRC32();
        byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        crc.update(t);
        crc.update(data);
        out.write(java.nio.ByteBuffer.allocate(4).putInt(data.length).array());
        out.write(t);
        out.write(data);
        out.write(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    @Test
    void imagesOverThePixelLimitAreRefusedFromTheirHeader(@TempDir Path dir) throws IOException {
        // 20000 x 20000 = 4e8 pixels (> PIL's 1.79e8 bomb threshold) in ~150 bytes: refused before decoding
        byte[] bomb = pngDeclaring(20_000, 20_000);
        assertThat(bomb.length).isLessThan(1000);
        Path p = dir.resolve("bomb.png");
        Files.write(p, bomb);
        assertThatThrownBy(() -> ImageLoader.read(p))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bomb.png")
                .hasMessageContaining("20000 x 20000").hasMessageContaining("400000000 pixels")
                .hasMessageContaining("limit of " + ImageLoader.DEFAULT_MAX_PIXELS);
        // the limit is inclusive, and a caller may lower it
        byte[] photo;
        try (InputStream in = getClass().getResourceAsStream(DIR + "in_chelsea.png")) {
            photo = in.readAllBytes();
        }
        RgbImage cat = ImageLoader.read(new java.io.ByteArrayInputStream(photo), "chelsea");
        long pixels = (long) cat.width() * cat.height();
        assertThat(ImageLoader.read(new java.io.ByteArrayInputStream(photo), "chelsea", pixels).width()).isEqualTo(cat.width());
        assertThatThrownBy(() -> ImageLoader.read(new java.io.ByteArrayInputStream(photo), "chelsea", pixels - 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("chelsea")
                .hasMessageContaining("over the limit of " + (pixels - 1));
        assertThatThrownBy(() -> ImageLoader.read(new java.io.ByteArrayInputStream(photo), "chelsea", 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxPixels");
        // resizing to more pixels than the limit (e.g. --resize 30000, or --crop-pct 1e-9) is refused before
        // allocating, for every filter; this used to end in NegativeArraySizeException / OutOfMemoryError
        for (Interpolation f : Interpolation.values()) {
            assertThatThrownBy(() -> ImageTransform.timm(224, 0.875, f, ImageTransform.HALF, ImageTransform.HALF)
                    .withResizeSize(30_000).apply(cat))
                    .as(f.toString()).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(cat.width() + " x " + cat.height()).hasMessageContaining("over the image limit");
        }
        assertThatThrownBy(() -> ImageTransform.timm(224, 1e-9, Interpolation.BICUBIC, ImageTransform.HALF, ImageTransform.HALF)
                .apply(cat)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("over the image limit");
        // the horizontal pass's intermediate (all source rows x the new width) counts too
        RgbImage tall = RgbImage.filled(1, 20_000, 7, 7, 7);
        assertThatThrownBy(() -> PilResize.resize(tall, 10_000, 2, Interpolation.BILINEAR))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("over the image limit");
    }

    @Test
    void badInputsAreClearErrors(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> ImageLoader.read(dir.resolve("missing.png")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.png").hasMessageContaining("no such file");
        Path text = dir.resolve("notes.png");
        Files.writeString(text, "hello, not an image");
        assertThatThrownBy(() -> ImageLoader.read(text))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("notes.png").hasMessageContaining("not a supported image");
        Path truncated = dir.resolve("cut.png");
        byte[] png;
        try (InputStream in = getClass().getResourceAsStream(DIR + "in_chelsea.png")) {
            png = in.readAllBytes();
        }
        Files.write(truncated, java.util.Arrays.copyOf(png, 2000));
        assertThatThrownBy(() -> ImageLoader.read(truncated))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cut.png");
        assertThatThrownBy(() -> ImageLoader.read(dir))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("directory");
        assertThatThrownBy(() -> Interpolation.parse("nearest-exact"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bicubic");
        assertThatThrownBy(() -> ImageTransform.timm(224, 0.9, Interpolation.BICUBIC, new float[] {0.5f}, ImageTransform.HALF))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mean");
    }

    private static RgbImage gradient(int w, int h) {
        byte[] px = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int o = (y * w + x) * 3;
                px[o] = (byte) (x * 10);
                px[o + 1] = (byte) (y * 10);
                px[o + 2] = (byte) (x + y);
            }
        }
        return new RgbImage(w, h, px);
    }
}
