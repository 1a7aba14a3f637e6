package dev.vitesse.model.family2;

import dev.vitesse.kernels.Profiler;
import dev.vitesse.kernels.BatchNorm;
import dev.vitesse.kernels.Conv2d;
import dev.vitesse.kernels.DepthwiseConv2d;
import dev.vitesse.model.io.TensorMap;
import dev.vitesse.model.layers.Scratch;

/** Load-time helpers: BatchNorm from a checkpoint, convolutions with a following BatchNorm folded in. */
public final class Convs {
    private Convs() {}

    /** PyTorch's BatchNorm2d default eps. */
    public static final float BN_EPS = 1e-5f;

    /** {@code prefix.{weight,bias,running_mean,running_var}} as an inference affine map. */
    public static BatchNorm batchNorm(TensorMap t, String prefix, int c) {
        t.ignore(prefix + ".num_batches_tracked");
        return BatchNorm.of(t.take(prefix + ".weight", c), t.take(prefix + ".bias", c),
                t.take(prefix + ".running_mean", c), t.take(prefix + ".running_var", c), BN_EPS);
    }

    /**
     * Dense conv {@code convPrefix.weight [cout][cin][k][k]} (no bias) followed by BatchNorm {@code bnPrefix},
     * folded into one conv with bias.
     */
    public static Conv2d convBn(TensorMap t, String convPrefix, String bnPrefix, int cin, int cout, int k, int stride,
                                int pad, Conv2d.InputLayout layout) {
        float[] w = t.take(convPrefix + ".weight", cout, cin, k, k);
        float[][] f = batchNorm(t, bnPrefix, cout).foldIntoConv(w, null);
        return Conv2d.of(f[0], f[1], cin, cout, k, stride, pad, layout, t.weightFormat());
    }

    /** Dense conv without BatchNorm; bias read when {@code hasBias}. */
    public static Conv2d conv(TensorMap t, String prefix, int cin, int cout, int k, int stride, int pad, boolean hasBias,
                              Conv2d.InputLayout layout) {
        float[] w = t.take(prefix + ".weight", cout, cin, k, k);
        float[] b = hasBias ? t.take(prefix + ".bias", cout) : null;
        return Conv2d.of(w, b, cin, cout, k, stride, pad, layout, t.weightFormat());
    }

    /** Depthwise conv {@code [c][1][k][k]} (no bias) followed by a folded BatchNorm. */
    public static DepthwiseConv2d depthwiseBn(TensorMap t, String convPrefix, String bnPrefix, int c, int k, int pad) {
        float[] w = t.take(convPrefix + ".weight", c, 1, k, k);
        float[][] f = batchNorm(t, bnPrefix, c).foldIntoConv(w, null);
        return DepthwiseConv2d.of(f[0], f[1], c, k, k, 1, pad);
    }

    /**
     * {@code relu(conv(x))} for a channels-last (or, for an NCHW-input conv, planar) {@code h x w} input at offset 0,
     * into {@code slot} of {@code scratch} (channels-last, possibly longer than the output); returns that buffer.
     * Reported to the profiler as CONV + ACTIVATION.
     */
    public static float[] convRelu(Conv2d c, float[] x, int h, int w, Scratch scratch, int slot) {
        int len = c.outH(h) * c.outW(w) * c.outChannels();
        float[] y = scratch.get(slot, len);
        long t = Profiler.start();
        c.apply(x, 0, h, w, y, 0);
        Profiler.stop(Profiler.Kind.CONV, t);
        relu(y, 0, len);
        return y;
    }

    /** In place {@code max(x, 0)}; reported to the profiler as ACTIVATION. */
    public static void relu(float[] x, int off, int len) {
        long t = Profiler.start();
        for (int i = off, e = off + len; i < e; i++) x[i] = Math.max(x[i], 0f);
        Profiler.stop(Profiler.Kind.ACTIVATION, t);
    }

    /** In place {@code min(max(x, 0), 6)}; reported to the profiler as ACTIVATION. */
    public static void relu6(float[] x, int off, int len) {
        long t = Profiler.start();
        for (int i = off, e = off + len; i < e; i++) x[i] = Math.min(Math.max(x[i], 0f), 6f);
        Profiler.stop(Profiler.Kind.ACTIVATION, t);
    }
}
