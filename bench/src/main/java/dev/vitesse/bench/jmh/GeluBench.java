package dev.vitesse.bench.jmh;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.*;

import dev.vitesse.kernels.Gelu;
import dev.vitesse.kernels.Parallel;
import dev.vitesse.kernels.VectorMath;

/** Exact GELU over a ViT-B MLP hidden activation (197 x 3072), plus the raw vector exp. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 6, time = 1) // Vector API code is very slow until C2 compiles it
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GeluBench {
    @Param({"605184"}) // 197 * 3072
    int len;
    @Param({"1", "2"})
    int threads;

    float[] src, x;

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        SplittableRandom r = new SplittableRandom(1);
        src = new float[len];
        for (int i = 0; i < len; i++) src[i] = (float) r.nextDouble(-6, 6);
        x = new float[len];
    }

    @Benchmark
    public float gelu() {
        System.arraycopy(src, 0, x, 0, len);
        Gelu.apply(x, 0, len);
        return x[3];
    }

    @Benchmark
    public float exp() {
        VectorMath.exp(src, 0, x, 0, len);
        return x[3];
    }

    @Benchmark
    public float copyOnly() { // baseline for the arraycopy inside gelu()
        System.arraycopy(src, 0, x, 0, len);
        return x[3];
    }
}
