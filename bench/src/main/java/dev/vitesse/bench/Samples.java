package dev.vitesse.bench;

import java.util.Arrays;

/** Summary of repeated timings, shared by the benchmark tools. */
public final class Samples {
    private Samples() {}

    /** The median (the mean of the two middle values for an even count); the input is not modified. */
    public static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }
}
