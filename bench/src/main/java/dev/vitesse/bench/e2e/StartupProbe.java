package dev.vitesse.bench.e2e;

import dev.vitesse.model.VisionModel;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Fresh-JVM start-up and memory probe: JVM start to main, model load time, first and second forward pass
 * (batch 1), and the process's peak RSS (VmHWM) after each step, for one model folder.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp bench/target/vitesse-bench.jar \
 *   dev.vitesse.bench.e2e.StartupProbe bench-results/models/vit_base_patch16_224
 * </pre>
 */
public final class StartupProbe {
    private StartupProbe() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: StartupProbe MODEL_FOLDER");
            System.exit(2);
        }
        long jvmStartMs = ManagementFactory.getRuntimeMXBean().getStartTime();
        long mainAt = System.currentTimeMillis();
        System.out.printf(Locale.ROOT, "JVM start -> main: %d ms, RSS peak %s%n", mainAt - jvmStartMs, rss());
        long t0 = System.nanoTime();
        VisionModel m = VisionModel.load(Path.of(args[0]));
        long t1 = System.nanoTime();
        System.out.printf(Locale.ROOT, "load: %.0f ms, RSS peak %s, heap used %d MB%n", (t1 - t0) / 1e6, rss(), heapMb());
        float[] x = EndToEndBench.randomInput(1, m.inputSize(), 1);
        m.forward(x, 1);
        long t2 = System.nanoTime();
        long firstResultAt = System.currentTimeMillis();
        System.out.printf(Locale.ROOT, "first forward: %.0f ms, RSS peak %s%n", (t2 - t1) / 1e6, rss());
        m.forward(x, 1);
        long t3 = System.nanoTime();
        System.out.printf(Locale.ROOT, "second forward: %.0f ms, RSS peak %s%n", (t3 - t2) / 1e6, rss());
        System.out.printf(Locale.ROOT, "JVM start -> first result: %d ms%n", firstResultAt - jvmStartMs);
        System.out.printf(Locale.ROOT, "fp32 parameter bytes: %.0f MB%n", m.info().parameters() * 4 / 1e6);
    }

    private static long heapMb() {
        Runtime r = Runtime.getRuntime();
        return (r.totalMemory() - r.freeMemory()) >> 20;
    }

    /** VmHWM (peak resident set) and VmRSS from /proc/self/status. */
    static String rss() {
        try {
            String hwm = "?", now = "?";
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmHWM:")) hwm = l.substring(6).trim();
                if (l.startsWith("VmRSS:")) now = l.substring(6).trim();
            }
            return hwm + " (now " + now + ")";
        } catch (IOException e) {
            return "n/a";
        }
    }
}
