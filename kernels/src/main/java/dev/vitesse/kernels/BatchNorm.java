package dev.vitesse.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Inference-mode batch normalisation, {@code y = (x - mean) / sqrt(var + eps) * gamma + beta}, as a
 * per-channel affine map {@code y = x * scale + shift}: either folded into the preceding convolution
 * at load time ({@link #foldIntoConv}) or applied on channels-last data ({@link #applyNhwc}) where it
 * cannot be folded (pre-activation networks, BN after a nonlinearity).
 *
 * <p>Folding is computed in double precision so that it adds no error beyond the final rounding.
 */
public final class BatchNorm {
    private final float[] scale, shift;

    private BatchNorm(float[] scale, float[] shift) {
        this.scale = scale;
        this.shift = shift;
    }

    /**
     * Builds the affine map from PyTorch's {@code weight} (gamma), {@code bias} (beta),
     * {@code running_mean}, {@code running_var} and {@code eps}. gamma/beta may be null (affine=False).
     */
    public static BatchNorm of(float[] gamma, float[] beta, float[] mean, float[] var, float eps) {
        Checks.notNull("running_mean", mean);
        Checks.notNull("running_var", var);
        int c = mean.length;
        if (var.length != c || (gamma != null && gamma.length != c) || (beta != null && beta.length != c)) {
            throw new IllegalArgumentException("batch norm parameter lengths differ: mean=" + c + " var=" + var.length
                    + " gamma=" + (gamma == null ? "none" : gamma.length) + " beta=" + (beta == null ? "none" : beta.length));
        }
        if (!(eps >= 0)) throw new IllegalArgumentException("batch norm eps must be >= 0, found " + eps);
        float[] scale = new float[c], shift = new float[c];
        for (int i = 0; i < c; i++) {
            if (var[i] + (double) eps <= 0) {
                throw new IllegalArgumentException("batch norm running_var[" + i + "] + eps = " + (var[i] + (double) eps) + " <= 0");
            }
            double s = (gamma == null ? 1.0 : gamma[i]) / Math.sqrt(var[i] + (double) eps);
            scale[i] = (float) s;
            shift[i] = (float) ((beta == null ? 0.0 : beta[i]) - mean[i] * s);
        }
        return new BatchNorm(scale, shift);
    }

    public int channels() { return scale.length; }

    /** Per-channel multiplier (copy). */
    public float[] scale() { return scale.clone(); }

    /** Per-channel offset (copy). */
    public float[] shift() { return shift.clone(); }

    /**
     * Folds this BN (applied to the conv's output channels) into a conv weight {@code [cout][...]}
     * (any per-output-channel layout: PyTorch dense {@code [cout][cin][kh][kw]} or depthwise
     * {@code [c][1][kh][kw]}) and optional bias. Returns {@code {newWeight, newBias}}; inputs are not modified.
     */
    public float[][] foldIntoConv(float[] weight, float[] bias) {
        Checks.notNull("weight", weight);
        int c = scale.length;
        if (c == 0 ? weight.length != 0 : weight.length % c != 0) {
            throw new IllegalArgumentException("conv weight length " + weight.length + " is not a multiple of BN channels " + c);
        }
        if (bias != null && bias.length != c) {
            throw new IllegalArgumentException("conv bias length " + bias.length + " != BN channels " + c);
        }
        int per = c == 0 ? 0 : weight.length / c;
        float[] w = new float[weight.length], b = new float[c];
        for (int co = 0; co < c; co++) {
            double s = scale[co];
            for (int i = 0; i < per; i++) w[co * per + i] = (float) (weight[co * per + i] * s);
            b[co] = (float) ((bias == null ? 0.0 : bias[co]) * s + shift[co]);
        }
        return new float[][] {w, b};
    }

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /**
     * In place on channels-last data {@code x[r*ld + ch]}, r in [0, rows): {@code x = x*scale + shift},
     * then {@code max(x, 0)} when {@code relu}.
     */
    public void applyNhwc(float[] x, int off, int rows, int ld, boolean relu) {
        int c = scale.length;
        Checks.nonNegative("rows", rows);
        if (ld < c) throw new IllegalArgumentException("ld " + ld + " < channels " + c);
        Checks.range("batch norm data", x, off, rows == 0 ? 0 : (long) (rows - 1) * ld + c);
        int vecEnd = S.loopBound(c);
        for (int r = 0; r < rows; r++) {
            int base = off + r * ld;
            int ch = 0;
            for (; ch < vecEnd; ch += S.length()) {
                FloatVector v = FloatVector.fromArray(S, x, base + ch)
                        .fma(FloatVector.fromArray(S, scale, ch), FloatVector.fromArray(S, shift, ch));
                if (relu) v = v.max(0f);
                v.intoArray(x, base + ch);
            }
            for (; ch < c; ch++) {
                float v = Math.fma(x[base + ch], scale[ch], shift[ch]);
                x[base + ch] = relu ? Math.max(v, 0f) : v;
            }
        }
    }
}
