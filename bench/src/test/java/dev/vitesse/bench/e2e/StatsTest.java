package dev.vitesse.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {
    @Test
    void medianOfOddAndEvenCounts() {
        assertThat(Stats.median(List.of(5.0, 1.0, 3.0))).isEqualTo(3.0);
        assertThat(Stats.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
    }

    @Test
    void maxRelErrIsRelativeToTheLargestReferenceMagnitude() {
        float[] ref = {10f, -20f, 0f};
        float[] a = {10.5f, -20f, -0.2f};
        assertThat(Stats.maxRelErr(a, ref)).isEqualTo(0.5f / 20f);
        assertThat(Stats.maxRelErr(ref, ref)).isZero();
    }

    @Test
    void maxRelErrFlagsNaNAndLengthMismatch() {
        assertThat(Stats.maxRelErr(new float[] {Float.NaN}, new float[] {1f})).isInfinite();
        assertThat(Stats.maxRelErr(new float[2], new float[3])).isInfinite();
        assertThat(Stats.maxRelErr(null, new float[3])).isInfinite();
    }

    @Test
    void top1AgreementCountsRowsWithTheSameArgmax() {
        float[] ref = {0, 1, 2, /* row 2 */ 5, 0, 0};
        float[] a = {0, 1, 3, /* row 2 */ 0, 6, 0};
        assertThat(Stats.top1Agreement(a, ref, 2)).isEqualTo(0.5);
    }

    @Test
    void optionsRejectUnknownEnginesAndBadCounts() {
        assertThatThrownBy(() -> EndToEndBench.Options.parse(new String[] {"--engines", "tensorflow"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tensorflow");
        assertThatThrownBy(() -> EndToEndBench.Options.parse(new String[] {"--rounds", "0"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--rounds");
        assertThatThrownBy(() -> EndToEndBench.Options.parse(new String[] {"--batches"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a value");
        EndToEndBench.Options o = EndToEndBench.Options.parse(new String[] {"--batches", "1,8", "--threads", "2"});
        assertThat(o.batches).containsExactly(1, 8);
        assertThat(o.threads).containsExactly(2);
    }
}
