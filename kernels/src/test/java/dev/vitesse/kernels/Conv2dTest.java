package dev.vitesse.kernels;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Conv2dTest {
    /** Float summation of K products: |err| <= K * 2^-24 * sum|terms|, plus output rounding; K <= 4096 here. */
    static void assertClose(float[] got, int gotOff, int ld, int cols, double[] want, double[] abs, int k, String what) {
        int rows = want.length / cols;
        for (int r = 0; r < rows; r++) for (int j = 0; j < cols; j++) {
            double exp = want[r * cols + j];
            double tol = (k + 2) * 0x1p-24 * abs[r * cols + j] + 0x1p-23 * Math.abs(exp) + 1e-30;
            float g = got[gotOff + r * ld + j];
            if (!(Math.abs(g - exp) <= tol)) {
                throw new AssertionError(what + ": mismatch at row " + r + " col " + j + ": got " + g + " want " + exp + " tol " + tol);
            }
        }
    }

    private static void check(Random rnd, int cin, int cout, int h, int w, int kh, int kw, int s, int p, boolean bias) {
        float[] x = ConvReference.random(rnd, cin * h * w);
        float[] wt = ConvReference.random(rnd, cout * cin * kh * kw);
        float[] b = bias ? ConvReference.random(rnd, cout) : null;
        double[][] ref = ConvReference.conv2d(x, cin, h, w, wt, b, cout, kh, kw, s, s, p, p);
        String what = "conv cin=" + cin + " cout=" + cout + " " + h + "x" + w + " k=" + kh + "x" + kw + " s=" + s + " p=" + p;
        int k = cin * kh * kw;
        for (Conv2d.InputLayout layout : Conv2d.InputLayout.values()) {
            Conv2d conv = Conv2d.of(wt, 0, b, cin, cout, kh, kw, s, s, p, p, layout);
            int oh = conv.outH(h), ow = conv.outW(w);
            assertThat(oh * ow * cout).isEqualTo(ref[0].length);
            float[] in = layout == Conv2d.InputLayout.NCHW ? x : ConvReference.nchwToNhwc(x, cin, h, w);
            // offsets and a wider output row stride to catch indexing mistakes
            float[] shifted = new float[in.length + 3];
            System.arraycopy(in, 0, shifted, 3, in.length);
            int ldy = cout + 5;
            float[] y = new float[5 + oh * ow * ldy];
            java.util.Arrays.fill(y, Float.NaN);
            for (int r = 0; r < oh * ow; r++) java.util.Arrays.fill(y, 5 + r * ldy, 5 + r * ldy + cout, 0.25f);
            conv.apply(shifted, 3, h, w, y, 5, ldy, true);
            double[] want = ref[0].clone();
            for (int i = 0; i < want.length; i++) want[i] += 0.25;
            assertClose(y, 5, ldy, cout, want, ref[1], k, what + " " + layout + " accumulate");
            float[] y2 = new float[oh * ow * cout];
            conv.apply(in, 0, h, w, y2, 0);
            assertClose(y2, 0, cout, cout, ref[0], ref[1], k, what + " " + layout);
        }
    }

    @Test
    void matchesScalarReferenceOnAwkwardShapes() {
        Random rnd = new Random(1);
        check(rnd, 3, 5, 17, 13, 7, 7, 4, 3, true);    // PVT v2 stem shape, odd sizes
        check(rnd, 3, 8, 16, 20, 4, 4, 4, 0, true);    // Swin patch embed
        check(rnd, 7, 9, 9, 11, 3, 3, 2, 1, false);    // overlapping 3x3 s2
        check(rnd, 13, 6, 8, 8, 2, 2, 2, 0, true);     // PVT spatial reduction (k = s)
        check(rnd, 19, 17, 5, 7, 1, 1, 1, 0, true);    // 1x1 fast path
        check(rnd, 5, 4, 6, 6, 1, 1, 2, 0, true);      // 1x1 strided (not the fast path)
        check(rnd, 4, 3, 5, 9, 3, 5, 1, 2, true);      // rectangular kernel
        check(rnd, 2, 3, 3, 3, 3, 3, 1, 1, true);      // output the size of the input, all borders
    }

    @Test
    void chunksTheIm2colBuffer() {
        // K * rows exceeds IM2COL_CHUNK_FLOATS, so several chunks are used
        Random rnd = new Random(2);
        check(rnd, 64, 8, 24, 24, 3, 3, 1, 1, true);
    }

    @Test
    void rectangularStrideAndPadding() {
        Random rnd = new Random(3);
        int cin = 3, cout = 4, h = 10, w = 7;
        float[] x = ConvReference.random(rnd, cin * h * w), wt = ConvReference.random(rnd, cout * cin * 9);
        double[][] ref = ConvReference.conv2d(x, cin, h, w, wt, null, cout, 3, 3, 2, 1, 0, 2);
        Conv2d conv = Conv2d.of(wt, 0, null, cin, cout, 3, 3, 2, 1, 0, 2, Conv2d.InputLayout.NCHW);
        float[] y = new float[conv.outH(h) * conv.outW(w) * cout];
        conv.apply(x, 0, h, w, y, 0);
        assertClose(y, 0, cout, cout, ref[0], ref[1], 27, "rect");
    }

    @Test
    void explicitEpilogueAppliesGeluAfterBias() {
        Random rnd = new Random(4);
        int cin = 5, cout = 7, h = 6, w = 5;
        float[] x = ConvReference.random(rnd, h * w * cin), wt = ConvReference.random(rnd, cout * cin * 9), b = ConvReference.random(rnd, cout);
        Conv2d conv = Conv2d.of(wt, b, cin, cout, 3, 1, 1, Conv2d.InputLayout.NHWC);
        float[] y = new float[h * w * cout];
        conv.apply(x, 0, h, w, y, 0, cout, Epilogue.NONE.withBias(conv.bias()).withGelu());
        double[][] ref = ConvReference.conv2d(nhwcToNchwF(x, cin, h, w), cin, h, w, wt, b, cout, 3, 3, 1, 1, 1, 1);
        for (int i = 0; i < y.length; i++) {
            double v = ref[0][i];
            double gelu = 0.5 * v * (1 + erf(v / Math.sqrt(2)));
            assertThat(Math.abs(y[i] - gelu)).as("index %d y=%f ref=%f gelu=%f", i, y[i], v, gelu).isLessThan(2e-6 * (1 + ref[1][i]));
        }
    }

    private static float[] nhwcToNchwF(float[] x, int c, int h, int w) {
        float[] y = new float[x.length];
        for (int ch = 0; ch < c; ch++) for (int i = 0; i < h * w; i++) y[ch * h * w + i] = x[i * c + ch];
        return y;
    }

    /** Double-precision erf from its Taylor series (reference only). */
    private static double erf(double z) {
        // erf(z) = 2/sqrt(pi) * sum_{n>=0} (-1)^n z^(2n+1) / (n! (2n+1)), converges with little cancellation for |z| <= 4.5
        if (Math.abs(z) > 4.5) return Math.signum(z); // erfc(4.5) < 2e-10
        double sum = 0, term = z;
        for (int n = 0; n < 200; n++) {
            sum += term / (2 * n + 1);
            term *= -z * z / (n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }

    @Test
    void rejectsBadArguments() {
        float[] wt = new float[4 * 3 * 9];
        assertThatThrownBy(() -> Conv2d.of(new float[5], null, 3, 4, 3, 1, 1, Conv2d.InputLayout.NCHW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weight too short");
        assertThatThrownBy(() -> Conv2d.of(wt, new float[3], 3, 4, 3, 1, 1, Conv2d.InputLayout.NCHW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bias length 3");
        Conv2d conv = Conv2d.of(wt, null, 3, 4, 3, 1, 0, Conv2d.InputLayout.NCHW);
        assertThatThrownBy(() -> conv.outH(2)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("smaller than kernel");
        assertThatThrownBy(() -> conv.apply(new float[10], 0, 4, 4, new float[16], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("input too short");
        assertThatThrownBy(() -> conv.apply(new float[48], 0, 4, 4, new float[15], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("output too short");
    }

    @Test
    void sizeArithmeticThatOverflowsIntIsRejected() {
        // cin*kh*kw = 65537^2 wraps to 131073: a conv over the wrong reduction size was built from a short weight
        assertThatThrownBy(() -> Conv2d.of(new float[131073], 0, null, 65537, 1, 65537, 1, 1, 1, 0, 0, Conv2d.InputLayout.NCHW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cin*kh*kw");
        assertThatThrownBy(() -> Conv2d.of(new float[0], 0, null, 65536, 1, 65536, 1, 1, 1, 0, 0, Conv2d.InputLayout.NCHW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cin*kh*kw");
        // 65536 x 65536 output pixels wrapped to 0: the range check passed with an empty output and nothing was computed
        Conv2d padded = Conv2d.of(new float[4], 0, null, 1, 1, 2, 2, 1, 1, 32768, 32768, Conv2d.InputLayout.NCHW);
        assertThatThrownBy(() -> padded.apply(new float[1], 0, 1, 1, new float[0], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("output pixels");
        // in + 2*pad wrapped to a positive size
        Conv2d huge = Conv2d.of(new float[1], 0, null, 1, 1, 1, 1, 1, 1, Integer.MAX_VALUE, Integer.MAX_VALUE, Conv2d.InputLayout.NCHW);
        assertThatThrownBy(() -> huge.outH(Integer.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("output height");
    }

    @Test
    void outputOverlappingTheInputOrAWrongEpilogueIsRejected() {
        Conv2d conv = Conv2d.of(new float[2 * 3 * 9], null, 3, 2, 3, 1, 1, Conv2d.InputLayout.NCHW);
        float[] shared = new float[100];
        assertThatThrownBy(() -> conv.apply(shared, 0, 4, 4, shared, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("output overlaps input");
        conv.apply(shared, 0, 4, 4, shared, 48); // disjoint parts of one array
        assertThatThrownBy(() -> conv.apply(new float[48], 0, 4, 4, new float[32], 0, 2, Epilogue.NONE.withBias(new float[3])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bias length must equal n=2");
    }
}
