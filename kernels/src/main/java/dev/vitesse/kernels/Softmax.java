package dev.vitesse.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Row-wise softmax, in place, with optional scale and additive bias/mask:
 * {@code x[r][:] = softmax(scale * x[r][:] + bias[r][:])}.
 *
 * <p>Numerics: the row maximum is subtracted before exponentiation (no overflow for any finite input),
 * exponentials use {@link VectorMath#expSoftmax(FloatVector)}; the sum is accumulated in float vector lanes.
 * Measured maximum error vs a double reference: see {@code SoftmaxTest} (about 1e-6 relative per element).
 *
 * <p>Special values, by definition:
 * <ul>
 *   <li>masked entries are expressed as a large negative bias (e.g. -1e9, or -100 as in Swin) or -Infinity;
 *       they get probability (close to) 0;</li>
 *   <li>a <b>fully masked row</b> (every entry -Infinity after scale and bias) produces <b>all zeros</b>
 *       (not NaN): "attends to nothing". {@link Attention} uses the same convention;</li>
 *   <li>NaN anywhere in a row makes that row NaN; +Infinity entries make the row NaN (undefined ratio).</li>
 * </ul>
 */
public final class Softmax {
    private Softmax() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Elements above which rows are split over {@link Parallel}. */
    private static final int PARALLEL_MIN = 1 << 15;

    /** In place row-wise softmax of a {@code rows x cols} matrix with row stride {@code ld}. */
    public static void rows(float[] x, int off, int rows, int cols, int ld) {
        rows(x, off, rows, cols, ld, 1f, null, 0, 0);
    }

    /**
     * In place {@code softmax(scale * x + bias)} per row.
     *
     * @param bias    nullable; element (r, c) is {@code bias[biasOff + r * biasLd + c]}. {@code biasLd} may be 0
     *                to apply one bias row to every row.
     */
    public static void rows(float[] x, int off, int rows, int cols, int ld,
                            float scale, float[] bias, int biasOff, int biasLd) {
        Checks.matrix("x", x, off, rows, cols, ld);
        if (bias != null) {
            if (biasLd < 0) throw new IllegalArgumentException("biasLd must be >= 0, found " + biasLd);
            if (biasLd == 0) Checks.range("bias", bias, biasOff, cols);
            else Checks.matrix("bias", bias, biasOff, rows, cols, biasLd);
        }
        if (rows == 0 || cols == 0) return;
        if ((long) rows * cols >= PARALLEL_MIN && rows > 1 && Parallel.threads() > 1) {
            int tasks = Math.min(rows, Parallel.threads() * 4);
            Parallel.forEach(tasks, t -> {
                int r0 = (int) ((long) rows * t / tasks), r1 = (int) ((long) rows * (t + 1) / tasks);
                for (int r = r0; r < r1; r++) {
                    row(x, off + r * ld, cols, scale, bias, bias == null ? 0 : biasOff + r * biasLd);
                }
            });
        } else {
            for (int r = 0; r < rows; r++) {
                row(x, off + r * ld, cols, scale, bias, bias == null ? 0 : biasOff + r * biasLd);
            }
        }
    }

    /** One row: {@code x[o..o+n) = softmax(scale * x + bias[bo..bo+n))}; bias nullable. */
    static void row(float[] x, int o, int n, float scale, float[] bias, int bo) {
        int bound = F.loopBound(n);
        FloatVector vmax = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        float smax = Float.NEGATIVE_INFINITY;
        int i;
        if (bias != null || scale != 1f) {
            for (i = 0; i < bound; i += F.length()) {
                FloatVector v = FloatVector.fromArray(F, x, o + i).mul(scale);
                if (bias != null) v = v.add(FloatVector.fromArray(F, bias, bo + i));
                v.intoArray(x, o + i);
                vmax = vmax.max(v);
            }
            for (; i < n; i++) {
                float v = x[o + i] * scale;
                if (bias != null) v += bias[bo + i];
                x[o + i] = v;
                smax = Math.max(smax, v);
            }
        } else {
            for (i = 0; i < bound; i += F.length()) vmax = vmax.max(FloatVector.fromArray(F, x, o + i));
            for (; i < n; i++) smax = Math.max(smax, x[o + i]);
        }
        float max = Math.max(smax, vmax.reduceLanes(VectorOperators.MAX));
        if (max == Float.NEGATIVE_INFINITY) { // fully masked row: defined as all zeros
            for (i = 0; i < n; i++) x[o + i] = 0f;
            return;
        }
        FloatVector vsum = FloatVector.zero(F);
        for (i = 0; i < bound; i += F.length()) {
            FloatVector e = VectorMath.expSoftmax(FloatVector.fromArray(F, x, o + i).sub(max));
            e.intoArray(x, o + i);
            vsum = vsum.add(e);
        }
        float ssum = 0f;
        for (; i < n; i++) {
            float e = VectorMath.expSoftmax(x[o + i] - max);
            x[o + i] = e;
            ssum += e;
        }
        float inv = 1f / (VectorMath.sumLanes(vsum) + ssum);
        for (i = 0; i < bound; i += F.length()) FloatVector.fromArray(F, x, o + i).mul(inv).intoArray(x, o + i);
        for (; i < n; i++) x[o + i] *= inv;
    }
}
