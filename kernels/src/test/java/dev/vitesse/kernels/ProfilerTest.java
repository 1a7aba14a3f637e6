package dev.vitesse.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProfilerTest {
    @AfterEach
    void off() {
        Profiler.setEnabled(false);
        Profiler.reset();
    }

    @Test
    void recordsNothingWhenDisabled() {
        Profiler.setEnabled(false);
        Profiler.reset();
        long t = Profiler.start();
        assertThat(t).isZero();
        Profiler.stop(Profiler.Kind.GEMM, t);
        assertThat(Profiler.snapshot().get(Profiler.Kind.GEMM)).isEqualTo(new Profiler.Entry(0, 0));
    }

    @Test
    void accumulatesTimeAndCallsPerKindAndResets() throws InterruptedException {
        Profiler.reset();
        Profiler.setEnabled(true);
        long t = Profiler.start();
        Thread.sleep(5);
        Profiler.stop(Profiler.Kind.ATTENTION, t);
        Profiler.stop(Profiler.Kind.NORM, Profiler.start());
        var s = Profiler.snapshot();
        assertThat(s.get(Profiler.Kind.ATTENTION).calls()).isEqualTo(1);
        assertThat(s.get(Profiler.Kind.ATTENTION).nanos()).isGreaterThanOrEqualTo(4_000_000L);
        assertThat(s.get(Profiler.Kind.NORM).calls()).isEqualTo(1);
        assertThat(s.get(Profiler.Kind.GEMM).calls()).isZero();
        assertThat(s).hasSize(Profiler.Kind.values().length);
        Profiler.reset();
        assertThat(Profiler.snapshot().get(Profiler.Kind.ATTENTION)).isEqualTo(new Profiler.Entry(0, 0));
    }

    @Test
    void aNullKindIsRejectedWhenRecording() {
        Profiler.setEnabled(true);
        long t = Profiler.start();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Profiler.stop(null, t))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kind");
    }
}
