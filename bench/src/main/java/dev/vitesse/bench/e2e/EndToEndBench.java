package dev.vitesse.bench.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Side-by-side end-to-end benchmark: Vitesse and ONNX Runtime Java in this JVM, PyTorch in a worker process,
 * alternating within every round (vitesse, onnxruntime, pytorch; repeated {@code --rounds} times) so that
 * machine noise hits all three alike. Reports median latency, images/s, the ratios, and how closely the
 * outputs agree on the same input. Driven by {@code scripts/bench-e2e}, which exports the models first.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp bench/target/vitesse-bench.jar dev.vitesse.bench.e2e.EndToEndBench \
 *   --models-dir bench-results/models --models vit_base_patch16_224 --batches 1,8 --threads 1,2 --rounds 3
 * </pre>
 */
public final class EndToEndBench {
    private EndToEndBench() {}

    /** Parsed command line. */
    static final class Options {
        Path modelsDir = Path.of("bench-results/models");
        Path outDir = Path.of("bench-results");
        List<String> models = List.of("vit_base_patch16_224");
        int[] batches = {1, 8};
        int[] threads = {1, 2};
        int rounds = 3;
        int iterations = 3;
        int warmup = 2;
        /** Minimum warm-up time per engine and cell, on top of {@code warmup} passes (steady state, not JIT). */
        double warmupSeconds = 3;
        List<String> engines = List.of("vitesse", "onnxruntime", "pytorch");
        String python = "/usr/bin/python3";
        Path worker = Path.of("scripts/e2e/torch_worker.py");
        String label = "";

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (i + 1 >= args.length) throw new IllegalArgumentException("option " + a + " needs a value");
                String v = args[++i];
                switch (a) {
                    case "--models-dir" -> o.modelsDir = Path.of(v);
                    case "--out" -> o.outDir = Path.of(v);
                    case "--models" -> o.models = List.of(v.split(","));
                    case "--batches" -> o.batches = ints(v);
                    case "--threads" -> o.threads = ints(v);
                    case "--rounds" -> o.rounds = positive(a, v);
                    case "--iterations" -> o.iterations = positive(a, v);
                    case "--warmup" -> o.warmup = Integer.parseInt(v);
                    case "--warmup-seconds" -> o.warmupSeconds = Double.parseDouble(v);
                    case "--engines" -> o.engines = List.of(v.split(","));
                    case "--python" -> o.python = v;
                    case "--worker" -> o.worker = Path.of(v);
                    case "--label" -> o.label = v;
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            for (String e : o.engines) {
                if (!List.of("vitesse", "onnxruntime", "pytorch").contains(e)) {
                    throw new IllegalArgumentException("unknown engine '" + e + "' (vitesse, onnxruntime, pytorch)");
                }
            }
            return o;
        }

        private static int positive(String name, String v) {
            int n = Integer.parseInt(v);
            if (n < 1) throw new IllegalArgumentException(name + " must be >= 1, found " + v);
            return n;
        }

        private static int[] ints(String v) {
            return Arrays.stream(v.split(",")).mapToInt(s -> positive("value", s.trim())).toArray();
        }
    }

    /** One (model, batch, threads) cell: samples per engine and agreement figures. */
    static final class Cell {
        final String model;
        final int batch, threads;
        final Map<String, List<Double>> samples = new LinkedHashMap<>();
        final Map<String, Float> maxRelErrVsOrt = new LinkedHashMap<>();
        final Map<String, Double> top1AgreeVsOrt = new LinkedHashMap<>();
        final Map<String, String> errors = new LinkedHashMap<>();

        Cell(String model, int batch, int threads) {
            this.model = model;
            this.batch = batch;
            this.threads = threads;
        }

        double median(String engine) {
            List<Double> s = samples.get(engine);
            return s == null || s.isEmpty() ? Double.NaN : Stats.median(s);
        }
    }

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench-e2e: " + e.getMessage());
            System.exit(2);
            return;
        }
        Files.createDirectories(o.outDir);
        String peakBefore = dev.vitesse.bench.FmaPeak.now();
        System.out.println(peakBefore);
        Path scratch = Files.createTempDirectory("vitesse-e2e");
        List<Cell> cells = new ArrayList<>();
        Map<String, Object> meta = new LinkedHashMap<>();
        Map<String, Double> loadMs = new LinkedHashMap<>();
        List<String> skipped = new ArrayList<>();
        TorchEngine torch = null;
        if (o.engines.contains("pytorch")) {
            torch = new TorchEngine(o.python, o.worker, scratch, o.outDir.resolve("torch-worker.log"));
        }
        try {
            for (String model : o.models) {
                Path folder = o.modelsDir.resolve(model);
                if (!Files.isDirectory(folder)) throw new IllegalArgumentException(folder + ": not exported (run scripts/e2e/export_models.py)");
                List<Engine> engines = new ArrayList<>();
                for (String e : o.engines) {
                    switch (e) {
                        case "vitesse" -> {
                            try {
                                VitesseEngine v = VitesseEngine.load(folder, model);
                                loadMs.put(model, v.loadMs);
                                System.out.printf(Locale.ROOT, "%s: Vitesse loaded in %.0f ms%n", model, v.loadMs);
                                engines.add(v);
                            } catch (UnsupportedModelException ex) {
                                String msg = model + ": SKIPPED for Vitesse: " + ex.getMessage();
                                System.out.println(msg);
                                skipped.add(msg);
                            }
                        }
                        case "onnxruntime" -> engines.add(new OrtEngine(folder));
                        case "pytorch" -> {
                            torch.load(model, folder);
                            engines.add(torch);
                        }
                        default -> throw new AssertionError(e);
                    }
                }
                for (int batch : o.batches) {
                    float[] input = randomInput(batch, 224, 1234 + batch);
                    for (int t : o.threads) {
                        Cell c = runCell(model, batch, t, input, engines, o);
                        cells.add(c);
                        System.out.println(Report.cellLine(c));
                    }
                }
                for (Engine e : engines) {
                    if (e != torch) e.close();
                }
            }
        } finally {
            if (torch != null) torch.close();
            try (var files = Files.walk(scratch)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
        meta.put("date", LocalDateTime.now().toString());
        meta.put("label", o.label);
        meta.put("java", System.getProperty("java.vm.version"));
        meta.put("cpus", Runtime.getRuntime().availableProcessors());
        meta.put("cpu", Report.cpuModel());
        meta.put("onnxruntime", o.engines.contains("onnxruntime") ? OrtEngine.version() : "-");
        meta.put("pytorch", torch != null ? torch.version() : "-");
        meta.put("rounds", o.rounds);
        meta.put("iterations_per_round", o.iterations);
        meta.put("warmup", o.warmup);
        meta.put("warmup_seconds", o.warmupSeconds);
        meta.put("vitesse_load_ms", loadMs);
        meta.put("skipped", skipped);
        meta.put("fma_peak_before", peakBefore);
        meta.put("fma_peak_after", dev.vitesse.bench.FmaPeak.now());
        String table = Report.table(cells, meta);
        System.out.println();
        System.out.println(table);
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path json = o.outDir.resolve("e2e-" + stamp + ".json");
        Path md = o.outDir.resolve("e2e-" + stamp + ".md");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), Report.json(cells, meta));
        Files.writeString(md, table);
        System.out.println("wrote " + json + " and " + md);
        // ORT and the ForkJoin pool keep non-daemon/native threads around; exit explicitly.
        System.exit(0);
    }

    /** Gaussian pixels, like a normalised image. */
    static float[] randomInput(int batch, int size, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[batch * 3 * size * size];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    /**
     * {@code --warmup} untimed passes, then more until {@code --warmup-seconds} have passed, the same for every
     * engine: a server runs in steady state, and on 2 cores the JIT's compiler threads compete with a 2-thread
     * forward pass, so a small model (DeiT-S, ~40 ms a pass) is still getting faster after 10 passes.
     */
    private static void warmUp(Engine e, float[] input, int batch, int threads, Options o) throws Exception {
        long end = System.nanoTime() + (long) (o.warmupSeconds * 1e9);
        e.run(input, batch, threads, o.warmup, 1);
        while (System.nanoTime() < end) e.run(input, batch, threads, 0, 1);
    }

    private static Cell runCell(String model, int batch, int threads, float[] input, List<Engine> engines, Options o)
            throws InterruptedException {
        Cell c = new Cell(model, batch, threads);
        Map<String, float[]> outputs = new LinkedHashMap<>();
        for (int round = 0; round < o.rounds; round++) {
            for (Engine e : engines) {
                if (c.errors.containsKey(e.name())) continue;
                try {
                    if (round == 0) warmUp(e, input, batch, threads, o);
                    Engine.Timing t = e.run(input, batch, threads, 0, o.iterations);
                    List<Double> s = c.samples.computeIfAbsent(e.name(), k -> new ArrayList<>());
                    for (double ms : t.ms()) s.add(ms);
                    if (round == 0) outputs.put(e.name(), t.logits());
                } catch (Exception ex) {
                    c.errors.put(e.name(), ex.toString());
                    System.out.println("  " + e.name() + " failed on " + model + " b" + batch + " t" + threads + ": " + ex);
                }
                // let ORT's spinning intra-op threads and the ForkJoin workers go idle before the next engine
                Thread.sleep(150);
            }
        }
        float[] ref = outputs.get("onnxruntime");
        if (ref != null) {
            for (var en : outputs.entrySet()) {
                if (en.getKey().equals("onnxruntime")) continue;
                c.maxRelErrVsOrt.put(en.getKey(), Stats.maxRelErr(en.getValue(), ref));
                c.top1AgreeVsOrt.put(en.getKey(), Stats.top1Agreement(en.getValue(), ref, batch));
            }
        }
        return c;
    }
}
