package dev.vitesse.model;

import dev.vitesse.kernels.Profiler;
import dev.vitesse.model.family2.Family2FixtureTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every model family reports its forward pass to {@link Profiler} at the module level: the operator kinds cover
 * nearly all of the wall time (little "other"), nothing is counted twice (the kinds never add up to more than the
 * wall time), and the kinds each family is made of show up.
 */
class ProfilerHooksTest {
    private static final long WARM_UP_NANOS = 400_000_000L;
    /** Give up looking for a representative window after this long (only a real defect gets that far). */
    private static final long MEASURE_BUDGET_NANOS = 5_000_000_000L;
    /** Steady state on a quiet machine is 1-5 % un-bracketed; a missing bracket around a real operator is far more. */
    private static final double OTHER_BOUND = 0.25;

    @AfterEach
    void off() {
        Profiler.setEnabled(false);
        Profiler.reset();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // fixture,              attention, conv,  activation
            "swin/timm_112,          true,      true,  false",
            "pvt_v1/tiny_64,         true,      true,  false",
            "pvt_v2/timm_b0,         true,      true,  true",
            "pvt_v2/timm_b2_li,      true,      true,  true",
            "mixer/s_48,             false,     true,  false",
            "ffvit/tiny,             false,     true,  false",
            "refiner/small,          true,      true,  true",
            "alternet/bottleneck_w3, true,      true,  true",
    })
    void kindsAddUpToTheForwardTime(String fixture, boolean attention, boolean conv, boolean activation) throws Exception {
        VisionModel m = VisionModel.load(Family2FixtureTest.fixture(fixture));
        int s = m.inputSize();
        float[] x = VisionModelFamiliesTest.images(1, s, 3);
        long warm = System.nanoTime();
        while (System.nanoTime() - warm < WARM_UP_NANOS) m.forward(x, 1);
        // A pass of these fixtures takes 0.04-2 ms, so whatever the JIT is doing dominates 'other': measured on
        // ffvit/tiny, passes go interpreted (28 ms, 1 % other) -> mixed tiers (340 us, 44 % other: the un-bracketed
        // glue and the Profiler bookkeeping run slow code while the kernels are compiled) -> C2 (40 us, 9 %), and
        // fall back to the mixed phase for ~0.5 s after a deoptimisation; GC pauses and neighbours on a shared CI
        // machine add more. Noise only ever adds to 'other', so keep the best 50 ms window and stop at the first
        // one clearly below the bound; a missing bracket around a real operator fails every window.
        Map<Profiler.Kind, Profiler.Entry> p = null;
        long wall = 0, attributed = 0;
        long measureStart = System.nanoTime();
        while (p == null || System.nanoTime() - measureStart < MEASURE_BUDGET_NANOS) {
            Profiler.reset();
            Profiler.setEnabled(true);
            long t0 = System.nanoTime(), w;
            do {
                m.forward(x, 1);
                w = System.nanoTime() - t0;
            } while (w < 50_000_000L);
            Profiler.setEnabled(false);
            Map<Profiler.Kind, Profiler.Entry> snap = Profiler.snapshot();
            long a = 0;
            for (Profiler.Entry e : snap.values()) a += e.nanos();
            // batch 1 runs on the calling thread: brackets are disjoint, so their sum cannot exceed the wall time
            assertThat(a).as(fixture + ": " + snap).isLessThanOrEqualTo(w);
            if (p == null || (double) (w - a) / w < (double) (wall - attributed) / wall) {
                p = snap;
                wall = w;
                attributed = a;
            }
            if ((double) (wall - attributed) / wall < OTHER_BOUND / 2) break;
        }
        String table = fixture + ": wall " + wall / 1e6 + " ms, " + p;

        assertThat(p.get(Profiler.Kind.GEMM).nanos()).as(table).isPositive();
        assertThat(p.get(Profiler.Kind.NORM).calls()).as(table).isPositive();
        assertThat(p.get(Profiler.Kind.DATA_MOVEMENT).calls()).as(table).isPositive();
        assertThat(p.get(Profiler.Kind.ATTENTION).calls() > 0).as(table).isEqualTo(attention);
        assertThat(p.get(Profiler.Kind.CONV).calls() > 0).as(table).isEqualTo(conv);
        if (activation) assertThat(p.get(Profiler.Kind.ACTIVATION).calls()).as(table).isPositive();
        // everything that is not bracketed (allocation, loop control, the image copy) is a small share
        assertThat((double) (wall - attributed) / wall).as(table).isLessThan(OTHER_BOUND);
    }
}
