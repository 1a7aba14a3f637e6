package dev.vitesse.bench.jmh;

import dev.vitesse.kernels.Epilogue;
import dev.vitesse.kernels.Gemm;
import dev.vitesse.kernels.PackedMatrix;
import dev.vitesse.kernels.Parallel;
import dev.vitesse.kernels.WeightFormat;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * JMH: Vitesse SGEMM ({@code Gemm.sgemm}, X W^T) and the pre-packed linear layer ({@code PackedMatrix.multiply},
 * plain, with the fc1 epilogue bias + GELU, and with bf16 weight storage) on ViT-B and square shapes. Divide 2*m*n*k
 * by the time for GFLOP/s.
 * <pre>java --add-modules jdk.incubator.vector -jar bench/target/vitesse-bench.jar GemmBench -p shape=197x2304x768 -p threads=1</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class GemmBench {
    /** m x n x k: C[m][n] = X[m][k] W[n][k]^T. */
    @Param({"197x2304x768", "197x768x768", "197x3072x768", "197x768x3072", "1576x2304x768", "512x512x512"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    int m, n, k;
    float[] x, w, c, bias;
    PackedMatrix packed, packedBf16;
    Epilogue fc1;

    @Setup(Level.Trial)
    public void setup() {
        String[] p = shape.split("x");
        m = Integer.parseInt(p[0]);
        n = Integer.parseInt(p[1]);
        k = Integer.parseInt(p[2]);
        Random r = new Random(1);
        x = new float[m * k];
        w = new float[n * k];
        c = new float[m * n];
        bias = new float[n];
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat() - 0.5f;
        for (int i = 0; i < w.length; i++) w[i] = r.nextFloat() - 0.5f;
        for (int i = 0; i < n; i++) bias[i] = r.nextFloat() - 0.5f;
        packed = PackedMatrix.packWeight(w, 0, n, k);
        packedBf16 = PackedMatrix.packWeight(w, 0, n, k, WeightFormat.BF16);
        fc1 = Epilogue.NONE.withBias(bias).withGelu();
        Parallel.setThreads(threads);
    }

    @Benchmark
    public float[] sgemm() {
        Gemm.sgemm(false, true, m, n, k, 1f, x, 0, k, w, 0, k, 0f, c, 0, n);
        return c;
    }

    @Benchmark
    public float[] packedMultiply() {
        packed.multiply(m, x, 0, k, c, 0, n, Epilogue.NONE);
        return c;
    }

    @Benchmark
    public float[] packedMultiplyBiasGelu() {
        packed.multiply(m, x, 0, k, c, 0, n, fc1);
        return c;
    }

    /** {@code --weights bf16}: half the weight bytes, panels widened to f32 on the fly, f32 arithmetic. */
    @Benchmark
    public float[] packedMultiplyBf16() {
        packedBf16.multiply(m, x, 0, k, c, 0, n, Epilogue.NONE);
        return c;
    }
}
