package dev.vitesse.bench.e2e;

import dev.vitesse.bench.Samples;

import java.util.List;

/** Small statistics helpers for the end-to-end benchmark. */
final class Stats {
    private Stats() {}

    static double median(List<Double> xs) {
        return Samples.median(xs.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /**
     * max |a - ref| / max |ref|: the worst deviation relative to the logits' scale (an element-wise relative
     * error is meaningless for logits near zero). NaN anywhere, or a length mismatch, gives +infinity.
     */
    static float maxRelErr(float[] a, float[] ref) {
        if (a == null || ref == null || a.length != ref.length) return Float.POSITIVE_INFINITY;
        double maxDiff = 0, scale = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - ref[i]);
            if (Double.isNaN(d)) return Float.POSITIVE_INFINITY;
            maxDiff = Math.max(maxDiff, d);
            scale = Math.max(scale, Math.abs(ref[i]));
        }
        return (float) (maxDiff / Math.max(scale, 1e-30));
    }

    /** Fraction of rows whose arg-max agrees. */
    static double top1Agreement(float[] a, float[] ref, int rows) {
        if (a == null || ref == null || a.length != ref.length || rows == 0) return 0;
        int k = a.length / rows, same = 0;
        for (int r = 0; r < rows; r++) {
            if (argmax(a, r * k, k) == argmax(ref, r * k, k)) same++;
        }
        return (double) same / rows;
    }

    private static int argmax(float[] x, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) if (x[off + i] > x[off + best]) best = i;
        return best;
    }
}
