package dev.vitesse.kernels;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * The worker team every Vitesse kernel schedules on.
 *
 * <p>Thread count: {@link #setThreads(int)}, else the system property {@code vitesse.threads},
 * else {@link Runtime#availableProcessors()}. A team of {@code n} threads is the calling thread plus
 * {@code n - 1} daemon workers ({@code vitesse-1 ..}), OpenMP style: the caller claims tasks too.
 *
 * <p>Why not a {@link java.util.concurrent.ForkJoinPool}: a batch-1 forward pass is a few hundred parallel
 * regions of 0.1-2 ms each. Parked ForkJoin workers had to be woken for every region, and on a VM waking an idle
 * vCPU is slow: with 2 threads the workers were busy only 125-145% of the wall time on DeiT-S / Swin-T / ViT-B
 * (measured with per-thread CPU time) and DeiT-S / Swin-T ran no faster than on 1 thread. Here idle workers spin
 * for {@value #SPIN_MICROS} us (the gap between two regions of a forward pass) before they park. Each thread
 * first claims tasks from its own contiguous share of the range, then helps with the others' (dynamic balance, no
 * per-task objects, and the same data on the same core from one call to the next: ViT-B batch 1 on 2 threads
 * ran 3.8 % faster than with one shared counter, in-process A/B).
 *
 * <p>One region runs on the team at a time. A call made while the team is busy (another request thread) or from
 * inside a task runs inline on its own thread. Work wrapped in {@link #request} (a model's forward pass) goes
 * further: while two or more requests are in progress, every region runs inline, so each request computes on its
 * own thread and the team's workers stay out of the way (a worker also leaves a region it is in once a second
 * request starts, so a long region, e.g. a batch split image by image, does not keep it). Without that, the
 * request holding the team for a region used two threads while the other ran on its own: three busy threads on two
 * cores.
 */
public final class Parallel {
    private Parallel() {}

    /**
     * Largest accepted team size: each thread beyond the caller is a platform thread, and a mistyped count (e.g.
     * Integer.MAX_VALUE) must be rejected, not exhaust the process's threads or memory.
     */
    public static final int MAX_THREADS = 4096;

    /** How long an idle worker spins waiting for the next region before it parks. */
    static final long SPIN_MICROS = 200;

    private static volatile Team team = new Team(defaultThreads());

    /** Requests ({@link #request}) in progress on all threads. */
    private static final AtomicInteger REQUESTS = new AtomicInteger();
    /** Depth of {@link #request} calls on the current thread (nested ones count once). */
    private static final ThreadLocal<int[]> REQUEST_DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    /** True while the current thread runs tasks of a region (nested calls then run inline). */
    private static final ThreadLocal<boolean[]> INSIDE = ThreadLocal.withInitial(() -> new boolean[1]);

    static int defaultThreads() {
        String prop = System.getProperty("vitesse.threads");
        if (prop != null && !prop.isBlank()) {
            try {
                int t = Integer.parseInt(prop.trim());
                if (t >= 1 && t <= MAX_THREADS) return t;
            } catch (NumberFormatException ignored) {
                // fall through to the error below
            }
            throw new IllegalArgumentException("system property vitesse.threads must be an integer in [1, " + MAX_THREADS
                    + "], found '" + prop + "'");
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /** Number of threads kernels use (the caller included). */
    public static int threads() {
        return team.size;
    }

    /**
     * Sets the number of threads (1 to {@value #MAX_THREADS}). A region already running finishes on the old team.
     *
     * @throws IllegalArgumentException outside [1, {@value #MAX_THREADS}]
     */
    public static synchronized void setThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, found " + threads);
        if (threads > MAX_THREADS)
            throw new IllegalArgumentException("threads must be <= MAX_THREADS (" + MAX_THREADS + "), found " + threads);
        if (threads == team.size) return;
        Team old = team;
        team = new Team(threads);
        old.shutdown();
    }

    /**
     * Runs one request's work (e.g. one forward pass) and returns its result. While it is the only request in
     * progress its regions use the team as usual; while other requests run too, every region runs inline on its
     * caller, so concurrent requests use one core each instead of competing for the team (no thread beyond the
     * callers' own is busy). A request nested in another on the same thread counts once; one made inside a task
     * of a region does not count (it is part of that region's work). Never blocks: how many
     * requests run at once is the application's choice (a pool of about {@link #threads()} request threads keeps
     * every core busy without time-slicing).
     */
    public static <T> T request(Supplier<T> work) {
        Checks.notNull("work", work);
        int[] depth = REQUEST_DEPTH.get();
        // a request made inside a task (e.g. an application's own parallel loop over images, each task running a
        // pass) belongs to that region, whose threads are already counted: it must not send the region's workers away
        boolean counts = depth[0] == 0 && !INSIDE.get()[0];
        depth[0]++;
        if (counts) REQUESTS.incrementAndGet();
        try {
            return work.get();
        } finally {
            depth[0]--;
            if (counts) REQUESTS.decrementAndGet();
        }
    }

    /** Requests ({@link #request}) in progress on all threads (a snapshot, e.g. for monitoring). */
    public static int requestsInProgress() {
        return REQUESTS.get();
    }

    /** True while two or more requests run: regions then stay on their callers and workers take no tasks. */
    private static boolean requestsShareTheCores() {
        return REQUESTS.get() > 1;
    }

    /**
     * Runs {@code body.accept(i)} for i in [0, count), split across the team. Runs inline when there is one task,
     * one thread, when called from inside a task (nested parallelism is flattened, not oversubscribed), while
     * the team serves another caller, or while more than one {@link #request} is in progress. The first exception
     * thrown by a task is rethrown here (the same instance), after every claimed task has finished; unclaimed tasks
     * are skipped.
     */
    public static void forEach(int count, IntConsumer body) {
        Checks.notNull("body", body);
        if (count <= 0) return;
        Team t = team;
        boolean[] inside = INSIDE.get();
        if (count == 1 || t.size == 1 || inside[0] || requestsShareTheCores() || !t.acquire()) {
            for (int i = 0; i < count; i++) body.accept(i);
            return;
        }
        inside[0] = true;
        try {
            t.run(count, body);
        } finally {
            inside[0] = false;
            t.release();
        }
    }

    /**
     * One region. Task i belongs to party {@code i * parties / count} (the caller is party 0, worker w party w):
     * each party first claims its own contiguous range, front to back, then helps the others from the front of
     * their ranges. So with the same task count the same thread keeps getting the same tasks (for a GEMM: the
     * same columns of C, whose lines then stay in its cache from one call to the next) while a late or slow
     * thread's share is still taken over. {@code done} counts finished (or skipped) tasks.
     */
    private static final class Job {
        /** ints between two cursors: 64 bytes, so parties do not share a cache line */
        private static final int PAD = 16;
        final IntConsumer body;
        final int count, parties;
        private final AtomicIntegerArray cursor; // party p's next task at p * PAD; its range ends at start(p + 1)
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable error;

        Job(IntConsumer body, int count, int parties) {
            this.body = body;
            this.count = count;
            this.parties = parties;
            this.cursor = new AtomicIntegerArray(parties * PAD);
            for (int p = 1; p < parties; p++) cursor.set(p * PAD, start(p));
        }

        private int start(int p) {
            return (int) ((long) count * p / parties);
        }

        /**
         * Runs the party's own tasks, then the others' that are still unclaimed. A worker stops claiming once a
         * second {@link #request} is in progress (it then computes on its own thread); the caller, which always
         * sweeps every range to its end, runs what the worker left.
         */
        void work(int party) {
            for (int q = 0; q < parties; q++) {
                int p = (party + q) % parties, end = start(p + 1), i;
                while (!(party != 0 && requestsShareTheCores()) && (i = cursor.getAndIncrement(p * PAD)) < end) {
                    try {
                        if (error == null) body.accept(i);
                    } catch (Throwable e) {
                        if (error == null) error = e;
                    } finally {
                        done.incrementAndGet();
                    }
                }
            }
        }
    }

    private static final class Team {
        final int size;
        private final Worker[] workers;
        private final AtomicBoolean busy = new AtomicBoolean();
        private volatile Job job;
        private volatile long generation;
        private volatile boolean shutdown;

        Team(int size) {
            this.size = size;
            this.workers = new Worker[size - 1];
            try {
                for (int w = 0; w < workers.length; w++) {
                    workers[w] = new Worker(this, w + 1);
                    workers[w].start();
                }
            } catch (Throwable e) { // e.g. no more native threads: stop the ones started, keep the old team
                shutdown = true;
                for (Worker w : workers) if (w != null) LockSupport.unpark(w);
                throw e;
            }
        }

        boolean acquire() {
            return !shutdown && busy.compareAndSet(false, true);
        }

        void release() {
            busy.set(false);
        }

        void run(int count, IntConsumer body) {
            Job j = new Job(body, count, size);
            job = j;                 // publish the job, then the generation the workers watch
            generation = generation + 1;
            for (Worker w : workers) if (w.parked) LockSupport.unpark(w);
            j.work(0);
            // wait for tasks still running on workers: spin briefly, then sleep in short steps
            long spinUntil = System.nanoTime() + SPIN_MICROS * 1000;
            while (j.done.get() < count) {
                if (System.nanoTime() < spinUntil) Thread.onSpinWait();
                else LockSupport.parkNanos(20_000);
            }
            job = null;
            Throwable e = j.error;
            if (e instanceof RuntimeException r) throw r;
            if (e instanceof Error err) throw err;
            if (e != null) throw new IllegalStateException(e);
        }

        void shutdown() {
            shutdown = true;
            for (Worker w : workers) LockSupport.unpark(w);
        }
    }

    private static final class Worker extends Thread {
        private final Team team;
        private final int index; // party number in the team's jobs (the caller is 0)
        volatile boolean parked;

        Worker(Team team, int index) {
            super("vitesse-" + index);
            this.team = team;
            this.index = index;
            setDaemon(true);
        }

        @Override
        public void run() {
            INSIDE.get()[0] = true; // kernels called from a task run inline
            // the generation the team was created with, not the current one: a region published before this
            // thread got to run (the first call right after setThreads) must still be joined
            long seen = 0;
            while (!team.shutdown) {
                long spinUntil = System.nanoTime() + SPIN_MICROS * 1000;
                while (team.generation == seen && !team.shutdown) {
                    if (System.nanoTime() < spinUntil) {
                        Thread.onSpinWait();
                    } else {
                        parked = true;
                        if (team.generation == seen && !team.shutdown) LockSupport.park(this);
                        parked = false;
                    }
                }
                seen = team.generation;
                Job j = team.job;
                if (j != null) j.work(index);
            }
        }
    }
}
