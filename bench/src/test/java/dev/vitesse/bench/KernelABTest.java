package dev.vitesse.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Smoke runs of the in-process A/B (tiny workloads, no timing claims): the reactor's compiled kernels on both sides
 * must give identical outputs, and bad arguments a usage error naming the problem.
 */
class KernelABTest {
    /** The kernels module's compiled classes (surefire runs in bench/). */
    private static final String KERNELS = Path.of("..", "kernels", "target", "classes").toString();

    private static String run(int expectedRc, String... args) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc;
        try (PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            rc = KernelAB.run(args, out);
        }
        String text = buf.toString(StandardCharsets.UTF_8);
        assertThat(rc).as(text).isEqualTo(expectedRc);
        return text;
    }

    @Test
    void nullRunsAgreeExactly() throws Exception {
        assertThat(Files.isDirectory(Path.of(KERNELS))).as(KERNELS).isTrue();
        String common = " --threads 2 --rounds 2 --warmup 1 --block-ms 5";
        for (String job : new String[] {"gemm 13x40x300", "sgemm 7x33x70", "flash 17"}) {
            String[] args = (KERNELS + " " + KERNELS + " " + job + common).split(" ");
            String text = run(0, args);
            assertThat(text).as(job).contains("speed NEW/OLD per round").contains("max |NEW - OLD| 0.00e+00");
        }
        String props = run(0, (KERNELS + " " + KERNELS + " gemm 5x8x9 --rounds 1 --warmup 0 --block-ms 1"
                + " --new-prop vitesse.gemm.kc=16").split(" "));
        assertThat(props).contains("max |NEW - OLD|");
        assertThat(System.getProperty("vitesse.gemm.kc")).as("--new-prop is restored").isNull();
    }

    @Test
    void modelNullRunAgreesExactly() throws Exception {
        // each side gets its own copy of kernels + vit-model + Jackson, as with two cli jars
        String jackson = Path.of(ObjectMapper.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        String core = Path.of(JsonFactory.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        String ann = Path.of(JsonProperty.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        String cp = String.join(File.pathSeparator, KERNELS, Path.of("..", "vit-model", "target", "classes").toString(),
                jackson, core, ann);
        String model = Path.of("..", "vit-model", "src", "test", "resources", "fixtures", "ffvit", "tiny").toString();
        String text = run(0, cp, cp, "model", model + ":2", "--threads", "2", "--rounds", "2", "--warmup", "1",
                "--block-ms", "5");
        assertThat(text).contains("speed NEW/OLD per round").contains("max |NEW - OLD| 0.00e+00");
    }

    @Test
    void badArgumentsAreNamed() throws Exception {
        assertThat(run(2, "a", "b")).contains("usage");
        assertThat(run(2, "no-such.jar", KERNELS, "gemm", "1x2x3")).contains("OLD not found: no-such.jar");
        assertThat(run(2, KERNELS, KERNELS, "gemm", "1x2")).contains("expected gemm|sgemm MxNxK, flash N or model DIR[:B]");
        assertThat(run(2, KERNELS, KERNELS, "model", "no-such-dir:2")).contains("model not found: no-such-dir");
        assertThat(run(2, KERNELS + File.pathSeparator + "gone.jar", KERNELS, "flash", "9")).contains("OLD not found: gone.jar");
        assertThat(run(2, KERNELS, KERNELS, "flash", "9", "--bogus", "1")).contains("unknown option --bogus");
        assertThat(run(2, KERNELS, KERNELS, "flash", "9", "--new-prop", "x")).contains("--new-prop needs key=value");
    }
}
