package dev.vitesse.cli;

import dev.vitesse.kernels.Profiler;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code vitesse bench --profile}: runs extra forward passes with {@link Profiler} recording and prints the
 * wall time per operator kind. Done after the timed passes, so the headline timings never include the
 * (small) recording overhead.
 */
final class ProfileReport {
    private ProfileReport() {}

    /**
     * Profiles {@code passes} runs of {@code forward}; prints a table to {@code out}.
     *
     * @return per-kind milliseconds per pass (plus "other" and "total"), for the JSON line
     */
    static Map<String, Double> run(Runnable forward, int passes, PrintWriter out) {
        Profiler.reset();
        Profiler.setEnabled(true);
        long t0 = System.nanoTime();
        try {
            for (int i = 0; i < passes; i++) forward.run();
        } finally {
            Profiler.setEnabled(false);
        }
        double totalMs = (System.nanoTime() - t0) / 1e6 / passes;
        Map<Profiler.Kind, Profiler.Entry> snap = Profiler.snapshot();
        Profiler.reset();
        Map<String, Double> json = new LinkedHashMap<>();
        out.printf(Locale.ROOT, "profile over %d pass(es): %.2f ms/pass%n", passes, totalMs);
        out.printf(Locale.ROOT, "  %-26s %10s %7s %10s%n", "operator kind", "ms/pass", "share", "calls/pass");
        double attributed = 0;
        for (var e : snap.entrySet()) {
            double ms = e.getValue().nanos() / 1e6 / passes;
            attributed += ms;
            json.put(e.getKey().name().toLowerCase(Locale.ROOT), ms);
            if (e.getValue().calls() == 0) continue;
            out.printf(Locale.ROOT, "  %-26s %10.2f %6.1f%% %10.1f%n", e.getKey().label(), ms, 100 * ms / totalMs,
                    (double) e.getValue().calls() / passes);
        }
        double other = Math.max(0, totalMs - attributed);
        out.printf(Locale.ROOT, "  %-26s %10.2f %6.1f%%%n", "other (not instrumented)", other, 100 * other / totalMs);
        if (attributed > totalMs * 1.05) {
            // images of a batch ran in parallel on the worker threads: the kinds add up thread time, not wall time
            out.printf(Locale.ROOT, "  (operator times are summed over the threads that ran images in parallel: %.2f ms"
                    + " attributed vs %.2f ms wall; use a batch below the thread count for a wall-time split)%n", attributed, totalMs);
        }
        json.put("other", other);
        json.put("total", totalMs);
        return json;
    }
}
