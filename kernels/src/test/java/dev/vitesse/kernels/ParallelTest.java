package dev.vitesse.kernels;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ParallelTest {
    private final int saved = Parallel.threads();

    @AfterEach
    void restore() {
        Parallel.setThreads(saved);
    }

    @Test
    void everyIndexRunsExactlyOnceOnSeveralThreads() {
        Parallel.setThreads(3);
        for (int count : new int[] {1, 2, 3, 7, 100, 1000}) {
            AtomicIntegerArray hits = new AtomicIntegerArray(count);
            Set<String> names = ConcurrentHashMap.newKeySet();
            Parallel.forEach(count, i -> {
                hits.incrementAndGet(i);
                names.add(Thread.currentThread().getName());
                if (count == 1000) busy(20_000);
            });
            for (int i = 0; i < count; i++) assertThat(hits.get(i)).as("index " + i + " of " + count).isEqualTo(1);
            if (count == 1000) assertThat(names).as("the caller and the workers share the tasks").hasSizeGreaterThan(1);
        }
    }

    @Test
    void aStalledWorkersShareIsTakenOverByTheOthers() {
        // A worker that gets stuck in its first task must not hold back the rest of its share: the caller runs
        // every other task (the stuck one is released once they are all done).
        Parallel.setThreads(2);
        Thread caller = Thread.currentThread();
        int count = 40;
        AtomicInteger finished = new AtomicInteger();
        AtomicIntegerArray hits = new AtomicIntegerArray(count);
        AtomicBoolean stuckOnce = new AtomicBoolean();
        for (int round = 0; round < 20; round++) {
            finished.set(0);
            Parallel.forEach(count, i -> {
                hits.incrementAndGet(i);
                if (Thread.currentThread() != caller && stuckOnce.compareAndSet(false, true)) {
                    long deadline = System.nanoTime() + 10_000_000_000L;
                    while (finished.get() < count - 1) {
                        if (System.nanoTime() > deadline) throw new AssertionError("the caller did not take over");
                        Thread.onSpinWait();
                    }
                }
                finished.incrementAndGet();
            });
            assertThat(finished.get()).isEqualTo(count);
        }
        for (int i = 0; i < count; i++) assertThat(hits.get(i)).as("index " + i).isEqualTo(20);
    }

    @Test
    void nestedCallsRunInlineOnTheTaskThread() {
        Parallel.setThreads(2);
        AtomicIntegerArray hits = new AtomicIntegerArray(40);
        Parallel.forEach(4, outer -> {
            String me = Thread.currentThread().getName();
            Parallel.forEach(10, inner -> {
                assertThat(Thread.currentThread().getName()).isEqualTo(me);
                hits.incrementAndGet(outer * 10 + inner);
            });
        });
        for (int i = 0; i < 40; i++) assertThat(hits.get(i)).isEqualTo(1);
    }

    @Test
    void aTaskExceptionReachesTheCallerAndTheTeamStaysUsable() {
        Parallel.setThreads(2);
        IllegalArgumentException boom = new IllegalArgumentException("bad tensor");
        assertThatThrownBy(() -> Parallel.forEach(50, i -> {
            if (i == 17) throw boom;
        })).isSameAs(boom);
        AtomicIntegerArray hits = new AtomicIntegerArray(50);
        Parallel.forEach(50, hits::incrementAndGet);
        for (int i = 0; i < 50; i++) assertThat(hits.get(i)).isEqualTo(1);
    }

    @Test
    void concurrentCallersAllComplete() throws Exception {
        Parallel.setThreads(2);
        List<Thread> callers = new ArrayList<>();
        AtomicIntegerArray sums = new AtomicIntegerArray(6);
        for (int c = 0; c < 6; c++) {
            int id = c;
            Thread t = new Thread(() -> {
                for (int rep = 0; rep < 200; rep++) Parallel.forEach(16, i -> sums.incrementAndGet(id));
            });
            callers.add(t);
            t.start();
        }
        for (Thread t : callers) t.join(60_000);
        for (int c = 0; c < 6; c++) assertThat(sums.get(c)).isEqualTo(200 * 16);
    }

    @Test
    void concurrentRequestsRunTheirRegionsInlineALoneRequestUsesTheTeam() throws Exception {
        Parallel.setThreads(2);
        // alone (nested requests count once): the team's worker takes part
        Set<String> alone = Parallel.request(() -> Parallel.request(() -> threadsOfARegion()));
        assertThat(alone).as("a lone request's region").hasSize(2);
        assertThat(Parallel.requestsInProgress()).isZero();

        // while request A is in progress, request B's regions stay on B's thread, and A's on A's
        CountDownLatch aInside = new CountDownLatch(1), bDone = new CountDownLatch(1);
        AtomicReference<Set<String>> aThreads = new AtomicReference<>();
        Thread a = new Thread(() -> Parallel.request(() -> {
            aInside.countDown();
            await(bDone);
            aThreads.set(threadsOfARegion());
            return null;
        }), "request-a");
        a.start();
        await(aInside);
        Set<String> bThreads = Parallel.request(() -> {
            assertThat(Parallel.requestsInProgress()).isEqualTo(2);
            return threadsOfARegion();
        });
        bDone.countDown();
        a.join(60_000);
        assertThat(bThreads).as("request B's region while A runs").containsExactly(Thread.currentThread().getName());
        assertThat(aThreads.get()).as("request A's region after B finished").hasSize(2);
        assertThat(Parallel.requestsInProgress()).isZero();

        // an exception leaves the count balanced
        assertThatThrownBy(() -> Parallel.request(() -> { throw new IllegalStateException("boom"); }))
                .hasMessage("boom");
        assertThat(Parallel.requestsInProgress()).isZero();
    }

    @Test
    void aWorkerLeavesARegionOnceASecondRequestStarts() throws Exception {
        Parallel.setThreads(2);
        AtomicIntegerArray hits = new AtomicIntegerArray(400);
        AtomicBoolean secondIn = new AtomicBoolean();
        AtomicInteger workerTasksAfter = new AtomicInteger();
        CountDownLatch entered = new CountDownLatch(1), release = new CountDownLatch(1);
        Thread second = new Thread(() -> Parallel.request(() -> {
            secondIn.set(true);
            entered.countDown();
            await(release);
            return null;
        }), "request-b");
        try {
            Parallel.request(() -> {
                Parallel.forEach(400, i -> {
                    boolean worker = Thread.currentThread().getName().startsWith("vitesse-");
                    if (worker && secondIn.get()) workerTasksAfter.incrementAndGet();
                    hits.incrementAndGet(i);
                    if (i == 40) { // the caller's share: the worker is busy with its own meanwhile
                        second.start();
                        await(entered);
                    }
                    busy(50_000);
                });
                return null;
            });
        } finally {
            release.countDown();
            second.join(60_000);
        }
        for (int i = 0; i < 400; i++) assertThat(hits.get(i)).as("task " + i).isEqualTo(1);
        // the check comes before each claim: at most one task claimed just before the second request counted
        assertThat(workerTasksAfter.get()).as("worker tasks begun after the second request started").isLessThanOrEqualTo(1);
        assertThat(Parallel.requestsInProgress()).isZero();
    }

    @Test
    void requestsMadeInsideTasksKeepTheRegionOnItsThreads() {
        // an application's own parallel loop whose tasks each run a request (e.g. one image's pass)
        Parallel.setThreads(2);
        Set<String> names = ConcurrentHashMap.newKeySet();
        AtomicInteger maxCounted = new AtomicInteger();
        Parallel.forEach(1000, i -> Parallel.request(() -> {
            names.add(Thread.currentThread().getName());
            maxCounted.accumulateAndGet(Parallel.requestsInProgress(), Math::max);
            busy(50_000);
            return null;
        }));
        assertThat(names).as("threads of a region whose tasks are requests").hasSize(2);
        assertThat(maxCounted.get()).isZero();
    }

    /** Names of the threads that ran tasks of one region of 1000 tasks of 50 us each (50 ms: room for a slow start). */
    private static Set<String> threadsOfARegion() {
        Set<String> names = ConcurrentHashMap.newKeySet();
        Parallel.forEach(1000, i -> {
            names.add(Thread.currentThread().getName());
            busy(50_000);
        });
        return names;
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(60, TimeUnit.SECONDS)) throw new AssertionError("timed out");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theFirstRegionOfANewTeamUsesItsWorkers() {
        // a worker that starts after the first region was published must still join it
        for (int rep = 0; rep < 5; rep++) {
            Parallel.setThreads(1);
            Parallel.setThreads(2);
            assertThat(threadsOfARegion()).as("first region after setThreads(2), attempt " + rep).hasSize(2);
        }
    }

    @Test
    void threadCountChangesBetweenCalls() {
        for (int t : new int[] {1, 2, 4, 1, 2}) {
            Parallel.setThreads(t);
            assertThat(Parallel.threads()).isEqualTo(t);
            AtomicIntegerArray hits = new AtomicIntegerArray(33);
            Parallel.forEach(33, hits::incrementAndGet);
            for (int i = 0; i < 33; i++) assertThat(hits.get(i)).isEqualTo(1);
        }
        assertThatThrownBy(() -> Parallel.setThreads(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("threads must be >= 1");
    }

    private static void busy(long nanos) {
        long t = System.nanoTime();
        while (System.nanoTime() - t < nanos) Thread.onSpinWait();
    }

    @Test
    void badThreadCountsAndNullBodiesAreRejectedAndTheTeamStaysUsable() {
        Parallel.setThreads(2);
        assertThatThrownBy(() -> Parallel.setThreads(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threads");
        assertThatThrownBy(() -> Parallel.setThreads(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threads");
        // used to try to allocate Integer.MAX_VALUE workers (OutOfMemoryError)
        assertThatThrownBy(() -> Parallel.setThreads(Integer.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(String.valueOf(Parallel.MAX_THREADS));
        assertThat(Parallel.threads()).isEqualTo(2);
        assertThatThrownBy(() -> Parallel.forEach(5, null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("body");
        assertThatThrownBy(() -> Parallel.forEach(1, null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("body");
        assertThatThrownBy(() -> Parallel.request(null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("work");
        // an exception thrown by a nested (inline) region reaches the outer caller; the team still runs every task
        assertThatThrownBy(() -> Parallel.forEach(10, i -> Parallel.forEach(10, j -> {
            if (i == 3 && j == 4) throw new ArithmeticException("nested");
        }))).isInstanceOf(ArithmeticException.class).hasMessage("nested");
        AtomicInteger runs = new AtomicInteger();
        Parallel.forEach(100, i -> runs.incrementAndGet());
        assertThat(runs.get()).isEqualTo(100);
    }
}
