package dev.vitesse.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vitesse.model.VisionModel;
import dev.vitesse.model.io.Npy;
import dev.vitesse.model.preprocess.ImageLoader;
import dev.vitesse.model.preprocess.ImageTransform;
import dev.vitesse.model.preprocess.RgbImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every command in-process on the built-in digits model, plus the error contract (one line, non-zero exit). */
class CliTest {
    record Result(int code, String out, String err) {
        List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    static JsonNode eval;

    @BeforeAll
    static void loadEval() throws IOException {
        eval = new ObjectMapper().readTree(BuiltinModel.folder().resolve("pytorch_eval.json").toFile());
    }

    /** PyTorch's prediction for the test image a sample file was taken from (name: digit_L_testIII.png). */
    static int torchPrediction(String sampleName) {
        Matcher m = Pattern.compile("digit_(\\d)_test(\\d+)\\.png").matcher(sampleName);
        assertThat(m.find()).as(sampleName).isTrue();
        int idx = Integer.parseInt(m.group(2));
        assertThat(eval.get("labels").get(idx).asInt()).isEqualTo(Integer.parseInt(m.group(1)));
        return eval.get("predictions").get(idx).asInt();
    }

    @Test
    void classifyWithoutArgumentsRunsBuiltinModelOnSamples() {
        Result r = run("classify");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(BuiltinModel.sampleNames()).hasSize(8);
        for (String s : BuiltinModel.sampleNames()) assertThat(r.out()).contains(s);
    }

    @Test
    void classifyJsonMatchesPyTorchPredictions() throws IOException {
        Result r = run("classify", "--json", "--top", "3");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode arr = new ObjectMapper().readTree(r.out());
        assertThat(arr.size()).isEqualTo(8);
        for (JsonNode img : arr) {
            JsonNode top = img.get("top");
            assertThat(top.size()).isEqualTo(3);
            assertThat(top.get(0).get("probability").asDouble()).isGreaterThanOrEqualTo(top.get(1).get("probability").asDouble());
            int want = torchPrediction(img.get("image").asText());
            assertThat(top.get(0).get("index").asInt()).as(img.get("image").asText()).isEqualTo(want);
            assertThat(top.get(0).get("label").asText()).isEqualTo(String.valueOf(want));
        }
    }

    @Test
    void classifyFolderAndExplicitModel() {
        Path folder = BuiltinModel.folder();
        Result r = run("classify", "--model", folder.toString(), "--top", "1", folder.resolve("samples").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().lines().filter(l -> l.contains("digit_")).count()).isEqualTo(8);
        assertThat(r.out()).containsPattern("digit_3_test\\d+\\.png: \\d \\(\\d+\\.\\d\\d%\\)");
    }

    @Test
    void infoDescribesModelAndPreprocessing() {
        Result r = run("info");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("parameters").contains("bilinear").contains("PyTorch test accuracy");
    }

    @Test
    void logitsOnPreprocessedBatchEqualInProcessForward(@TempDir Path dir) throws IOException {
        VisionModel m = VisionModel.load(BuiltinModel.folder());
        ImageTransform tf = ImageTransform.of(m.preprocessing());
        List<Path> samples = BuiltinModel.samples();
        int per = 3 * m.inputSize() * m.inputSize();
        float[] x = new float[samples.size() * per];
        for (int i = 0; i < samples.size(); i++) System.arraycopy(tf.apply(samples.get(i)), 0, x, i * per, per);
        Path in = dir.resolve("x.npy"), out = dir.resolve("y.npy");
        Npy.write(in, x, samples.size(), 3, m.inputSize(), m.inputSize());
        Result r = run("logits", "--model", BuiltinModel.folder().toString(), "--input", in.toString(), "--output", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        Npy.Array y = Npy.read(out);
        assertThat(y.shape()).containsExactly(samples.size(), 10);
        // Same model and input; kernels may split work across threads differently between calls, so the
        // summation order (and the last bits) can differ: compare to float32 precision, not bit for bit.
        float[] want = m.forward(x, samples.size());
        for (int i = 0; i < want.length; i++) {
            assertThat(y.data()[i]).as("logit %d", i).isCloseTo(want[i], within(1e-5f * Math.max(1f, Math.abs(want[i]))));
        }
    }

    @Test
    void embedWritesFeatures(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("e.npy");
        Result r = run("embed", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        Npy.Array e = Npy.read(out);
        assertThat(e.shape()).containsExactly(8, 64);
        for (float v : e.data()) assertThat(v).isFinite();
        // --head: the head's outputs (the built-in model's 10 digit logits), as the model's forward gives them
        Path outHead = dir.resolve("h.npy");
        r = run("embed", "--head", "--out", outHead.toString());
        assertThat(r.code()).as(r.err()).isZero();
        Npy.Array h = Npy.read(outHead);
        assertThat(h.shape()).containsExactly(8, 10);
        VisionModel m = VisionModel.load(BuiltinModel.folder());
        List<Path> samples = BuiltinModel.samples();
        float[] want = m.forward(Images.batch(samples, ImageTransform.of(m.preprocessing())), samples.size());
        for (int i = 0; i < want.length; i++)
            assertThat(h.data()[i]).as("head output %d", i).isCloseTo(want[i], within(1e-5f * Math.max(1f, Math.abs(want[i]))));
        // --normalize: unit rows, same directions
        Path outNorm = dir.resolve("n.npy");
        r = run("embed", "--head", "--normalize", "--out", outNorm.toString());
        assertThat(r.code()).as(r.err()).isZero();
        float[] u = Npy.read(outNorm).data();
        for (int row = 0; row < 8; row++) {
            double norm = 0, dot = 0, hn = 0;
            for (int j = 0; j < 10; j++) {
                norm += u[row * 10 + j] * u[row * 10 + j];
                dot += u[row * 10 + j] * h.data()[row * 10 + j];
                hn += h.data()[row * 10 + j] * h.data()[row * 10 + j];
            }
            assertThat(norm).as("row %d norm^2", row).isCloseTo(1.0, within(1e-5));
            assertThat(dot / Math.sqrt(hn)).as("row %d cosine", row).isCloseTo(1.0, within(1e-5));
        }
    }

    @Test
    void embedTokensWritesEveryToken(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("t.npy");
        Result r = run("embed", "--tokens", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        Npy.Array t = Npy.read(out);
        assertThat(t.shape()).containsExactly(8, 17, 64);   // the built-in model: class token + 16 patches, width 64
        VisionModel m = VisionModel.load(BuiltinModel.folder());
        List<Path> samples = BuiltinModel.samples();
        float[] want = m.tokens(Images.batch(samples, ImageTransform.of(m.preprocessing())), samples.size());
        for (int i = 0; i < want.length; i++)
            assertThat(t.data()[i]).as("token value %d", i).isCloseTo(want[i], within(1e-5f * Math.max(1f, Math.abs(want[i]))));
        assertThat(run("embed", "--tokens", "--head", "--out", dir.resolve("x.npy").toString()).err())
                .contains("give --head or --tokens, not both");
    }

    @Test
    void classifyRefusesClipTowers() {
        // a CLIP tower's head is an image projection: classify says so and points to embed --head
        Path clip = Path.of("..", "vit-model", "src", "test", "resources", "fixtures", "vit", "open_clip_quickgelu");
        Result r = run("classify", "--model", clip.toString(), BuiltinModel.samples().get(0).toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("is a CLIP image tower").contains("embed --head");
    }

    @Test
    void attentionWritesOverlayPng(@TempDir Path dir) {
        Path out = dir.resolve("heat.png");
        Path img = BuiltinModel.samples().get(3);
        Result r = run("attention", img.toString(), "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        RgbImage heat = ImageLoader.read(out);
        assertThat(heat.width()).isGreaterThanOrEqualTo(224);
        assertThat(heat.width()).isEqualTo(heat.height());
    }

    @Test
    void benchRandomWeightsEndsWithJsonLine() throws IOException {
        Result r = run("bench", "--arch", "vit_tiny_patch16_224", "--image-size", "32", "--batch", "2",
                "--iterations", "3", "--warmup", "1", "--threads", "2", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        JsonNode j = new ObjectMapper().readTree(lines.get(lines.size() - 1));
        assertThat(j.get("median_ms").asDouble()).isPositive();
        assertThat(j.get("images_per_s").asDouble()).isPositive();
        assertThat(j.get("gflops").asDouble()).isPositive();
        assertThat(j.get("batch").asInt()).isEqualTo(2);
    }

    @Test
    void benchWithoutModelOptionsTimesTheBuiltInModel() throws IOException {
        Result r = run("bench", "--iterations", "2", "--warmup", "1", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("(built-in fp32 weights");
        List<String> lines = r.out().lines().toList();
        JsonNode j = new ObjectMapper().readTree(lines.get(lines.size() - 1));
        assertThat(j.get("median_ms").asDouble()).isPositive();
        assertThat(j.get("iterations").asInt()).isEqualTo(2);
    }

    @Test
    void benchBatchBeyondOneArrayIsAClearError() {
        // 1,000,000 x 3 x 32 x 32 floats: the int product wrapped to a negative array size
        Result r = run("bench", "--batch", "1000000", "--iterations", "1", "--warmup", "0");
        assertThat(r.code()).isNotZero();
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).contains("1000000 images of 3072 floats each").contains("use a smaller --batch");
    }

    @Test
    void benchWithSeveralRequestThreadsTimesEveryPassOfEach() throws IOException {
        Result r = run("bench", "--arch", "vit_tiny_patch16_224", "--image-size", "32", "--iterations", "3",
                "--warmup", "1", "--threads", "2", "--requests", "3", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("on each of 3 request threads").contains("over all 3 request threads");
        List<String> lines = r.out().lines().toList();
        JsonNode j = new ObjectMapper().readTree(lines.get(lines.size() - 1));
        assertThat(j.get("requests").asInt()).isEqualTo(3);
        assertThat(j.get("p90_ms").asDouble()).isGreaterThanOrEqualTo(j.get("median_ms").asDouble());
        assertThat(j.get("max_ms").asDouble()).isGreaterThanOrEqualTo(j.get("p90_ms").asDouble());
        assertThat(j.get("images_per_s").asDouble()).isPositive();
        assertThat(j.get("checksum").asText()).isEqualTo("finite");

        Result bad = run("bench", "--arch", "vit_tiny_patch16_224", "--requests", "2", "--profile");
        assertThat(bad.code()).isNotZero();
        assertThat(bad.err()).contains("without --requests");
    }

    // ---- errors: one line on stderr, non-zero exit ----

    @Test
    void missingImageIsOneLineError() {
        Result r = run("classify", "no/such/cat.jpg");
        assertThat(r.code()).isNotZero();
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).contains("cat.jpg").startsWith("vitesse: ");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void notAnImageIsOneLineError(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("fake.jpg");
        Files.writeString(f, "not a jpeg");
        Path g = dir.resolve("fake2.jpg");
        Files.writeString(g, "not a jpeg either");
        // two images: decoded in parallel on the worker pool, the error must still read cleanly
        Result r = run("classify", f.toString(), g.toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).containsPattern("^vitesse: \\S*fake2?\\.jpg: not a supported image").doesNotContain("Exception");
    }

    @Test
    void oversizedImagesAndResizesAreOneLineErrors(@TempDir Path dir) throws IOException {
        // a 1 x 1 PNG whose header is patched to declare 20000 x 20000 pixels (IHDR: bytes 16-23, CRC at 29)
        var out = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(1, 1, java.awt.image.BufferedImage.TYPE_INT_RGB),
                "png", out);
        java.nio.ByteBuffer png = java.nio.ByteBuffer.wrap(out.toByteArray()).putInt(16, 20_000).putInt(20, 20_000);
        var crc = new java.util.zip.CRC32();
        crc.update(png.array(), 12, 17);
        png.putInt(29, (int) crc.getValue());
        Path bomb = dir.resolve("bomb.png");
        Files.write(bomb, png.array());
        Result r = run("classify", bomb.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).containsPattern("^vitesse: \\S*bomb\\.png: image of 20000 x 20000 = 400000000 pixels is over the limit");
        // a resize target far beyond the image limit (before: NegativeArraySizeException, or an OutOfMemoryError
        // with a stack trace for a tiny --crop-pct)
        Path small = dir.resolve("small.png");
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(40, 30, java.awt.image.BufferedImage.TYPE_INT_RGB),
                "png", small.toFile());
        for (String[] opt : new String[][] {{"--resize", "30000"}, {"--crop-pct", "1e-9"}}) {
            Result q = run("classify", opt[0], opt[1], small.toString());
            assertThat(q.code()).as(opt[0]).isEqualTo(1);
            assertThat(q.errLines()).as(opt[0]).hasSize(1);
            assertThat(q.err()).as(opt[0]).containsPattern("^vitesse: \\S*small\\.png: cannot resize the 40 x 30 image")
                    .contains("over the image limit");
        }
    }

    @Test
    void badNpyIsOneLineError(@TempDir Path dir) throws IOException {
        Path garbage = dir.resolve("garbage.npy");
        Files.writeString(garbage, "definitely not numpy");
        Result r = run("logits", "--input", garbage.toString(), "--output", dir.resolve("y.npy").toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).contains("garbage.npy").contains("not a NumPy");

        Path wrongShape = dir.resolve("wrong.npy");
        Npy.write(wrongShape, new float[2 * 3 * 16 * 16], 2, 3, 16, 16);
        r = run("logits", "--input", wrongShape.toString(), "--output", dir.resolve("y.npy").toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).contains("[2, 3, 16, 16]").contains("[N, 3, 32, 32]");
        assertThat(dir.resolve("y.npy")).doesNotExist();
    }

    @Test
    void unknownArchIsOneLineError() {
        Result r = run("bench", "--arch", "vit_gigantic_patch3_999", "--iterations", "1");
        assertThat(r.code()).isNotZero();
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).contains("vit_gigantic_patch3_999");
    }

    @Test
    void badCheckpointsAreOneLineErrors(@TempDir Path dir) throws IOException {
        Path bare = dir.resolve("model.safetensors");
        Files.copy(BuiltinModel.folder().resolve("model.safetensors"), bare);
        Path img = BuiltinModel.samples().get(0);
        Result noArch = run("classify", "--model", bare.toString(), img.toString());
        assertThat(noArch.code()).isNotZero();
        assertThat(noArch.errLines()).hasSize(1);
        assertThat(noArch.err()).contains("--arch");

        Result wrongArch = run("classify", "--model", bare.toString(), "--arch", "vit_small_patch16_224", img.toString());
        assertThat(wrongArch.code()).isNotZero();
        assertThat(wrongArch.errLines()).hasSize(1);
        assertThat(wrongArch.err()).contains("model.safetensors");

        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, java.util.Arrays.copyOf(Files.readAllBytes(bare), 1000));
        Result truncated = run("info", "--model", cut.toString(), "--arch", "vit_tiny_patch16_224");
        assertThat(truncated.code()).isNotZero();
        assertThat(truncated.errLines()).hasSize(1);
        assertThat(truncated.err()).contains("cut.safetensors");
    }

    @Test
    void missingModelIsOneLineError() {
        Result r = run("info", "--model", "/no/such/model");
        assertThat(r.code()).isNotZero();
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).contains("/no/such/model");
    }

    @Test
    void usageErrorsAreOneLineWithExitCode2() {
        for (String[] args : new String[][] {{"classify", "--top"}, {"frobnicate"}, {"classify", "--no-such-option"},
                {"logits", "--output", "y.npy"}, {}}) {
            Result r = run(args);
            assertThat(r.code()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.errLines()).as(String.join(" ", args)).hasSize(1);
        }
        // a thread count out of range names the option and the range (before: picocli's "Could not invoke ..." text,
        // or, past the process's thread limit, a minute of thread creation and an OutOfMemoryError)
        for (String n : new String[] {"0", "100000"}) {
            Result r = run("--threads", n, "info");
            assertThat(r.code()).as(n).isEqualTo(2);
            assertThat(r.errLines()).as(n).hasSize(1);
            assertThat(r.err()).as(n).startsWith("vitesse: --threads must be in 1.." + dev.vitesse.kernels.Parallel.MAX_THREADS + ", got " + n)
                    .doesNotContain("Could not invoke");
        }
    }

    @Test
    void everyCommandHasHelpAndVersion() {
        // a usage error ends with "(see 'vitesse CMD --help')", so that command must accept --help
        for (String cmd : new String[] {"classify", "embed", "attention", "info", "logits", "bench", "analyze"}) {
            Result help = run(cmd, "--help");
            assertThat(help.code()).as(cmd + " " + help.err()).isZero();
            assertThat(help.out()).as(cmd).startsWith("Usage: vitesse " + cmd);
            Result version = run(cmd, "-V");
            assertThat(version.code()).as(cmd).isZero();
            assertThat(version.out().strip()).as(cmd).isEqualTo(Main.VERSION);
        }
        Result bad = run("classify", "--no-such-option");
        assertThat(bad.err()).contains("(see 'vitesse classify --help')");
    }

    @Test
    void verbosePrintsStackTrace() {
        Result r = run("classify", "--verbose", "no/such/cat.jpg");
        assertThat(r.code()).isNotZero();
        assertThat(r.errLines().size()).isGreaterThan(1);
        assertThat(r.err()).contains("at dev.vitesse");
    }

    @Test
    void helpWorks() {
        Result r = run("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("classify").contains("bench").contains("logits");
    }

    @Test
    void absurdConfigSizeIsOneLineNotAnOutOfMemoryTrace(@TempDir Path dir) throws IOException {
        // an ffvit img_size of 100000 used to allocate its token MLP until the heap ran out (an Error picocli rethrows)
        Files.writeString(dir.resolve("config.json"), "{\"architecture\": \"ffvit:linear_tiny\", \"img_size\": 100000}");
        byte[] header = "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.nio.ByteBuffer st = java.nio.ByteBuffer.allocate(8 + header.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        Files.write(dir.resolve("model.safetensors"), st.putLong(header.length).put(header).array());
        Result r = run("info", "--model", dir.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.errLines()).singleElement().asString().startsWith("vitesse: ").contains("img_size 100000").contains("too large");
    }
}
