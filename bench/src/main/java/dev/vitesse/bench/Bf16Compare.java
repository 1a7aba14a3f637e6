package dev.vitesse.bench;

import dev.vitesse.kernels.Bf16;
import dev.vitesse.kernels.Epilogue;
import dev.vitesse.kernels.PackedMatrix;
import dev.vitesse.kernels.Parallel;
import dev.vitesse.kernels.gemm.GemmConfig;
import dev.vitesse.kernels.gemm.Packing;

import java.util.Random;

/**
 * bf16 vs f32 weight storage, measured ALTERNATING in one JVM (ABAB.., medians), because machine load drifts:
 * <ol>
 *   <li>the bf16 -> f32 widening of one KC x NR micro-panel: Vector API (S2I + shift) vs the scalar
 *       {@code Float.intBitsToFloat(bits << 16)} loop;</li>
 *   <li>{@code PackedMatrix.multiply} with f32 vs bf16 panels on the ViT-B/16 linear layers (m = 197 tokens) and
 *       on a single row (m = 1, where the weights' memory traffic dominates).</li>
 * </ol>
 *   <li>with {@code --arch NAME}: whole-model forward passes of a random-weight model (e.g. vit_base_patch16_224)
 *       loaded twice, fp32 and bf16, alternating pass by pass.</li>
 * <pre>usage: Bf16Compare [--threads 1] [--rounds 9] [--sample-ms 300] [--arch NAME --batch 1 --warmup 10]</pre>
 */
public final class Bf16Compare {
    private Bf16Compare() {}

    public static void main(String[] args) {
        int threads = 1, rounds = 9, batch = 1, warmup = 10;
        long sampleMs = 300;
        String arch = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--sample-ms" -> sampleMs = Long.parseLong(args[++i]);
                case "--arch" -> arch = args[++i];
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Parallel.setThreads(threads);
        System.out.printf("species %d floats, NR=%d, KC=%d, threads=%d, rounds=%d%n",
                GemmConfig.L, GemmConfig.NR, GemmConfig.KC, threads, rounds);
        if (arch != null) {
            model(arch, batch, warmup, rounds);
            return;
        }
        widening(rounds, sampleMs);
        int[][] shapes = {{197, 2304, 768}, {197, 768, 768}, {197, 3072, 768}, {197, 768, 3072}, {1, 3072, 768}, {1, 768, 3072}};
        System.out.println("shape m x n x k        f32 GFLOP/s  bf16 GFLOP/s  bf16/f32");
        for (int[] s : shapes) gemm(s[0], s[1], s[2], rounds, sampleMs);
    }

    private static void model(String arch, int batch, int warmup, int rounds) {
        var f32 = dev.vitesse.model.VisionModel.random(dev.vitesse.model.LoadOptions.arch(arch), 42);
        var bf16 = dev.vitesse.model.VisionModel.random(dev.vitesse.model.LoadOptions.arch(arch)
                .withWeights(dev.vitesse.kernels.WeightFormat.BF16), 42);
        int per = f32.inChans() * f32.inputSize() * f32.inputSize();
        float[] x = new float[batch * per];
        Random r = new Random(7);
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat() * 2 - 1;
        for (int i = 0; i < warmup; i++) { f32.forward(x, batch); bf16.forward(x, batch); }
        double[] tf = new double[rounds], th = new double[rounds], ratio = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            if (i % 2 == 0) { tf[i] = pass(f32, x, batch); th[i] = pass(bf16, x, batch); }
            else { th[i] = pass(bf16, x, batch); tf[i] = pass(f32, x, batch); }
            ratio[i] = th[i] / tf[i];
        }
        float[] a = f32.forward(x, batch), b = bf16.forward(x, batch);
        double diff = 0, scale = 0;
        for (int i = 0; i < a.length; i++) { diff = Math.max(diff, Math.abs(a[i] - b[i])); scale = Math.max(scale, Math.abs(a[i])); }
        System.out.printf("%s batch %d: fp32 %.1f ms, bf16 %.1f ms (medians of %d alternating passes), bf16/fp32 time %.3f (median of"
                        + " per-round ratios); weights %.1f MB -> %.1f MB; max |logit diff| %.3g (max |logit| %.3g)%n",
                arch, batch, Samples.median(tf) / 1e6, Samples.median(th) / 1e6, rounds, Samples.median(ratio),
                f32.weightBytes() / 1e6, bf16.weightBytes() / 1e6, diff, scale);
    }

    private static double pass(dev.vitesse.model.VisionModel m, float[] x, int batch) {
        long t0 = System.nanoTime();
        m.forward(x, batch);
        return System.nanoTime() - t0;
    }

    private static void widening(int rounds, long sampleMs) {
        int len = GemmConfig.KC * GemmConfig.NR;
        short[] src = new short[len];
        Random r = new Random(1);
        for (int i = 0; i < len; i++) src[i] = Bf16.fromFloat(r.nextFloat() * 2 - 1);
        float[] dst = new float[len];
        double[] vec = new double[rounds], sca = new double[rounds];
        for (int w = 0; w < 3; w++) { // warm-up both
            time(sampleMs, () -> Packing.widenBf16(src, 0, dst, 0, len));
            time(sampleMs, () -> Packing.widenBf16Scalar(src, 0, dst, 0, len));
        }
        for (int i = 0; i < rounds; i++) {
            boolean vecFirst = i % 2 == 0;
            if (vecFirst) vec[i] = time(sampleMs, () -> Packing.widenBf16(src, 0, dst, 0, len));
            sca[i] = time(sampleMs, () -> Packing.widenBf16Scalar(src, 0, dst, 0, len));
            if (!vecFirst) vec[i] = time(sampleMs, () -> Packing.widenBf16(src, 0, dst, 0, len));
        }
        System.out.printf("widen %d bf16 (one KC x NR micro-panel): vector %.1f ns, scalar %.1f ns (median of %d, ns per panel)%n",
                len, Samples.median(vec), Samples.median(sca), rounds);
    }

    private static void gemm(int m, int n, int k, int rounds, long sampleMs) {
        Random r = new Random(n * 31L + k);
        float[] w = new float[n * k], x = new float[m * k], c = new float[m * n];
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian() * 0.02f;
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        PackedMatrix f = PackedMatrix.packWeight(w, 0, n, k), h = PackedMatrix.packWeightBf16(w, 0, n, k);
        Runnable rf = () -> f.multiply(m, x, 0, k, c, 0, n, Epilogue.NONE);
        Runnable rh = () -> h.multiply(m, x, 0, k, c, 0, n, Epilogue.NONE);
        for (int i = 0; i < 2; i++) { time(sampleMs, rf); time(sampleMs, rh); }
        double[] tf = new double[rounds], th = new double[rounds], ratio = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            if (i % 2 == 0) { tf[i] = time(sampleMs, rf); th[i] = time(sampleMs, rh); }
            else { th[i] = time(sampleMs, rh); tf[i] = time(sampleMs, rf); }
            ratio[i] = tf[i] / th[i];
        }
        double flop = 2.0 * m * n * k;
        System.out.printf("%-22s %11.1f  %12.1f  %8.3f%n", m + "x" + n + "x" + k,
                flop / Samples.median(tf), flop / Samples.median(th), Samples.median(ratio));
    }

    /** Median-free single sample: ns per call averaged over repeated calls for about {@code ms}. */
    private static double time(long ms, Runnable body) {
        long end = System.nanoTime() + ms * 1_000_000, t0 = System.nanoTime();
        int calls = 0;
        long now;
        do {
            body.run();
            calls++;
        } while ((now = System.nanoTime()) < end);
        return (double) (now - t0) / calls;
    }
}
