package dev.vitesse.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.vitesse.kernels.Epilogue;
import dev.vitesse.kernels.Gemm;
import dev.vitesse.kernels.PackedMatrix;
import dev.vitesse.kernels.Parallel;
import dev.vitesse.kernels.gemm.GemmConfig;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * Side-by-side SGEMM benchmark in one JVM: Vitesse {@code Gemm.sgemm}, Vitesse {@code PackedMatrix.multiply}
 * (weight packed once, outside the timing) and OpenBLAS {@code cblas_sgemm} through FFM, alternating the order every
 * round so that drift in machine load hits all three alike. Reports the median GFLOP/s of the rounds and the ratio
 * to OpenBLAS, checks that the results agree (max normwise relative difference), prints a table and writes JSON.
 *
 * <p>Square shapes are C = A B (NN); ViT shapes are the linear layer C = X W^T (NT), W = [n][k] as in PyTorch.
 *
 * <pre>
 * usage: GemmCompare [--quick] [--threads 1,2] [--rounds 7] [--warmup-ms 1500] [--sample-ms 200]
 *                    [--shapes 197x2304x768,512] [--json bench-results/gemm.json]
 * </pre>
 * {@code --quick}: tiny shapes, one round, correctness only (exit code 1 if the results disagree); it exits 0 with a
 * SKIP line when libopenblas is not installed.
 */
public final class GemmCompare {
    private GemmCompare() {}

    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    record Shape(String name, int m, int n, int k, boolean transB) {}

    public record Row(String shape, int m, int n, int k, String layout, int threads,
                      double vitesseSgemmGflops, double vitessePackedGflops, double openblasGflops,
                      double ratioSgemm, double ratioPacked, double maxRelDiffSgemm, double maxRelDiffPacked,
                      Double vitesseSgemmCpuGflops, Double vitessePackedCpuGflops, Double openblasCpuGflops,
                      double[] vitesseSgemmSamples, double[] vitessePackedSamples, double[] openblasSamples) {}

    /**
     * Our packed GEMM on {@code threads} threads over 1 thread, measured in pairs: each round times one sample on 1
     * thread and one on {@code threads}, back to back in alternating order, and the speed-up is the median of the
     * per-round ratios. The table's "speed-up" line divides two medians taken ~10 s apart, which the host's swings
     * move by several per cent.
     */
    public record PairedSpeedup(String shape, int threads, double median, double min, double max, double[] perRound) {}

    /** Agreement threshold (normwise relative): float rounding here is ~1e-6; a kernel bug is O(1). */
    static final double AGREEMENT = 1e-4;

    public static void main(String[] args) throws IOException {
        System.exit(run(args, System.out));
    }

    static List<Shape> defaultShapes() {
        List<Shape> s = new ArrayList<>();
        for (int d : new int[] {256, 512, 1024, 2048}) s.add(new Shape("square " + d, d, d, d, false));
        int[][] nk = {{2304, 768}, {768, 768}, {3072, 768}, {768, 3072}};
        String[] what = {"qkv", "proj", "fc1", "fc2"};
        for (int m : new int[] {197, 1576})
            for (int i = 0; i < nk.length; i++)
                s.add(new Shape("ViT-B " + what[i] + " M=" + m, m, nk[i][0], nk[i][1], true));
        return s;
    }

    static List<Shape> quickShapes() {
        return List.of(new Shape("quick 1", 1, 7, 5, true), new Shape("quick 33x50x70", 33, 50, 70, true),
                new Shape("quick 64", 64, 64, 64, false), new Shape("quick 197x96x300", 197, 96, 300, true));
    }

    /** Parses "MxNxK" (NT, linear layer) or "D" (square NN). */
    static Shape parseShape(String s) {
        String[] p = s.trim().split("x");
        try {
            if (p.length == 1) {
                int d = Integer.parseInt(p[0]);
                return new Shape("square " + d, d, d, d, false);
            }
            if (p.length == 3)
                return new Shape(s.trim(), Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]), true);
        } catch (NumberFormatException ignored) {
            // fall through
        }
        throw new IllegalArgumentException("bad shape '" + s + "': expected MxNxK or D");
    }

    public static int run(String[] args, PrintStream out) throws IOException {
        boolean quick = false;
        int[] threadCounts = {1, 2};
        int rounds = 7;
        long warmupMs = 1500, sampleMs = 200;
        List<Shape> shapes = null;
        Path json = Path.of("bench-results", "gemm-compare.json");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--quick" -> quick = true;
                case "--threads" -> threadCounts = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--warmup-ms" -> warmupMs = Long.parseLong(args[++i]);
                case "--sample-ms" -> sampleMs = Long.parseLong(args[++i]);
                case "--shapes" -> shapes = Arrays.stream(args[++i].split(",")).map(GemmCompare::parseShape).toList();
                case "--json" -> json = Path.of(args[++i]);
                case "--no-json" -> json = null;
                case "--help", "-h" -> {
                    out.println("usage: GemmCompare [--quick] [--threads 1,2] [--rounds 7] [--warmup-ms 1500] "
                            + "[--sample-ms 200] [--shapes 197x2304x768,512] [--json FILE | --no-json]");
                    return 0;
                }
                default -> {
                    out.println("unknown argument: " + a);
                    return 2;
                }
            }
        }
        if (quick) {
            if (shapes == null) shapes = quickShapes();
            rounds = 1;
            warmupMs = 0;
            sampleMs = 0;
            json = null;
        }
        if (shapes == null) shapes = defaultShapes();

        StringBuilder why = new StringBuilder();
        Optional<OpenBlas> maybe = OpenBlas.load(why);
        if (maybe.isEmpty()) {
            out.println("SKIP: OpenBLAS not available: " + why);
            return quick ? 0 : 3;
        }
        OpenBlas ob = maybe.get();
        out.printf("Vitesse GEMM vs OpenBLAS  (%s)%n", Instant.now());
        out.printf("JVM %s, vector species %s (%d floats), tile %dx%d, MC=%d KC=%d NC=%d%n",
                Runtime.version(), GemmConfig.SPECIES, GemmConfig.L, GemmConfig.MR, GemmConfig.NR,
                GemmConfig.MC, GemmConfig.KC, GemmConfig.NC);
        out.printf("OpenBLAS %s [%s]%n", ob.path(), ob.config());
        String peak = describePeak(quick);
        out.println(peak);
        out.printf("rounds=%d warmup=%dms sample>=%dms; median GFLOP/s; ratio = Vitesse / OpenBLAS%n%n", rounds, warmupMs, sampleMs);
        out.printf("%-22s %5s %3s | %9s %9s %9s | %6s %6s | %-28s | %9s%n", "shape", "", "thr", "vit.sgemm", "vit.packd",
                "openblas", "r.sgem", "r.pack", "per CPU-s: sgemm packd oblas", "maxRelDif");

        int savedThreads = Parallel.threads();
        if (!quick) jitWarmup(3 * warmupMs);
        List<Row> rows = new ArrayList<>();
        List<PairedSpeedup> paired = new ArrayList<>();
        boolean agree = true;
        try (Arena arena = Arena.ofConfined()) {
            for (Shape s : shapes) {
                Measured mr = measureShape(s, threadCounts, rounds, warmupMs, sampleMs, ob, arena, !quick);
                Row[] r = mr.rows();
                for (Row row : r) {
                    rows.add(row);
                    boolean ok = row.maxRelDiffSgemm <= AGREEMENT && row.maxRelDiffPacked <= AGREEMENT;
                    agree &= ok;
                    String cpu = row.vitesseSgemmCpuGflops == null ? "" : String.format("%9.1f %5.1f %6.1f",
                            row.vitesseSgemmCpuGflops, row.vitessePackedCpuGflops, row.openblasCpuGflops);
                    out.printf("%-22s %5s %3d | %9.1f %9.1f %9.1f | %6.3f %6.3f | %-28s | %9.2e%s%n", row.shape,
                            row.layout, row.threads, row.vitesseSgemmGflops, row.vitessePackedGflops, row.openblasGflops,
                            row.ratioSgemm, row.ratioPacked, cpu, Math.max(row.maxRelDiffSgemm, row.maxRelDiffPacked),
                            ok ? "" : "  MISMATCH");
                }
                if (r.length == 2 && r[0].threads == 1 && r[1].threads > 1)
                    out.printf("%-22s %5s     speed-up %d vs 1 thread: sgemm %.2fx, packed %.2fx, openblas %.2fx%n", "", "",
                            r[1].threads, r[1].vitesseSgemmGflops / r[0].vitesseSgemmGflops,
                            r[1].vitessePackedGflops / r[0].vitessePackedGflops, r[1].openblasGflops / r[0].openblasGflops);
                PairedSpeedup ps = mr.paired();
                if (ps != null) {
                    paired.add(ps);
                    out.printf("%-22s %5s     packed %d vs 1 thread, paired rounds: %.2fx (min %.2f, max %.2f)%n", "",
                            "", ps.threads, ps.median, ps.min, ps.max);
                }
            }
        } finally {
            Parallel.setThreads(savedThreads);
        }
        if (json != null) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("date", Instant.now().toString());
            doc.put("jvm", Runtime.version().toString());
            doc.put("species", GemmConfig.SPECIES.toString());
            doc.put("tile", GemmConfig.MR + "x" + GemmConfig.NR);
            doc.put("blocks", Map.of("MC", GemmConfig.MC, "KC", GemmConfig.KC, "NC", GemmConfig.NC));
            doc.put("openblas", ob.path() + " " + ob.config());
            doc.put("rounds", rounds);
            doc.put("fma_peak", peak);
            doc.put("results", rows);
            doc.put("paired_speedups", paired);
            if (json.getParent() != null) Files.createDirectories(json.getParent());
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), doc);
            out.println("\nwrote " + json.toAbsolutePath());
        }
        if (!agree) {
            out.println("FAIL: Vitesse and OpenBLAS results differ by more than " + AGREEMENT + " (normwise relative)");
            return 1;
        }
        if (quick) out.println("OK: results agree");
        return 0;
    }

    /** The FMA ceiling measured now (skipped in the quick smoke run). */
    static String describePeak(boolean quick) {
        return quick ? "vector FMA peak: not measured (--quick)" : FmaPeak.now();
    }

    /** One shape's rows (one per thread count) and, when asked for and the counts are {1, t > 1}, its paired speed-up. */
    private record Measured(Row[] rows, PairedSpeedup paired) {}

    private static Measured measureShape(Shape s, int[] threadCounts, int rounds, long warmupMs, long sampleMs,
                                         OpenBlas ob, Arena arena, boolean withPaired) {
        int m = s.m, n = s.n, k = s.k;
        Random rnd = new Random(42);
        float[] a = new float[m * k], b = new float[k * n], cV = new float[m * n], cP = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = rnd.nextFloat() * 2 - 1;
        for (int i = 0; i < b.length; i++) b[i] = rnd.nextFloat() * 2 - 1;
        int ldb = s.transB ? k : n;
        PackedMatrix packed = s.transB ? PackedMatrix.packWeight(b, 0, n, k) : PackedMatrix.pack(b, 0, k, n, n);
        MemorySegment na = arena.allocate((long) a.length * 4, 64), nb = arena.allocate((long) b.length * 4, 64),
                nc = arena.allocate((long) m * n * 4, 64);
        MemorySegment.copy(a, 0, na, ValueLayout.JAVA_FLOAT, 0, a.length);
        MemorySegment.copy(b, 0, nb, ValueLayout.JAVA_FLOAT, 0, b.length);
        double flop = 2.0 * m * n * k;

        Runnable vit = () -> Gemm.sgemm(false, s.transB, m, n, k, 1f, a, 0, k, b, 0, ldb, 0f, cV, 0, n);
        Runnable pk = () -> packed.multiply(m, a, 0, k, cP, 0, n, Epilogue.NONE);
        Runnable obl = () -> ob.sgemm(false, s.transB, m, n, k, 1f, na, k, nb, ldb, 0f, nc, n);
        Runnable[] impls = {vit, pk, obl};

        Row[] out = new Row[threadCounts.length];
        for (int ti = 0; ti < threadCounts.length; ti++) {
            int t = threadCounts[ti];
            Parallel.setThreads(t);
            ob.setThreads(t);
            // warmup (JIT, caches, OpenBLAS thread start-up) and calibration of calls per sample
            int[] reps = new int[3];
            for (int i = 0; i < 3; i++) {
                long t0 = System.nanoTime();
                int calls = 0;
                do {
                    impls[i].run();
                    calls++;
                } while ((System.nanoTime() - t0) / 1e6 < warmupMs);
                double perCall = (System.nanoTime() - t0) / 1e6 / calls;
                reps[i] = Math.max(1, (int) Math.ceil(sampleMs / Math.max(perCall, 1e-3)));
            }
            // agreement on the outputs of the last calls
            float[] cO = new float[m * n];
            MemorySegment.copy(nc, ValueLayout.JAVA_FLOAT, 0, cO, 0, cO.length);
            double dS = maxRelDiff(cV, cO), dP = maxRelDiff(cP, cO);

            double[][] samples = new double[3][rounds], cpuSamples = new double[3][rounds];
            for (int r = 0; r < rounds; r++) {
                for (int j = 0; j < 3; j++) {
                    int i = (r % 2 == 0) ? j : 2 - j; // alternate the order every round
                    // OpenBLAS worker threads busy-wait for a while after a call (and ForkJoin workers spin briefly
                    // before parking): let them go idle so they do not steal a core from the next sample.
                    if (t > 1) pause(100);
                    long c0 = CPU.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    for (int q = 0; q < reps[i]; q++) impls[i].run();
                    double sec = (System.nanoTime() - t0) / 1e9;
                    double cpuSec = (CPU.getCurrentThreadCpuTime() - c0) / 1e9;
                    samples[i][r] = flop * reps[i] / sec / 1e9;
                    cpuSamples[i][r] = flop * reps[i] / Math.max(cpuSec, 1e-9) / 1e9;
                }
            }
            double v = Samples.median(samples[0]), p = Samples.median(samples[1]), o = Samples.median(samples[2]);
            // With one thread every implementation runs on this thread, so GFLOP per CPU-second of this thread
            // is a second, load-insensitive figure (time slices lost to other processes are not counted).
            Double vc = t == 1 ? Samples.median(cpuSamples[0]) : null;
            Double pc = t == 1 ? Samples.median(cpuSamples[1]) : null, oc = t == 1 ? Samples.median(cpuSamples[2]) : null;
            out[ti] = new Row(s.name, m, n, k, s.transB ? "NT" : "NN", t, v, p, o, v / o, p / o, dS, dP, vc, pc, oc,
                    samples[0], samples[1], samples[2]);
        }
        boolean pairs = withPaired && threadCounts.length == 2 && threadCounts[0] == 1 && threadCounts[1] > 1;
        return new Measured(out, pairs ? pairedSpeedup(s.name, pk, flop, threadCounts[1], rounds, sampleMs) : null);
    }

    /**
     * See {@link PairedSpeedup}: {@code call} ({@code flop} operations) timed on 1 and {@code threads} threads. One
     * untimed call after each thread-count change settles the new team.
     */
    static PairedSpeedup pairedSpeedup(String shape, Runnable call, double flop, int threads, int rounds, long sampleMs) {
        double[] ratio = new double[rounds];
        int[] counts = {1, threads};
        int[] reps = new int[2];
        for (int x = 0; x < 2; x++) { // calls per sample for each thread count
            Parallel.setThreads(counts[x]);
            call.run();
            long t0 = System.nanoTime();
            call.run();
            reps[x] = Math.max(1, (int) Math.ceil(sampleMs / Math.max((System.nanoTime() - t0) / 1e6, 1e-3)));
        }
        for (int r = 0; r < rounds; r++) {
            double[] gflops = new double[2];
            for (int j = 0; j < 2; j++) {
                int x = r % 2 == 0 ? j : 1 - j;
                Parallel.setThreads(counts[x]);
                call.run();
                long t0 = System.nanoTime();
                for (int q = 0; q < reps[x]; q++) call.run();
                gflops[x] = flop * reps[x] / ((System.nanoTime() - t0) / 1e9) / 1e9;
            }
            ratio[r] = gflops[1] / gflops[0];
        }
        double[] sorted = ratio.clone();
        Arrays.sort(sorted);
        return new PairedSpeedup(shape, threads, Samples.median(ratio), sorted[0], sorted[rounds - 1], ratio);
    }

    /**
     * Gets every Vitesse code path (NN and NT packing, both epilogue-free paths, edge tiles) compiled by C2 before
     * the first measured shape, so that shape is not penalised by JIT compilation on a loaded machine.
     */
    static void jitWarmup(long ms) {
        Random r = new Random(7);
        int m = 100, n = 200, k = 300;
        float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = r.nextFloat();
        for (int i = 0; i < b.length; i++) b[i] = r.nextFloat();
        PackedMatrix w = PackedMatrix.packWeight(b, 0, n, k);
        long end = System.nanoTime() + ms * 1_000_000L;
        while (System.nanoTime() < end) {
            Gemm.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
            Gemm.sgemm(false, true, m, n, k, 1f, a, 0, k, b, 0, k, 0f, c, 0, n);
            w.multiply(m, a, 0, k, c, 0, n, Epilogue.NONE);
        }
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** max |x - y| / max |y| (normwise relative difference). */
    static double maxRelDiff(float[] x, float[] y) {
        double d = 0, mx = 0;
        for (int i = 0; i < x.length; i++) {
            double e = Math.abs((double) x[i] - y[i]);
            if (Double.isNaN(e)) return Double.NaN; // fails the agreement check
            d = Math.max(d, e);
            mx = Math.max(mx, Math.abs(y[i]));
        }
        return mx == 0 ? d : d / mx;
    }
}
