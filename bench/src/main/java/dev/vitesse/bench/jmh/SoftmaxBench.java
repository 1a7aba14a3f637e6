package dev.vitesse.bench.jmh;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.*;

import dev.vitesse.kernels.Parallel;
import dev.vitesse.kernels.Softmax;

/** Row softmax over ViT-B attention scores: 12 heads x 197 rows x 197 columns, with scale (in place). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 6, time = 1) // Vector API code is very slow until C2 compiles it
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class SoftmaxBench {
    @Param({"197"})
    int n;
    @Param({"1", "2"})
    int threads;

    float[] src, x;
    int rows;

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        rows = 12 * n;
        src = new float[rows * n];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < src.length; i++) src[i] = (float) r.nextDouble(-10, 10);
        x = src.clone();
    }

    @Benchmark
    public float softmax() {
        System.arraycopy(src, 0, x, 0, src.length); // same input every call (softmax is idempotent-ish otherwise)
        Softmax.rows(x, 0, rows, n, n, 0.125f, null, 0, 0);
        return x[7];
    }
}
