package dev.vitesse.cli;

import static dev.vitesse.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code --weights fp32|bf16} on the commands that load a model. */
class WeightsOptionTest {

    @Test
    void infoReportsFormatAndBytes() {
        CliTest.Result f = run("info");
        CliTest.Result h = run("info", "--weights", "bf16");
        assertThat(f.code()).as(f.err()).isZero();
        assertThat(h.code()).as(h.err()).isZero();
        assertThat(f.out()).containsPattern("weights: fp32, [0-9.]+ MB in memory \\([0-9,]+ bytes");
        assertThat(h.out()).containsPattern("weights: bf16, [0-9.]+ MB in memory \\([0-9,]+ bytes");
        assertThat(bytes(h.out())).isLessThan(bytes(f.out()));
    }

    private static long bytes(String out) {
        var m = java.util.regex.Pattern.compile("\\(([0-9,]+) bytes").matcher(out);
        assertThat(m.find()).isTrue();
        return Long.parseLong(m.group(1).replace(",", ""));
    }

    @Test
    void classifyWithBf16GivesThePyTorchTop1OnTheSamples() {
        CliTest.Result f = run("classify", "--top", "1");
        CliTest.Result h = run("classify", "--top", "1", "--weights", "BF16");
        assertThat(h.code()).as(h.err()).isZero();
        // the samples' top-1 classes (first token after the file name) are the same as with fp32
        assertThat(h.out().lines().map(WeightsOptionTest::top1).toList())
                .isEqualTo(f.out().lines().map(WeightsOptionTest::top1).toList());
    }

    private static String top1(String line) {
        int colon = line.indexOf(": ");
        return colon < 0 ? line : line.substring(0, colon + 3);
    }

    @Test
    void benchAndLogitsAcceptTheOption() {
        CliTest.Result b = run("bench", "--arch", "vit_tiny_patch16_224", "--iterations", "1", "--warmup", "0", "--weights", "bf16");
        assertThat(b.code()).as(b.err()).isZero();
        assertThat(b.out()).containsPattern("random bf16 weights, [0-9.]+ MB\\)");
        CliTest.Result j = run("bench", "--arch", "vit_tiny_patch16_224", "--iterations", "1", "--warmup", "0", "--weights", "bf16",
                "--json");
        assertThat(j.code()).as(j.err()).isZero();
        assertThat(j.out()).contains("\"weights\":\"bf16\"").containsPattern("\"weight_bytes\":[0-9]+");
    }

    @Test
    void otherValuesAreAOneLineError() {
        for (String bad : new String[] {"fp16", "int8", ""}) {
            CliTest.Result r = run("classify", "--weights", bad);
            assertThat(r.code()).isNotZero();
            assertThat(r.errLines()).hasSize(1);
            assertThat(r.err()).contains("--weights must be fp32 or bf16").contains("'" + bad + "'");
        }
    }
}
