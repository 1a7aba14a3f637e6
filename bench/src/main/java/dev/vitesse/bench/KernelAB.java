package dev.vitesse.bench;

import java.io.File;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * In-process A/B of two builds of {@code vitesse-kernels}: both are loaded in their own class loader in this JVM and
 * called alternately in blocks of back-to-back calls, so the host's noise (5-15 % between separate runs on a shared
 * VM) hits both alike. Reports the median time per call of each and the median of the per-round speed ratios
 * NEW / OLD; a null run (the same build on both sides) shows the noise floor.
 *
 * <pre>
 * KernelAB OLD NEW gemm  197x768x3072 [options]   PackedMatrix.multiply, C = X W^T
 * KernelAB OLD NEW sgemm 197x768x3072 [options]   Gemm.sgemm, NT layout
 * KernelAB OLD NEW flash 197          [options]   Attention.flash, 12 heads of 64, batch 1, fused qkv input
 * KernelAB OLD NEW model DIR[:B]      [options]   VisionModel.forward of the checkpoint folder DIR at batch B (1),
 *                                                 random input; OLD and NEW then are builds with vit-model, e.g. the
 *                                                 cli jar, or a class path (kernels.jar:vit-model.jar)
 * options: --threads T (1)  --rounds R (15)  --warmup W (20 rounds)  --block-ms B (100)  --weights N (1: distinct
 *          weight matrices cycled, so they stream from memory as in a model)  --new-prop key=value (a system
 *          property set only while NEW initialises, e.g. vitesse.gemm.kc=768)
 * </pre>
 * OLD and NEW are a kernels jar or classes directory (or a class path of several). Their classes are loaded with the platform class loader as
 * parent, so the copy of the kernels on this tool's own class path is never used.
 */
public final class KernelAB {
    private KernelAB() {}

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out));
    }

    /** Runs the comparison; returns the process exit code (0 ok, 2 usage error). */
    static int run(String[] args, PrintStream out) throws Exception {
        if (args.length < 4 || Arrays.asList(args).contains("--help")) {
            out.println("usage: KernelAB OLD NEW (gemm|sgemm MxNxK | flash N | model DIR[:B]) [--threads T] [--rounds R] [--warmup W]"
                    + " [--block-ms B] [--weights N] [--new-prop key=value]...");
            return 2;
        }
        int threads = 1, rounds = 15, warmup = 20, weights = 1;
        long blockMs = 100;
        List<String[]> newProps = new ArrayList<>();
        for (int i = 4; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) return usage(out, "missing value after " + a);
            String v = args[++i];
            switch (a) {
                case "--threads" -> threads = positive(v, a);
                case "--rounds" -> rounds = positive(v, a);
                case "--warmup" -> warmup = Integer.parseInt(v);
                case "--block-ms" -> blockMs = positive(v, a);
                case "--weights" -> weights = positive(v, a);
                case "--new-prop" -> {
                    int eq = v.indexOf('=');
                    if (eq <= 0) return usage(out, "--new-prop needs key=value, found '" + v + "'");
                    newProps.add(new String[] {v.substring(0, eq), v.substring(eq + 1)});
                }
                default -> {
                    return usage(out, "unknown option " + a);
                }
            }
        }
        for (int s = 0; s < 2; s++) {
            for (String part : args[s].split(File.pathSeparator))
                if (!Files.exists(Path.of(part))) return usage(out, (s == 0 ? "OLD" : "NEW") + " not found: " + part);
        }
        String kind = args[2];
        String shape = args[3];
        Path model = null;
        if (kind.equals("model")) {
            int colon = shape.lastIndexOf(':');
            model = Path.of(colon < 0 ? shape : shape.substring(0, colon));
            if (!Files.isDirectory(model) && !Files.isRegularFile(model)) return usage(out, "model not found: " + model);
            shape = colon < 0 ? "1" : shape.substring(colon + 1);
        }
        int[] dims;
        try {
            dims = Arrays.stream(shape.split("x")).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            dims = new int[0];
        }
        boolean ok = switch (kind) {
            case "flash", "model" -> dims.length == 1 && dims[0] > 0;
            case "gemm", "sgemm" -> dims.length == 3;
            default -> false;
        };
        if (!ok) return usage(out, "expected gemm|sgemm MxNxK, flash N or model DIR[:B], found " + kind + " " + args[3]);

        Workload old = create(kind, loader(args[0]), dims, model, weights, threads);
        String[] saved = new String[newProps.size()];
        for (int i = 0; i < saved.length; i++) saved[i] = System.setProperty(newProps.get(i)[0], newProps.get(i)[1]);
        Workload neu;
        try {
            neu = create(kind, loader(args[1]), dims, model, weights, threads);
        } finally {
            for (int i = 0; i < saved.length; i++) {
                if (saved[i] == null) System.clearProperty(newProps.get(i)[0]);
                else System.setProperty(newProps.get(i)[0], saved[i]);
            }
        }

        Workload[] w = {old, neu};
        double[][] ms = new double[2][rounds];
        for (int r = 0; r < warmup + rounds; r++) {
            for (int i = 0; i < 2; i++) {
                long t0 = System.nanoTime(), end = t0 + blockMs * 1_000_000L;
                int calls = 0;
                do {
                    w[i].call(calls++);
                } while (System.nanoTime() < end);
                if (r >= warmup) ms[i][r - warmup] = (System.nanoTime() - t0) / 1e6 / calls;
            }
        }
        double[] ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) ratio[r] = ms[0][r] / ms[1][r];
        old.call(0);
        neu.call(0);
        double diff = maxAbsDiff(old.output(), neu.output());
        out.printf("%s %s, %d thread(s), %d weight(s): OLD median %.4f ms, NEW median %.4f ms; speed NEW/OLD per round:"
                        + " median %.3f (min %.3f, max %.3f) over %d rounds of %d ms; max |NEW - OLD| %.2e%n",
                kind, args[3], threads, weights, Samples.median(ms[0]), Samples.median(ms[1]), Samples.median(ratio),
                Arrays.stream(ratio).min().orElseThrow(), Arrays.stream(ratio).max().orElseThrow(), rounds, blockMs, diff);
        return 0;
    }

    private static int usage(PrintStream out, String why) {
        out.println("KernelAB: " + why + " (see --help)");
        return 2;
    }

    private static int positive(String v, String name) {
        int x = Integer.parseInt(v);
        if (x < 1) throw new IllegalArgumentException(name + " must be >= 1, found " + x);
        return x;
    }

    private static ClassLoader loader(String classPath) throws Exception {
        String[] parts = classPath.split(File.pathSeparator);
        URL[] urls = new URL[parts.length];
        for (int i = 0; i < parts.length; i++) urls[i] = Path.of(parts[i]).toUri().toURL();
        return new URLClassLoader(urls, ClassLoader.getPlatformClassLoader());
    }

    static double maxAbsDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs((double) a[i] - b[i]));
        return d;
    }

    /** One build's workload, called through reflection (a few hundred ns against calls of 0.1 ms and more). */
    private interface Workload {
        void call(int i) throws Exception;

        float[] output();
    }

    private interface Call {
        void run(int i) throws Exception;
    }

    private static Workload create(String kind, ClassLoader cl, int[] dims, Path model, int weights, int threads)
            throws Exception {
        cl.loadClass("dev.vitesse.kernels.Parallel").getMethod("setThreads", int.class).invoke(null, threads);
        SplittableRandom rnd = new SplittableRandom(1); // the same operands for both builds
        Workload w = switch (kind) {
            case "flash" -> flash(cl, dims[0], rnd);
            case "model" -> model(cl, model, dims[0], rnd);
            default -> gemm(cl, kind.equals("sgemm"), dims, weights, rnd);
        };
        w.call(0); // initialise the build's classes now (system properties are read there)
        return w;
    }

    private static Workload gemm(ClassLoader cl, boolean plain, int[] d, int weights, SplittableRandom rnd)
            throws Exception {
        int m = d[0], n = d[1], k = d[2];
        float[][] ws = new float[weights][];
        for (int j = 0; j < weights; j++) ws[j] = random(rnd, n * k);
        float[] x = random(rnd, m * k), c = new float[m * n];
        if (plain) {
            Method sgemm = cl.loadClass("dev.vitesse.kernels.Gemm").getMethod("sgemm", boolean.class,
                    boolean.class, int.class, int.class, int.class, float.class, float[].class, int.class,
                    int.class, float[].class, int.class, int.class, float.class, float[].class, int.class,
                    int.class);
            return workload(i -> sgemm.invoke(null, false, true, m, n, k, 1f, x, 0, k, ws[i % weights], 0, k, 0f,
                    c, 0, n), () -> c);
        }
        Class<?> pm = cl.loadClass("dev.vitesse.kernels.PackedMatrix");
        Class<?> ep = cl.loadClass("dev.vitesse.kernels.Epilogue");
        Method pack = pm.getMethod("packWeight", float[].class, int.class, int.class, int.class);
        Method multiply = pm.getMethod("multiply", int.class, float[].class, int.class, int.class, float[].class,
                int.class, int.class, ep);
        Object none = ep.getField("NONE").get(null);
        Object[] packed = new Object[weights];
        for (int j = 0; j < weights; j++) packed[j] = pack.invoke(null, ws[j], 0, n, k);
        return workload(i -> multiply.invoke(packed[i % weights], m, x, 0, k, c, 0, n, none), () -> c);
    }

    private static Workload flash(ClassLoader cl, int n, SplittableRandom rnd) throws Exception {
        int heads = 12, d = 64;
        Class<?> av = cl.loadClass("dev.vitesse.kernels.AttentionView");
        Class<?> bias = cl.loadClass("dev.vitesse.kernels.AttentionBias");
        Method qkv = av.getMethod("qkv", float[].class, int.class, int.class, int.class, int.class, int.class);
        Method tok = av.getMethod("tokenMajor", float[].class, int.class, int.class, int.class, int.class);
        Method flash = cl.loadClass("dev.vitesse.kernels.Attention").getMethod("flash", int.class, int.class,
                int.class, int.class, int.class, float.class, av, av, av, av, bias);
        float[] in = random(rnd, n * 3 * heads * d), o = new float[n * heads * d];
        Object q = qkv.invoke(null, in, 0, n, heads, d, 0), k = qkv.invoke(null, in, 0, n, heads, d, 1);
        Object v = qkv.invoke(null, in, 0, n, heads, d, 2), out = tok.invoke(null, o, 0, n, heads, d);
        return workload(i -> flash.invoke(null, 1, heads, n, n, d, 0.125f, q, k, v, out, null), () -> o);
    }

    /** A whole forward pass: each build loads the checkpoint itself (its own packed weights). */
    private static Workload model(ClassLoader cl, Path dir, int batch, SplittableRandom rnd) throws Exception {
        Class<?> vm = cl.loadClass("dev.vitesse.model.VisionModel");
        Object m = vm.getMethod("load", Path.class).invoke(null, dir);
        int size = (int) vm.getMethod("inputSize").invoke(m), chans = (int) vm.getMethod("inChans").invoke(m);
        float[] x = random(rnd, batch * chans * size * size);
        Method forward = vm.getMethod("forward", float[].class, int.class);
        float[][] out = new float[1][];   // each pass returns a new logits array
        return workload(i -> out[0] = (float[]) forward.invoke(m, x, batch), () -> out[0]);
    }

    private static Workload workload(Call call, Supplier<float[]> output) {
        return new Workload() {
            @Override
            public void call(int i) throws Exception {
                try {
                    call.run(i);
                } catch (InvocationTargetException e) {
                    if (e.getCause() instanceof Exception x) throw x;
                    throw e;
                }
            }

            @Override
            public float[] output() {
                return output.get();
            }
        };
    }

    private static float[] random(SplittableRandom rnd, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) x[i] = (float) rnd.nextDouble(-0.5, 0.5);
        return x;
    }
}
