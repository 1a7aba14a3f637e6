package dev.vitesse.bench.jmh;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.*;

import dev.vitesse.kernels.BatchNorm;
import dev.vitesse.kernels.Conv2d;
import dev.vitesse.kernels.DepthwiseConv2d;
import dev.vitesse.kernels.Parallel;
import dev.vitesse.kernels.Pooling;
import dev.vitesse.kernels.WindowPartition;

/**
 * The convolution-family kernels on the shapes the models use: ViT-B patch embedding (16x16/16 on a 224 image,
 * NCHW in), PVT v2 overlapping patch embedding (7x7/4 pad 3, NCHW in), a ResNet 3x3 conv (56x56x64, channels-last),
 * PVT v2 MLP depthwise 3x3 (56x56x256, channels-last), an unfolded BatchNorm + ReLU (56x56x256, channels-last, as in a
 * pre-activation block), max/adaptive pooling and Swin's shifted window partition.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1) // Vector API code is very slow until C2 compiles it
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ConvBench {
    @Param({"1", "2"})
    int threads;

    Conv2d patch16, overlap7, conv3;
    DepthwiseConv2d dw3;
    BatchNorm bn;
    WindowPartition shifted;
    float[] image, fmap64, fmap256, out, win, bnData;

    private static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextDouble(-1, 1);
        return a;
    }

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        SplittableRandom r = new SplittableRandom(1);
        patch16 = Conv2d.of(random(r, 768 * 3 * 16 * 16), random(r, 768), 3, 768, 16, 16, 0, Conv2d.InputLayout.NCHW);
        overlap7 = Conv2d.of(random(r, 64 * 3 * 7 * 7), random(r, 64), 3, 64, 7, 4, 3, Conv2d.InputLayout.NCHW);
        conv3 = Conv2d.of(random(r, 64 * 64 * 9), null, 64, 64, 3, 1, 1, Conv2d.InputLayout.NHWC);
        dw3 = DepthwiseConv2d.of(random(r, 256 * 9), random(r, 256), 256, 3, 3, 1, 1);
        shifted = WindowPartition.of(56, 56, 7, 3, 3, WindowPartition.Order.ROLL_THEN_PAD);
        image = random(r, 3 * 224 * 224);
        fmap64 = random(r, 56 * 56 * 64);
        fmap256 = random(r, 56 * 56 * 256);
        out = new float[56 * 56 * 256];
        win = new float[64 * 49 * 96];
        // identity statistics (scale 1, shift 0): the in-place benchmark then keeps its data the same from one
        // call to the next (after the first ReLU) instead of drifting towards overflow or subnormals
        float[] ones = new float[256];
        Arrays.fill(ones, 1f);
        bn = BatchNorm.of(ones, new float[256], new float[256], ones, 0f);
        bnData = random(r, 56 * 56 * 256);
    }

    @Benchmark
    public float patchEmbed16() {
        patch16.apply(image, 0, 224, 224, out, 0);
        return out[1];
    }

    @Benchmark
    public float overlapPatchEmbed7() {
        overlap7.apply(image, 0, 224, 224, out, 0);
        return out[1];
    }

    @Benchmark
    public float conv3x3ChannelsLast() {
        conv3.apply(fmap64, 0, 56, 56, out, 0);
        return out[1];
    }

    @Benchmark
    public float depthwise3x3ChannelsLast() {
        dw3.applyNhwc(fmap256, 0, 56, 56, out, 0);
        return out[1];
    }

    @Benchmark
    public float batchNormReluChannelsLast() {
        bn.applyNhwc(bnData, 0, 56 * 56, 256, true);
        return bnData[1];
    }

    @Benchmark
    public float maxPool3x3s2() {
        Pooling.maxPool(fmap64, 0, 56, 56, 64, 3, 2, 1, out, 0);
        return out[1];
    }

    @Benchmark
    public float adaptiveAvgPool7() {
        Pooling.adaptiveAvgPool(fmap256, 0, 56, 56, 256, 7, 7, out, 0);
        return out[1];
    }

    @Benchmark
    public float swinShiftedWindowPartition() {
        shifted.partition(fmap256, 0, 96, win, 0);
        return win[1];
    }
}
