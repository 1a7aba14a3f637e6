package dev.vitesse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unwritable outputs are refused up front, as one line (the built-in model, so no checkpoint is needed). */
class OutputFilesTest {
    private static void assertOneLine(CliTest.Result r, String... contains) {
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).startsWith("vitesse: ").contains(contains).doesNotContain("Exception");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void outputsInMissingFoldersOrOnDirectoriesAreOneLineErrors(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("no/such/folder");
        String sample = BuiltinModel.samples().get(0).toString();
        // before: ImageIO printed a FileNotFoundException stack trace, then "Can't create an ImageOutputStream!"
        assertOneLine(CliTest.run("attention", sample, "--out", missing.resolve("heat.png").toString()),
                "--out", "heat.png", "does not exist");
        assertOneLine(CliTest.run("embed", sample, "--out", missing.resolve("e.npy").toString()), "--out", "does not exist");
        assertOneLine(CliTest.run("embed", sample, "--out", dir.toString()), "--out", "is a directory");

        Path x = dir.resolve("x.npy");
        dev.vitesse.model.io.Npy.write(x, new float[3 * 32 * 32], 1, 3, 32, 32);
        assertOneLine(CliTest.run("logits", "--input", x.toString(), "--output", missing.resolve("y.npy").toString()),
                "--output", "does not exist");

        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertOneLine(CliTest.run("analyze", "variance", "--model", x.toString(), "--out", file.toString(), sample),
                "--out", "is a file");
        // the good paths still work
        assertThat(CliTest.run("attention", sample, "--out", dir.resolve("heat.png").toString()).code()).isZero();
        assertThat(Files.size(dir.resolve("heat.png"))).isPositive();
    }
}
