package dev.vitesse.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * The thread pool every Vitesse kernel schedules on.
 *
 * <p>Thread count: {@link #setThreads(int)}, else the system property {@code vitesse.threads},
 * else {@link Runtime#availableProcessors()}. One shared {@link ForkJoinPool} means that many
 * request threads calling kernels at once share the cores instead of oversubscribing them.
 */
public final class Parallel {
    private Parallel() {}

    private static volatile ForkJoinPool pool = newPool(defaultThreads());

    static int defaultThreads() {
        String prop = System.getProperty("vitesse.threads");
        if (prop != null && !prop.isBlank()) {
            try {
                int t = Integer.parseInt(prop.trim());
                if (t >= 1) return t;
            } catch (NumberFormatException ignored) {
                // fall through to the error below
            }
            throw new IllegalArgumentException("system property vitesse.threads must be a positive integer, found '" + prop + "'");
        }
        return Runtime.getRuntime().availableProcessors();
    }

    private static ForkJoinPool newPool(int threads) {
        return new ForkJoinPool(threads, p -> {
            var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("vitesse-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        }, null, false);
    }

    /** Number of worker threads kernels use. */
    public static int threads() {
        return pool.getParallelism();
    }

    /** Sets the number of worker threads (>= 1). Calls already running finish on the old pool. */
    public static synchronized void setThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, found " + threads);
        if (threads == pool.getParallelism()) return;
        ForkJoinPool old = pool;
        pool = newPool(threads);
        old.shutdown();
    }

    /** The shared pool. */
    public static ForkJoinPool pool() {
        return pool;
    }

    /**
     * Runs {@code body.accept(i)} for i in [0, count), split across the pool. Runs inline when
     * there is one task, one thread, or when already inside a Vitesse worker (nested parallelism
     * is flattened rather than oversubscribed).
     */
    public static void forEach(int count, IntConsumer body) {
        if (count <= 0) return;
        ForkJoinPool p = pool;
        if (count == 1 || p.getParallelism() == 1 || java.util.concurrent.ForkJoinTask.getPool() == p) {
            for (int i = 0; i < count; i++) body.accept(i);
            return;
        }
        p.invoke(new Range(body, 0, count));
    }

    private static final class Range extends RecursiveAction {
        private final IntConsumer body;
        private final int lo, hi;

        Range(IntConsumer body, int lo, int hi) {
            this.body = body;
            this.lo = lo;
            this.hi = hi;
        }

        @Override
        protected void compute() {
            if (hi - lo == 1) {
                body.accept(lo);
                return;
            }
            int mid = (lo + hi) >>> 1;
            invokeAll(new Range(body, lo, mid), new Range(body, mid, hi));
        }
    }
}
