package dev.vitesse.kernels;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

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
 * for {@value #SPIN_MICROS} us (the gap between two regions of a forward pass) before they park, and tasks are
 * claimed from one atomic counter (dynamic balance, no per-task objects).
 *
 * <p>One region runs on the team at a time. A call made while the team is busy (another request thread) or from
 * inside a task runs inline on its own thread: many concurrent requests then use one core each, never more
 * threads than the application's own plus the team.
 */
public final class Parallel {
    private Parallel() {}

    /** How long an idle worker spins waiting for the next region before it parks. */
    static final long SPIN_MICROS = 200;

    private static volatile Team team = new Team(defaultThreads());

    /** True while the current thread runs tasks of a region (nested calls then run inline). */
    private static final ThreadLocal<boolean[]> INSIDE = ThreadLocal.withInitial(() -> new boolean[1]);

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

    /** Number of threads kernels use (the caller included). */
    public static int threads() {
        return team.size;
    }

    /** Sets the number of threads (>= 1). A region already running finishes on the old team. */
    public static synchronized void setThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, found " + threads);
        if (threads == team.size) return;
        Team old = team;
        team = new Team(threads);
        old.shutdown();
    }

    /**
     * Runs {@code body.accept(i)} for i in [0, count), split across the team. Runs inline when there is one task,
     * one thread, when called from inside a task (nested parallelism is flattened, not oversubscribed), or while
     * the team serves another caller. The first exception thrown by a task is rethrown here (the same instance),
     * after every claimed task has finished; unclaimed tasks are skipped.
     */
    public static void forEach(int count, IntConsumer body) {
        if (count <= 0) return;
        Team t = team;
        boolean[] inside = INSIDE.get();
        if (count == 1 || t.size == 1 || inside[0] || !t.acquire()) {
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

    /** One region: tasks are claimed from {@code next}; {@code done} counts finished (or skipped) ones. */
    private static final class Job {
        final IntConsumer body;
        final int count;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable error;

        Job(IntConsumer body, int count) {
            this.body = body;
            this.count = count;
        }

        /** Claims and runs tasks until none are left. */
        void work() {
            int i;
            while ((i = next.getAndIncrement()) < count) {
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
            for (int w = 0; w < workers.length; w++) {
                workers[w] = new Worker(this, "vitesse-" + (w + 1));
                workers[w].start();
            }
        }

        boolean acquire() {
            return !shutdown && busy.compareAndSet(false, true);
        }

        void release() {
            busy.set(false);
        }

        void run(int count, IntConsumer body) {
            Job j = new Job(body, count);
            job = j;                 // publish the job, then the generation the workers watch
            generation = generation + 1;
            for (Worker w : workers) if (w.parked) LockSupport.unpark(w);
            j.work();
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
        volatile boolean parked;

        Worker(Team team, String name) {
            super(name);
            this.team = team;
            setDaemon(true);
        }

        @Override
        public void run() {
            INSIDE.get()[0] = true; // kernels called from a task run inline
            long seen = team.generation;
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
                if (j != null) j.work();
            }
        }
    }
}
