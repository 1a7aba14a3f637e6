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

@Command(name = "bench", sortOptions = false,
        description = {"Times forward passes on random input (random weights unless --model is given).",
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

    @Option(names = "--profile", description = "After the timed passes, run the same number of passes again with per-operator "
            + "timing and print where the time goes (GEMM, attention, norms, activations, data movement, convolutions).")
    boolean profile;

    @Option(names = "--json", description = "End with one JSON line (median_ms, images_per_s, gflops, ...).")
    boolean json;

    @Option(names = "--each", description = "Print the time of every pass, warm-up included (shows JIT warm-up).")
    boolean each;

    @Override
    public Integer call() throws Exception {
        if (batch < 1 || iterations < 1 || warmup < 0) {
            throw new IllegalArgumentException("--batch and --iterations must be >= 1 and --warmup >= 0");
        }
        VisionModel m;
        if (model.model != null) {
            m = model.load();
        } else {
            if (model.arch == null) throw new IllegalArgumentException("bench needs --arch NAME (random weights) or --model PATH");
            m = VisionModel.random(model.options(), 42);
        }
        int per = m.inChans() * m.inputSize() * m.inputSize();
        float[] x = new float[batch * per];
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
        PrintWriter out = spec.commandLine().getOut();
        String name = m.architecture();
        out.printf(Locale.ROOT, "%s (%s %s weights%s), batch %d, %d threads, %d warm-up + %d timed passes%n", name,
                model.model != null ? "loaded" : "random", m.weightFormat().cliName(),
                m.weightBytes() < 0 ? "" : String.format(Locale.ROOT, ", %.1f MB", m.weightBytes() / 1e6), batch,
                Parallel.threads(), warmup, iterations);
        out.flush();
        float sink = 0;
        double[] ms = new double[iterations];
        for (int i = 0; i < warmup + iterations; i++) { // warm-up passes first, untimed unless --each
            long t0 = System.nanoTime();
            sink += m.forward(x, batch)[0];
            double t = (System.nanoTime() - t0) / 1e6;
            boolean timed = i >= warmup;
            if (timed) ms[i - warmup] = t;
            if (each) out.printf(Locale.ROOT, "%s %d: %.2f ms%n", timed ? "pass" : "warm-up", timed ? i - warmup + 1 : i + 1, t);
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        double median = iterations % 2 == 1 ? sorted[iterations / 2] : (sorted[iterations / 2 - 1] + sorted[iterations / 2]) / 2;
        double imagesPerS = batch * 1000.0 / median;
        double flops = m.family1Model() != null ? m.family1Model().flopsPerImage() : Flops.perImageOrNaN(m);
        double gflops = flops * batch / (median / 1000.0) / 1e9;
        out.printf(Locale.ROOT, "median %.2f ms/batch (min %.2f, max %.2f), %.1f images/s, %.1f GFLOP/s (%.2f GFLOP/image)%n",
                median, sorted[0], sorted[iterations - 1], imagesPerS, gflops, flops / 1e9);
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
            r.put("weights", m.weightFormat().cliName());
            if (m.weightBytes() >= 0) r.put("weight_bytes", m.weightBytes());
            r.put("median_ms", median);
            r.put("min_ms", sorted[0]);
            r.put("max_ms", sorted[iterations - 1]);
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
