package dev.vitesse.bench.jmh;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.*;

import dev.vitesse.kernels.LayerNorm;
import dev.vitesse.kernels.Parallel;

/** LayerNorm of ViT-B activations: 197 x 768 with affine, out of place. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 6, time = 1) // Vector API code is very slow until C2 compiles it
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class LayerNormBench {
    @Param({"197"})
    int rows;
    @Param({"768"})
    int dim;
    @Param({"1", "2"})
    int threads;

    float[] x, y, gamma, beta;

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        SplittableRandom r = new SplittableRandom(1);
        x = new float[rows * dim];
        y = new float[rows * dim];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        gamma = new float[dim];
        beta = new float[dim];
        for (int i = 0; i < dim; i++) {
            gamma[i] = (float) r.nextDouble(0.5, 1.5);
            beta[i] = (float) r.nextDouble(-1, 1);
        }
    }

    @Benchmark
    public float layerNorm() {
        LayerNorm.apply(x, 0, y, 0, rows, dim, gamma, beta, 1e-6f);
        return y[5];
    }
}
