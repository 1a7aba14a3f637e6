package dev.vitesse.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Correctness smoke run of the side-by-side benchmark (tiny shapes, one round, no timing claims): Vitesse's sgemm and
 * packed multiply must agree with OpenBLAS. Skipped, with the reason, when libopenblas is not installed.
 */
class GemmCompareSmokeTest {
    @Test
    void quickRunAgreesWithOpenBlas() throws Exception {
        StringBuilder why = new StringBuilder();
        boolean present = OpenBlas.load(why).isPresent();
        assumeTrue(present, () -> "OpenBLAS not available, skipping the GemmCompare smoke run: " + why);

        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc;
        try (PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            rc = GemmCompare.run(new String[] {"--quick"}, out);
        }
        String text = buf.toString(StandardCharsets.UTF_8);
        System.out.println(text);
        assertThat(rc).as(text).isZero();
        assertThat(text).contains("OK: results agree").doesNotContain("MISMATCH");
    }

    @Test
    void pairedSpeedupTimesBothThreadCountsEveryRound() {
        int saved = dev.vitesse.kernels.Parallel.threads();
        try {
            int m = 64, n = 96, k = 128;
            float[] x = new float[m * k], w = new float[n * k], c = new float[m * n];
            java.util.Arrays.fill(x, 0.5f);
            java.util.Arrays.fill(w, 0.25f);
            dev.vitesse.kernels.PackedMatrix pw = dev.vitesse.kernels.PackedMatrix.packWeight(w, 0, n, k);
            GemmCompare.PairedSpeedup p = GemmCompare.pairedSpeedup("64x96x128",
                    () -> pw.multiply(m, x, 0, k, c, 0, n, dev.vitesse.kernels.Epilogue.NONE), 2.0 * m * n * k, 2, 3, 5);
            assertThat(p.perRound()).hasSize(3);
            for (double r : p.perRound()) assertThat(r).isPositive().isFinite();
            assertThat(p.min()).isLessThanOrEqualTo(p.median());
            assertThat(p.median()).isLessThanOrEqualTo(p.max());
            assertThat(p.threads()).isEqualTo(2);
        } finally {
            dev.vitesse.kernels.Parallel.setThreads(saved);
        }
    }

    @Test
    void agreementMetricDetectsADifference() {
        float[] ref = {1, -2, 3, 4};
        assertThat(GemmCompare.maxRelDiff(ref.clone(), ref)).isZero();
        float[] bad = {1, -2, 3.5f, 4};
        assertThat(GemmCompare.maxRelDiff(bad, ref)).isEqualTo(0.125);
        assertThat(GemmCompare.maxRelDiff(new float[] {Float.NaN, 0, 0, 0}, ref)).isNaN();
    }

    @Test
    void medianOfRounds() {
        assertThat(Samples.median(new double[] {5, 1, 3})).isEqualTo(3);
        assertThat(Samples.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
    }
}
