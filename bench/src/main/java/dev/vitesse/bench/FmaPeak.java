package dev.vitesse.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * The machine's vector FMA ceiling right now: 12 independent FMA chains per thread (enough to hide the FMA
 * latency on current x86), no memory traffic. On a shared VM this moves with the neighbours' load (measured on
 * the 2-vCPU Zen 3 dev VM: 86 GFLOP/s per core when quiet, ~63 when not), so the benchmarks print it next to
 * their results: a GEMM figure means little without the ceiling measured in the same minute.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp bench/target/vitesse-bench.jar dev.vitesse.bench.FmaPeak</pre>
 */
public final class FmaPeak {
    private FmaPeak() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static volatile float sink;

    public static void main(String[] args) throws InterruptedException {
        System.out.println(describe(300));
    }

    /** {@link #describe} with a 300 ms sample, for benchmark headers. */
    public static String now() {
        try {
            return describe(300);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "vector FMA peak: interrupted";
        }
    }

    /** One line: the 1-thread and all-cores FMA peak in GFLOP/s (best of several short samples). */
    public static String describe(long ms) throws InterruptedException {
        int cores = Runtime.getRuntime().availableProcessors();
        double one = measure(1, ms), all = cores > 1 ? measure(cores, ms) : one;
        return String.format(Locale.ROOT, "vector FMA peak now (%d-bit, best of 5): %.1f GFLOP/s on 1 thread, %.1f on %d threads",
                S.vectorBitSize(), one, all, cores);
    }

    /** Best of 5 samples of {@code ms} each, all {@code threads} running at once; GFLOP/s summed over threads. */
    public static double measure(int threads, long ms) throws InterruptedException {
        chains(200_000); // JIT
        chains(200_000);
        double best = 0;
        for (int s = 0; s < 5; s++) {
            long iters = Math.max(1, ms * 400_000); // a 12-FMA step takes ~2-3 ns (6 cycles at 2 FMA/cycle)
            double[] gflops = new double[threads];
            CountDownLatch start = new CountDownLatch(1);
            Thread[] ts = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                int id = t;
                ts[t] = new Thread(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    long t0 = System.nanoTime();
                    sink += chains(iters);
                    gflops[id] = 12.0 * 2 * S.length() * iters / (System.nanoTime() - t0);
                });
                ts[t].start();
            }
            start.countDown();
            double sum = 0;
            for (int t = 0; t < threads; t++) {
                ts[t].join();
                sum += gflops[t];
            }
            best = Math.max(best, sum);
        }
        return best;
    }

    private static float chains(long n) {
        FloatVector x = FloatVector.broadcast(S, 0.999f), y = FloatVector.broadcast(S, 1e-5f);
        FloatVector a0 = FloatVector.broadcast(S, 1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
        FloatVector a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (long i = 0; i < n; i++) {
            a0 = a0.fma(x, y);
            a1 = a1.fma(x, y);
            a2 = a2.fma(x, y);
            a3 = a3.fma(x, y);
            a4 = a4.fma(x, y);
            a5 = a5.fma(x, y);
            a6 = a6.fma(x, y);
            a7 = a7.fma(x, y);
            a8 = a8.fma(x, y);
            a9 = a9.fma(x, y);
            a10 = a10.fma(x, y);
            a11 = a11.fma(x, y);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }
}
