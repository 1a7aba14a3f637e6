package dev.vitesse.cli;

import dev.vitesse.model.analysis.FourierAnalysis;
import dev.vitesse.model.analysis.VarianceAnalysis;
import dev.vitesse.model.family2.Family2Model;
import dev.vitesse.model.family2.Family2Models;
import dev.vitesse.model.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class AnalyzeCommandTest {
    static final Path FIXTURES = Path.of("..", "vit-model", "src", "test", "resources", "fixtures");

    @TempDir
    Path tmp;

    int run(StringWriter out, StringWriter err, String... args) {
        CommandLine cl = new CommandLine(new AnalyzeCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    static float[] randomImage(int s, long seed) {
        Random r = new Random(seed);
        float[] x = new float[3 * s * s];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    @Test
    void fourierOnAlterNetWritesCsvAndPlotsMatchingTheLibrary() throws Exception {
        Path model = FIXTURES.resolve("alternet/bottleneck_w3");
        Path a = tmp.resolve("a.npy"), b = tmp.resolve("b.npy");
        float[] xa = randomImage(96, 1), xb = randomImage(96, 2);
        Npy.write(a, xa, 3, 96, 96);
        Npy.write(b, xb, 1, 3, 96, 96);
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = run(out, err, "fourier", "--model", model.toString(), "-o", tmp.resolve("out").toString(),
                a.toString(), b.toString());
        assertThat(code).as(err.toString()).isZero();
        Path csv = tmp.resolve("out/fourier.csv");
        assertThat(tmp.resolve("out/fourier.png")).isNotEmptyFile();
        assertThat(ImageIO.read(tmp.resolve("out/fourier.png").toFile()).getWidth()).isEqualTo(900);
        assertThat(tmp.resolve("out/fourier_spectra.png")).isNotEmptyFile();

        // the CSV carries exactly what the library computes for the same two inputs
        Family2Model m = Family2Models.load(model);
        FourierAnalysis fa = new FourierAnalysis();
        m.forward(xa, fa);
        m.forward(xb, fa);
        var expected = fa.results();
        List<String> lines = Files.readAllLines(csv);
        assertThat(lines.get(0)).isEqualTo("index,name,kind,normalized_depth,height,width,images,frequency,delta_log_amplitude");
        int rows = expected.stream().mapToInt(s -> s.deltaLogAmplitude().length).sum();
        assertThat(lines).hasSize(1 + rows);
        int r = 1;
        for (var s : expected) {
            for (double v : s.deltaLogAmplitude()) {
                String[] f = lines.get(r++).split(",");
                assertThat(f[1]).isEqualTo(s.name());
                assertThat(f[2]).isEqualTo(s.kind().name());
                assertThat(Integer.parseInt(f[6])).isEqualTo(2);
                assertThat(Double.parseDouble(f[8])).isCloseTo(v, org.assertj.core.api.Assertions.within(1e-6 + 1e-6 * Math.abs(v)));
            }
        }
        assertThat(lines.get(1)).startsWith("0,layer0,CONV,0.000000,24,24,2,0.000000,0");
    }

    @Test
    void varianceOnRefinerFromAnImageFile() throws Exception {
        Path model = FIXTURES.resolve("refiner/small");
        BufferedImage img = new BufferedImage(80, 70, BufferedImage.TYPE_INT_RGB);
        Random rnd = new Random(3);
        for (int y = 0; y < 70; y++) for (int x = 0; x < 80; x++) img.setRGB(x, y, rnd.nextInt(1 << 24));
        Path png = tmp.resolve("img.png");
        ImageIO.write(img, "png", png.toFile());
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = run(out, err, "variance", "-m", model.toString(), "-o", tmp.toString(), png.toString());
        assertThat(code).as(err.toString()).isZero();
        List<String> lines = Files.readAllLines(tmp.resolve("variance.csv"));
        // embed + (attn, mlp) x 4 blocks
        assertThat(lines).hasSize(1 + 1 + 8);
        assertThat(lines.get(2)).startsWith("1,blocks.0.attn,ATTENTION,");
        assertThat(lines.get(3)).startsWith("2,blocks.0.mlp,MLP,");
        for (String l : lines.subList(1, lines.size())) assertThat(Double.parseDouble(l.split(",")[8])).isPositive();
        assertThat(tmp.resolve("variance.png")).isNotEmptyFile();
    }

    @Test
    void worksOnViTSwinAndMixerToo() throws Exception {
        for (String f : List.of("vit/timm_plain", "swin/timm_64_pad", "mixer/s_48")) {
            Path model = FIXTURES.resolve(f);
            int s = dev.vitesse.model.VisionModel.load(model).inputSize();
            Path x = tmp.resolve(f.replace('/', '_') + ".npy");
            Npy.write(x, randomImage(s, 4), 3, s, s);
            Path out = tmp.resolve("out_" + f.replace('/', '_'));
            StringWriter o = new StringWriter(), err = new StringWriter();
            assertThat(run(o, err, "fourier", "-m", model.toString(), "-o", out.toString(), x.toString())).as(f + err).isZero();
            List<String> lines = Files.readAllLines(out.resolve("fourier.csv"));
            assertThat(lines.size()).as(f).isGreaterThan(4);
            assertThat(String.join("\n", lines)).as(f).contains(f.startsWith("mixer") ? ",TOKEN_MLP," : ",ATTENTION,")
                    .contains(",MLP,").doesNotContain("NaN");
            assertThat(run(o, err, "variance", "-m", model.toString(), "-o", out.toString(), x.toString())).as(f + err).isZero();
            assertThat(out.resolve("variance.png")).isNotEmptyFile();
        }
    }

    @Test
    void mainRunsAnalyzeClassifyBenchInfoOnFamily2Models() throws Exception {
        BufferedImage img = new BufferedImage(100, 90, BufferedImage.TYPE_INT_RGB);
        Random rnd = new Random(9);
        for (int y = 0; y < 90; y++) for (int x = 0; x < 100; x++) img.setRGB(x, y, rnd.nextInt(1 << 24));
        Path png = tmp.resolve("img.png");
        ImageIO.write(img, "png", png.toFile());
        for (String f : List.of("ffvit/tiny", "refiner/small", "alternet/bottleneck_w3")) {
            StringWriter out = new StringWriter(), err = new StringWriter();
            int code = Main.run(new PrintWriter(out), new PrintWriter(err), "analyze", "variance", "-m",
                    FIXTURES.resolve(f).toString(), "-o", tmp.resolve(f.replace('/', '_')).toString(), png.toString());
            assertThat(code).as(f + ": " + err).isZero();
            out.getBuffer().setLength(0);
            code = Main.run(new PrintWriter(out), new PrintWriter(err), "classify", "--model", FIXTURES.resolve(f).toString(),
                    png.toString());
            assertThat(code).as(f + ": " + err).isZero();
            assertThat(out.toString()).as(f).isNotBlank();
            out.getBuffer().setLength(0);
            code = Main.run(new PrintWriter(out), new PrintWriter(err), "bench", "--model", FIXTURES.resolve(f).toString(),
                    "--iterations", "2", "--warmup", "1");
            assertThat(code).as(f + ": " + err).isZero();
            out.getBuffer().setLength(0);
            code = Main.run(new PrintWriter(out), new PrintWriter(err), "info", "--model", FIXTURES.resolve(f).toString());
            assertThat(code).as(f + ": " + err).isZero();
            assertThat(out.toString()).as(f).contains("parameters");
        }
    }

    @Test
    void errorsAreClear() throws Exception {
        StringWriter out = new StringWriter(), err = new StringWriter();
        Path bad = tmp.resolve("x.npy");
        Npy.write(bad, new float[3 * 10 * 10], 3, 10, 10);
        CommandLine cl = new CommandLine(new AnalyzeCommand());
        cl.setErr(new PrintWriter(err, true));
        cl.setExecutionExceptionHandler((ex, c, p) -> {
            c.getErr().println(ex.getMessage());
            return 1;
        });
        int code = cl.execute("fourier", "-m", FIXTURES.resolve("ffvit/tiny").toString(), "-o", tmp.toString(), bad.toString());
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("x.npy").contains("expected [3, 64, 64]");
        err.getBuffer().setLength(0);
        code = cl.execute("variance", "-m", tmp.resolve("nope").toString(), bad.toString());
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("no such model");
    }
}
