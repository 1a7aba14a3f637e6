package dev.vitesse.kernels;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Opt-in wall-clock profile of a forward pass by operator kind, for {@code vitesse bench --profile}.
 *
 * <p>Model code brackets each operator at the module level, on the calling thread (outside the parallel
 * workers), so the per-kind times add up to the forward time and nested kernel calls are not counted twice:
 * <pre>{@code
 * long t = Profiler.start();
 * weight.multiply(...);
 * Profiler.stop(Profiler.Kind.GEMM, t);
 * }</pre>
 * Off by default. When off, {@link #start()} is one volatile read and a branch and {@link #stop} one compare
 * (operators take microseconds or more, so this is noise). When on, two {@link System#nanoTime()} calls and
 * two {@link LongAdder} updates per operator. Counters are global (all threads, all models); {@link #reset()}
 * between measurements.
 */
public final class Profiler {
    private Profiler() {}

    /** Operator categories. */
    public enum Kind {
        /** Matrix multiplies incl. their fused epilogues (bias, GELU, LayerScale, residual add). */
        GEMM("GEMM (+ fused epilogue)"),
        /** Scaled-dot-product attention (QK^T, softmax, PV) incl. attention bias/masks. */
        ATTENTION("attention"),
        /** LayerNorm / BatchNorm. */
        NORM("norms"),
        /** Activations and softmax not fused into a GEMM. */
        ACTIVATION("activations"),
        /** im2col, token concat / position embedding add, window partition/merge, reshapes, pooling copies. */
        DATA_MOVEMENT("data movement"),
        /**
         * Convolutions run as one kernel call ({@code Conv2d}: im2col + GEMM inside, {@code DepthwiseConv2d}); a
         * model that calls im2col and the GEMM itself (the ViT patch embedding) reports DATA_MOVEMENT and GEMM.
         */
        CONV("convolutions");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        /** Human-readable name. */
        public String label() {
            return label;
        }
    }

    private static volatile boolean enabled;
    private static final LongAdder[] NANOS = new LongAdder[Kind.values().length];
    private static final LongAdder[] CALLS = new LongAdder[Kind.values().length];

    static {
        for (int i = 0; i < NANOS.length; i++) {
            NANOS[i] = new LongAdder();
            CALLS[i] = new LongAdder();
        }
    }

    /** Turns recording on or off (takes effect for operators that start afterwards). */
    public static void setEnabled(boolean on) {
        enabled = on;
    }

    /** Whether recording is on. */
    public static boolean enabled() {
        return enabled;
    }

    /** Start of an operator: a timestamp when recording, else 0. */
    public static long start() {
        return enabled ? System.nanoTime() : 0L;
    }

    /** End of an operator started at {@code t0} (a value from {@link #start()}); no-op when t0 is 0. */
    public static void stop(Kind kind, long t0) {
        if (t0 != 0L) {
            Checks.notNull("kind", kind);
            NANOS[kind.ordinal()].add(System.nanoTime() - t0);
            CALLS[kind.ordinal()].increment();
        }
    }

    /** Clears all counters. */
    public static void reset() {
        for (int i = 0; i < NANOS.length; i++) {
            NANOS[i].reset();
            CALLS[i].reset();
        }
    }

    /** Totals recorded per kind since the last reset. */
    public record Entry(long nanos, long calls) {}

    /** Snapshot of the counters (every kind present, zeros included), in declaration order. */
    public static Map<Kind, Entry> snapshot() {
        Map<Kind, Entry> m = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) m.put(k, new Entry(NANOS[k.ordinal()].sum(), CALLS[k.ordinal()].sum()));
        return m;
    }
}
