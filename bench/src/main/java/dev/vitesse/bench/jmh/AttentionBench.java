package dev.vitesse.bench.jmh;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.*;

import dev.vitesse.kernels.Attention;
import dev.vitesse.kernels.AttentionBias;
import dev.vitesse.kernels.AttentionView;
import dev.vitesse.kernels.Parallel;

/**
 * Attention on a timm-layout qkv buffer: ViT-B (12 heads, d = 64) at N tokens, flash vs explicit, and a
 * Swin-T stage-1 window batch (64 windows x 3 heads x 49 tokens, d = 32, relative bias + shifted mask).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2) // Vector API code is very slow until C2 compiles it
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class AttentionBench {
    @Param({"197", "785"})
    int n;
    @Param({"1", "2"})
    int threads;

    static final int HEADS = 12, DIM = 64;
    AttentionView q, k, v, out;
    float scale = 0.125f;

    // Swin window attention
    static final int WIN = 64, SW_HEADS = 3, SW_N = 49, SW_D = 32;
    AttentionView sq, sk, sv, sout;
    AttentionBias swinBias;

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        SplittableRandom r = new SplittableRandom(1);
        float[] qkv = new float[n * 3 * HEADS * DIM];
        for (int i = 0; i < qkv.length; i++) qkv[i] = (float) r.nextDouble(-1, 1);
        q = AttentionView.qkv(qkv, 0, n, HEADS, DIM, 0);
        k = AttentionView.qkv(qkv, 0, n, HEADS, DIM, 1);
        v = AttentionView.qkv(qkv, 0, n, HEADS, DIM, 2);
        out = AttentionView.tokenMajor(new float[n * HEADS * DIM], 0, n, HEADS, DIM);

        float[] sqkv = new float[WIN * SW_N * 3 * SW_HEADS * SW_D];
        for (int i = 0; i < sqkv.length; i++) sqkv[i] = (float) r.nextDouble(-1, 1);
        sq = AttentionView.qkv(sqkv, 0, SW_N, SW_HEADS, SW_D, 0);
        sk = AttentionView.qkv(sqkv, 0, SW_N, SW_HEADS, SW_D, 1);
        sv = AttentionView.qkv(sqkv, 0, SW_N, SW_HEADS, SW_D, 2);
        sout = AttentionView.tokenMajor(new float[WIN * SW_N * SW_HEADS * SW_D], 0, SW_N, SW_HEADS, SW_D);
        float[] table = new float[SW_HEADS * SW_N * SW_N];
        for (int i = 0; i < table.length; i++) table[i] = (float) r.nextDouble(-2, 2);
        float[] mask = new float[WIN * SW_N * SW_N];
        for (int i = 0; i < mask.length; i++) mask[i] = r.nextDouble() < 0.3 ? -100f : 0f;
        swinBias = AttentionBias.perHead(table, SW_N, SW_N).plus(AttentionBias.perWindow(mask, WIN, SW_N, SW_N));
    }

    @Benchmark
    public AttentionView flash() {
        Attention.flash(1, HEADS, n, n, DIM, scale, q, k, v, out, null);
        return out;
    }

    @Benchmark
    public AttentionView explicit() {
        Attention.explicit(1, HEADS, n, n, DIM, scale, q, k, v, out, null, null, 0);
        return out;
    }

    @Benchmark
    public AttentionView swinWindowsFlash() {
        Attention.flash(WIN, SW_HEADS, SW_N, SW_N, SW_D, scale, sq, sk, sv, sout, swinBias);
        return sout;
    }
}
