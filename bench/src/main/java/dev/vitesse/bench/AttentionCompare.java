package dev.vitesse.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import dev.vitesse.kernels.Attention;
import dev.vitesse.kernels.AttentionView;
import dev.vitesse.kernels.Parallel;

/**
 * Flash vs explicit attention, side by side in one JVM: for each thread count and sequence length N,
 * both paths run alternately on the same timm-layout qkv buffer [N, 3 * heads * headDim] (each of the
 * {@code --reps} samples: back-to-back calls for >= 50 ms); reports the median wall time per call, the median
 * CPU time per call summed over all JVM threads (less sensitive to other load on a shared machine; it includes
 * the idle-spin of pool workers), the heap bytes allocated per call (all threads, via
 * {@code com.sun.management.ThreadMXBean#getTotalThreadAllocatedBytes}) and the analytic peak scratch.
 *
 * <pre>
 * usage: AttentionCompare [--n 197,785,3137] [--heads 12] [--batch 1] [--dim 64] [--threads 1,2]
 *                         [--reps 7] [--min-ms 1500] [--json FILE]
 * </pre>
 */
public final class AttentionCompare {
    private AttentionCompare() {}

    private static final int WARMUP_CALLS = 12;

    record Row(int threads, int n, double flashMs, double explicitMs, double flashCpuMs, double explicitCpuMs,
               long flashAlloc, long explicitAlloc, long flashPeak, long explicitPeak, double maxDiff) {}

    public static void main(String[] args) throws IOException {
        int[] ns = {197, 785, 3137};
        int[] threadCounts = {1, 2};
        int heads = 12, batch = 1, dim = 64, reps = 7, minMs = 1500;
        String json = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--n" -> ns = ints(args[++i]);
                case "--threads" -> threadCounts = ints(args[++i]);
                case "--heads" -> heads = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--dim" -> dim = Integer.parseInt(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--min-ms" -> minMs = Integer.parseInt(args[++i]);
                case "--json" -> json = args[++i];
                case "-h", "--help" -> {
                    System.out.println("usage: AttentionCompare [--n 197,785,3137] [--heads 12] [--batch 1] [--dim 64]"
                            + " [--threads 1,2] [--reps 7] [--min-ms 1500] [--json FILE]");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        List<Row> rows = new ArrayList<>();
        System.out.printf(Locale.ROOT, "attention: batch %d, %d heads, head dim %d, %d reps (median), vector %d bits%n",
                batch, heads, dim, reps, jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize());
        System.out.printf(Locale.ROOT, "%7s %6s %10s %11s %7s %10s %10s %7s %12s %14s %11s %13s %9s%n", "threads", "N",
                "flash ms", "explicit ms", "ratio", "flash cpu", "expl. cpu", "ratio", "flash alloc", "explicit alloc",
                "flash peak", "explicit peak", "max diff");
        for (int t : threadCounts) {
            Parallel.setThreads(t);
            for (int n : ns) {
                Row r = run(mx, t, n, batch, heads, dim, reps, minMs);
                rows.add(r);
                System.out.printf(Locale.ROOT, "%7d %6d %10.3f %11.3f %6.2fx %10.3f %10.3f %6.2fx %12s %14s %11s %13s %9.2e%n",
                        t, n, r.flashMs, r.explicitMs, r.explicitMs / r.flashMs, r.flashCpuMs, r.explicitCpuMs,
                        r.explicitCpuMs / r.flashCpuMs, bytes(r.flashAlloc), bytes(r.explicitAlloc),
                        bytes(r.flashPeak), bytes(r.explicitPeak), r.maxDiff);
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append("{\"batch\":").append(batch).append(",\"heads\":").append(heads).append(",\"headDim\":").append(dim)
                .append(",\"vectorBits\":").append(jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize())
                .append(",\"results\":[");
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            if (i > 0) sb.append(',');
            sb.append(String.format(Locale.ROOT,
                    "{\"threads\":%d,\"n\":%d,\"flashMs\":%.4f,\"explicitMs\":%.4f,\"speedup\":%.3f,"
                            + "\"flashCpuMs\":%.4f,\"explicitCpuMs\":%.4f,"
                            + "\"flashAllocBytes\":%d,\"explicitAllocBytes\":%d,\"flashPeakScratchBytes\":%d,"
                            + "\"explicitPeakScratchBytes\":%d,\"maxAbsDiff\":%.3e}",
                    r.threads, r.n, r.flashMs, r.explicitMs, r.explicitMs / r.flashMs, r.flashCpuMs, r.explicitCpuMs,
                    r.flashAlloc, r.explicitAlloc,
                    r.flashPeak, r.explicitPeak, r.maxDiff));
        }
        sb.append("]}");
        System.out.println(sb);
        if (json != null) Files.writeString(Path.of(json), sb + "\n");
    }

    private static Row run(com.sun.management.ThreadMXBean mx, int threads, int n, int batch, int heads, int dim,
                           int reps, int minMs) {
        int d = heads * dim;
        SplittableRandom rnd = new SplittableRandom(n);
        float[] qkv = new float[batch * n * 3 * d];
        for (int i = 0; i < qkv.length; i++) qkv[i] = (float) rnd.nextDouble(-1, 1);
        float[] outF = new float[batch * n * d], outE = new float[batch * n * d];
        AttentionView q = AttentionView.qkv(qkv, 0, n, heads, dim, 0);
        AttentionView k = AttentionView.qkv(qkv, 0, n, heads, dim, 1);
        AttentionView v = AttentionView.qkv(qkv, 0, n, heads, dim, 2);
        AttentionView of = AttentionView.tokenMajor(outF, 0, n, heads, dim);
        AttentionView oe = AttentionView.tokenMajor(outE, 0, n, heads, dim);
        float scale = (float) (1 / Math.sqrt(dim));
        Runnable flash = () -> Attention.flash(batch, heads, n, n, dim, scale, q, k, v, of, null);
        Runnable explicit = () -> Attention.explicit(batch, heads, n, n, dim, scale, q, k, v, oe, null, null, 0);
        // warm-up: alternate until both have run at least WARMUP_CALLS times and for minMs (Vector API code is
        // very slow until C2 has compiled it, and both paths must be compiled before timing)
        long end = System.nanoTime() + minMs * 1_000_000L;
        for (int i = 0; i < WARMUP_CALLS || System.nanoTime() < end; i++) {
            flash.run();
            explicit.run();
        }
        double maxDiff = 0;
        for (int i = 0; i < outF.length; i++) maxDiff = Math.max(maxDiff, Math.abs(outF[i] - outE[i]));
        long fa = allocated(mx, flash), ea = allocated(mx, explicit);
        double[] tf = new double[reps], te = new double[reps], cf = new double[reps], ce = new double[reps];
        for (int r = 0; r < reps; r++) {
            if (r % 2 == 0) {
                time(mx, flash, tf, cf, r);
                time(mx, explicit, te, ce, r);
            } else {
                time(mx, explicit, te, ce, r);
                time(mx, flash, tf, cf, r);
            }
        }
        int bh = batch * heads;
        // analytic peak live scratch: each pool thread works on one flash task at a time and holds one tile set
        // plus the K/V panels of one head (O(N d)); explicit holds one nq x nkv score matrix per (batch, head)
        long flashPeak = Math.min(threads, bh * (long) n) * Attention.flashScratchBytes(dim, n);
        long explicitPeak = Math.min(bh, threads) * 4L * n * n;
        return new Row(threads, n, Samples.median(tf), Samples.median(te), Samples.median(cf), Samples.median(ce), fa, ea,
                flashPeak, explicitPeak, maxDiff);
    }

    private static long allocated(com.sun.management.ThreadMXBean mx, Runnable r) {
        // minimum over a few calls: excludes one-off allocations of the JIT/runtime in between
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long before = mx.getTotalThreadAllocatedBytes();
            r.run();
            best = Math.min(best, mx.getTotalThreadAllocatedBytes() - before);
        }
        return best;
    }

    /**
     * Wall time and CPU time summed over all threads of the JVM (robust to other processes on a shared machine),
     * per call, over back-to-back calls filling at least {@link #SAMPLE_NANOS}: a single short call (N = 197 is
     * ~1 ms) would also time waking the parked worker threads (~0.25 ms on this VM) and the CPU-time query itself,
     * which a model's attention call, run right after its GEMMs, does not pay.
     */
    private static void time(com.sun.management.ThreadMXBean mx, Runnable r, double[] wall, double[] cpu, int i) {
        long c0 = cpuNanos(mx), t0 = System.nanoTime(), t1;
        int calls = 0;
        do {
            r.run();
            calls++;
            t1 = System.nanoTime();
        } while (t1 - t0 < SAMPLE_NANOS);
        long c1 = cpuNanos(mx);
        wall[i] = (t1 - t0) / 1e6 / calls;
        cpu[i] = (c1 - c0) / 1e6 / calls;
    }

    private static final long SAMPLE_NANOS = 50_000_000L;

    private static long cpuNanos(com.sun.management.ThreadMXBean mx) {
        long sum = 0;
        for (long t : mx.getThreadCpuTime(mx.getAllThreadIds())) if (t > 0) sum += t;
        return sum;
    }

    private static String bytes(long b) {
        if (b < 10_000) return b + " B";
        if (b < 10_000_000) return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
        return String.format(Locale.ROOT, "%.1f MiB", b / (1024.0 * 1024));
    }

    private static int[] ints(String s) {
        return Arrays.stream(s.split(",")).mapToInt(x -> Integer.parseInt(x.trim())).toArray();
    }
}
