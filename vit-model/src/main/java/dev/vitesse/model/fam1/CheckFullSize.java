package dev.vitesse.model.fam1;

import dev.vitesse.model.io.Npy;

import java.nio.file.Path;

/**
 * Full-size check (not run in CI): for each folder written by {@code scripts/check_full_size.py}
 * ({@code config.json}, {@code model.safetensors}, {@code input.npy}, {@code logits.npy}), loads the model,
 * runs the input and prints the relative error of the logits and the time per image.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp cli/target/vitesse-cli.jar dev.vitesse.model.fam1.CheckFullSize DIR...</pre>
 *
 * Exit status 1 when any relative error exceeds the tolerance (default 1e-4, {@code -Dtol=...}).
 */
public final class CheckFullSize {
    private CheckFullSize() {}

    public static void main(String[] args) throws Exception {
        double tol = Double.parseDouble(System.getProperty("tol", "1e-4"));
        boolean ok = true;
        for (String a : args) {
            Path dir = Path.of(a);
            long t0 = System.nanoTime();
            Fam1Model m = Fam1Models.load(dir, null);
            long t1 = System.nanoTime();
            Npy.Array x = Npy.read(dir.resolve("input.npy")), want = Npy.read(dir.resolve("logits.npy"));
            int b = x.dim(0), h = x.dim(2), w = x.dim(3);
            float[] got = m.logits(x.data(), b, h, w, null);
            long t2 = System.nanoTime();
            float[] again = m.logits(x.data(), b, h, w, null); // warm
            long t3 = System.nanoTime();
            double maxDiff = 0, maxRef = 0, maxRerun = 0;
            for (int i = 0; i < got.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs((double) got[i] - want.data()[i]));
                maxRef = Math.max(maxRef, Math.abs(want.data()[i]));
                // cold (interpreted) and JIT-compiled vector reductions may sum in different orders
                maxRerun = Math.max(maxRerun, Math.abs((double) again[i] - got[i]));
            }
            double rel = maxDiff / maxRef;
            boolean pass = got.length == want.data().length && rel <= tol && maxRerun / maxRef <= tol;
            ok &= pass;
            System.out.printf("%-32s params %,12d  rel.err %.2e (rerun %.1e)  load %.1fs  %.0f ms/img (cold) %.0f ms/img (warm)  %s%n",
                    m.architecture(), m.parameterCount(), rel, maxRerun / maxRef, (t1 - t0) / 1e9,
                    (t2 - t1) / 1e6 / b, (t3 - t2) / 1e6 / b, pass ? "OK" : "FAIL");
        }
        if (!ok) System.exit(1);
    }
}
