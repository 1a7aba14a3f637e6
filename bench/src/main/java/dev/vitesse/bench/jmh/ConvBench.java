package dev.vitesse.bench.jmh;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.*;

import dev.vitesse.kernels.Conv2d;
import dev.vitesse.kernels.DepthwiseConv2d;
import dev.vitesse.kernels.Parallel;
import dev.vitesse.kernels.Pooling;
import dev.vitesse.kernels.WindowPartition;

/**
 * Conv / pooling / window kernels at the shapes of Swin-T, PVT v2-b2 and ResNet-like stems (one 224 image):
 * PVT v2 stem (7x7 s4 p3, 3 -> 64, NCHW in), PVT spatial reduction (8x8 s8, 64 -> 64, channels-last),
 * overlapping downsample (3x3 s2 p1, 64 -> 128), 3x3 s1 dense conv (128 -> 128 at 28x28), depthwise 3x3 on
 * PVT's MLP (56x56x512, NHWC and NCHW), Swin-T stage-1 shifted window partition + merge (56x56x96),
 * adaptive average pooling to 7x7 (PVT-li).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ConvBench {
    @Param({"1", "2"})
    int threads;

    float[] image, map56x64, map56x512, map28x128, map56x96, out, win;
    Conv2d stem, sr, down, conv3;
    DepthwiseConv2d dw;
    WindowPartition part;

    private static float[] rand(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextDouble(-1, 1);
        return a;
    }

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        SplittableRandom r = new SplittableRandom(3);
        image = rand(r, 3 * 224 * 224);
        map56x64 = rand(r, 56 * 56 * 64);
        map56x512 = rand(r, 56 * 56 * 512);
        map28x128 = rand(r, 28 * 28 * 128);
        map56x96 = rand(r, 56 * 56 * 96);
        out = new float[56 * 56 * 512];
        win = new float[56 * 56 * 96];
        stem = Conv2d.of(rand(r, 64 * 3 * 49), rand(r, 64), 3, 64, 7, 4, 3, Conv2d.InputLayout.NCHW);
        sr = Conv2d.of(rand(r, 64 * 64 * 64), rand(r, 64), 64, 64, 8, 8, 0, Conv2d.InputLayout.NHWC);
        down = Conv2d.of(rand(r, 128 * 64 * 9), rand(r, 128), 64, 128, 3, 2, 1, Conv2d.InputLayout.NHWC);
        conv3 = Conv2d.of(rand(r, 128 * 128 * 9), rand(r, 128), 128, 128, 3, 1, 1, Conv2d.InputLayout.NHWC);
        dw = DepthwiseConv2d.of(rand(r, 512 * 9), rand(r, 512), 512, 3, 3, 1, 1);
        part = WindowPartition.of(56, 56, 7, 3, 3, WindowPartition.Order.ROLL_THEN_PAD);
    }

    @Benchmark public float[] pvtStem7x7s4() { stem.apply(image, 0, 224, 224, out, 0); return out; }
    @Benchmark public float[] spatialReduction8x8s8() { sr.apply(map56x64, 0, 56, 56, out, 0); return out; }
    @Benchmark public float[] downsample3x3s2() { down.apply(map56x64, 0, 56, 56, out, 0); return out; }
    @Benchmark public float[] dense3x3At28() { conv3.apply(map28x128, 0, 28, 28, out, 0); return out; }
    @Benchmark public float[] depthwise3x3Nhwc() { dw.applyNhwc(map56x512, 0, 56, 56, out, 0); return out; }
    @Benchmark public float[] depthwise3x3Nchw() { dw.applyNchw(map56x512, 0, 56, 56, out, 0); return out; }
    @Benchmark public float[] swinWindowPartitionMerge() {
        part.partition(map56x96, 0, 96, win, 0);
        part.merge(win, 0, 96, map56x96, 0, true);
        return map56x96;
    }
    @Benchmark public float[] adaptiveAvgPool7() { Pooling.adaptiveAvgPool(map56x512, 0, 56, 56, 512, 7, 7, out, 0); return out; }
}
