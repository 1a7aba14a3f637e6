package dev.vitesse.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vitesse.kernels.Parallel;
import dev.vitesse.model.VisionModel;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "bench", mixinStandardHelpOptions = true, version = Main.VERSION, sortOptions = false,
        description = {"Times forward passes on random input: the built-in digits model by default, a checkpoint with "
                + "--model, or random weights of an architecture with --arch alone.",
                "Reports the median ms per batch, images/s and GFLOP/s; with --json the last line is one JSON object."})
final class BenchCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ModelOptions model;

    @Option(names = {"-b", "--batch"}, paramLabel = "B", defaultValue = "1", description = "Images per forward pass (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = {"-n", "--iterations"}, paramLabel = "N", defaultValue = "10", description = "Timed passes (default ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--warmup", paramLabel = "W", defaultValue = "2", description = "Untimed passes first (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--requests", paramLabel = "R", defaultValue = "1", description = "Run the timed passes from R threads "
            + "at once, N each, like a server's request threads; reports images/s over all of them and the latency of a "
            + "pass (default ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--profile", description = "After the timed passes, run the same number of passes again with per-operator "
            + "timing and print where the time goes (GEMM, attention, norms, activations, data movement, convolutions).")
    boolean profile;

    @Option(names = "--json", description = "End with one JSON line (median_ms, images_per_s, gflops, ...).")
    boolean json;

    @Option(names = "--each", description = "Print the time of every pass, warm-up included (shows JIT warm-up).")
    boolean each;

    /** {@code iterations} timed passes into {@code ms[from ..]}; prints each to {@code log} when it is non-null. */
    private void timedPasses(VisionModel m, float[] x, double[] ms, int from, float[] sinks, int slot, PrintWriter log) {
        for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            sinks[slot] += m.forward(x, batch)[0];
            ms[from + i] = (System.nanoTime() - t0) / 1e6;
            if (log != null) log.printf(Locale.ROOT, "pass %d: %.2f ms%n", i + 1, ms[from + i]);
        }
    }

    @Override
    public Integer call() throws Exception {
        if (batch < 1 || iterations < 1 || warmup < 0 || requests < 1) {
            throw new IllegalArgumentException("--batch, --iterations and --requests must be >= 1 and --warmup >= 0");
        }
        if (requests > 1 && (profile || each)) {
            throw new IllegalArgumentException("--profile and --each time one pass at a time: use them without --requests");
        }
        // --arch alone: random weights of that architecture; otherwise what --model names (the built-in model by default)
        boolean random = model.builtin() && model.arch != null;
        VisionModel m = random ? VisionModel.random(model.options(), 42) : model.load();
        int per = m.inChans() * m.inputSize() * m.inputSize();
        float[] x = Images.nchw(batch, per);
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
        PrintWriter out = spec.commandLine().getOut();
        String name = m.architecture();
        out.printf(Locale.ROOT, "%s (%s %s weights%s), batch %d, %d threads, %d warm-up + %d timed passes%s%n", name,
                random ? "random" : model.builtin() ? "built-in" : "loaded", m.weightFormat().cliName(),
                m.weightBytes() < 0 ? "" : String.format(Locale.ROOT, ", %.1f MB", m.weightBytes() / 1e6), batch,
                Parallel.threads(), warmup, iterations,
                requests > 1 ? String.format(Locale.ROOT, " on each of %d request threads", requests) : "");
        out.flush();
        float sink = 0;
        for (int i = 0; i < warmup; i++) { // untimed unless --each
            long t0 = System.nanoTime();
            sink += m.forward(x, batch)[0];
            if (each) out.printf(Locale.ROOT, "warm-up %d: %.2f ms%n", i + 1, (System.nanoTime() - t0) / 1e6);
        }
        double[] ms = new double[requests * iterations];
        float[] sinks = new float[requests];
        long wall0 = System.nanoTime();
        if (requests == 1) {
            timedPasses(m, x, ms, 0, sinks, 0, each ? out : null);
        } else {
            Thread[] callers = new Thread[requests];
            Throwable[] failure = new Throwable[1];
            for (int r = 0; r < requests; r++) {
                int id = r;
                callers[r] = new Thread(() -> timedPasses(m, x, ms, id * iterations, sinks, id, null), "request-" + (r + 1));
                callers[r].setUncaughtExceptionHandler((t, e) -> {
                    synchronized (failure) {
                        if (failure[0] == null) failure[0] = e;
                    }
                });
                callers[r].start();
            }
            for (Thread t : callers) t.join();
            if (failure[0] instanceof RuntimeException e) throw e;
            if (failure[0] != null) throw new IllegalStateException("a request thread failed", failure[0]);
        }
        double wallS = (System.nanoTime() - wall0) / 1e9;
        for (float v : sinks) sink += v;
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        double p90 = sorted[Math.min(n - 1, (int) Math.ceil(0.9 * n) - 1)];
        // one caller: from the median pass (robust to a slow outlier); several: everything they did over the wall time
        double imagesPerS = requests == 1 ? batch * 1000.0 / median : (double) n * batch / wallS;
        double flops = m.family1Model() != null ? m.family1Model().flopsPerImage() : Flops.perImageOrNaN(m);
        double gflops = flops * imagesPerS / 1e9;
        out.printf(Locale.ROOT, "median %.2f ms/batch (min %.2f, max %.2f%s), %.1f images/s%s, %.1f GFLOP/s (%.2f GFLOP/image)%n",
                median, sorted[0], sorted[n - 1], requests > 1 ? String.format(Locale.ROOT, ", p90 %.2f", p90) : "",
                imagesPerS, requests > 1 ? String.format(Locale.ROOT, " over all %d request threads", requests) : "",
                gflops, flops / 1e9);
        Map<String, Double> prof = null;
        if (profile) {
            final float[] input = x;
            prof = ProfileReport.run(() -> m.forward(input, batch), iterations, out);
        }
        if (json) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("arch", name);
            r.put("batch", batch);
            r.put("threads", Parallel.threads());
            r.put("iterations", iterations);
            r.put("requests", requests);
            r.put("weights", m.weightFormat().cliName());
            if (m.weightBytes() >= 0) r.put("weight_bytes", m.weightBytes());
            r.put("median_ms", median);
            r.put("min_ms", sorted[0]);
            r.put("max_ms", sorted[n - 1]);
            r.put("p90_ms", p90);
            r.put("images_per_s", imagesPerS);
            r.put("gflop_per_image", flops / 1e9);
            r.put("gflops", gflops);
            if (prof != null) r.put("profile_ms_per_pass", prof);
            r.put("checksum", Float.isFinite(sink) ? "finite" : "non-finite");
            out.println(new ObjectMapper().writeValueAsString(r));
        }
        out.flush();
        return 0;
    }
}
