package dev.vitesse.kernels;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DepthwiseConv2dTest {
    private static void check(Random rnd, int c, int h, int w, int k, int s, int p, boolean bias) {
        float[] x = ConvReference.random(rnd, c * h * w), wt = ConvReference.random(rnd, c * k * k);
        float[] b = bias ? ConvReference.random(rnd, c) : null;
        double[][] ref = ConvReference.depthwise(x, c, h, w, wt, b, k, s, p);
        DepthwiseConv2d dw = DepthwiseConv2d.of(wt, b, c, k, k, s, p);
        int oh = dw.outH(h), ow = dw.outW(w);
        String what = "dw c=" + c + " " + h + "x" + w + " k=" + k + " s=" + s + " p=" + p;
        // planar
        float[] y = new float[2 + c * oh * ow];
        float[] xs = new float[x.length + 1];
        System.arraycopy(x, 0, xs, 1, x.length);
        dw.applyNchw(xs, 1, h, w, y, 2);
        Conv2dTest.assertClose(y, 2, oh * ow, oh * ow, ref[0], ref[1], k * k, what + " NCHW");
        // channels-last: compare against the reference transposed to [oh*ow][c]
        float[] xl = ConvReference.nchwToNhwc(x, c, h, w);
        float[] yl = new float[oh * ow * c];
        dw.applyNhwc(xl, 0, h, w, yl, 0);
        double[] wantL = new double[yl.length], absL = new double[yl.length];
        for (int ch = 0; ch < c; ch++) for (int i = 0; i < oh * ow; i++) {
            wantL[i * c + ch] = ref[0][ch * oh * ow + i];
            absL[i * c + ch] = ref[1][ch * oh * ow + i];
        }
        Conv2dTest.assertClose(yl, 0, c, c, wantL, absL, k * k, what + " NHWC");
        // fused GELU: exactly the stand-alone GELU applied to the unfused output
        float[] yg = new float[oh * ow * c + 3];
        dw.applyNhwc(xl, 0, h, w, yg, 3, true);
        for (int i = 0; i < yl.length; i++) {
            if (Float.floatToIntBits(yg[3 + i]) != Float.floatToIntBits(Gelu.gelu(yl[i])))
                throw new AssertionError(what + " NHWC+GELU at " + i + ": " + yg[3 + i] + " != gelu(" + yl[i] + ")");
        }
    }

    @Test
    void matchesScalarReference() {
        Random rnd = new Random(11);
        check(rnd, 37, 13, 11, 3, 1, 1, true);   // PVT v2 MLP dwconv, odd channel count (vector tail)
        check(rnd, 16, 14, 14, 7, 1, 3, true);   // 7x7 ConvNeXt-like
        check(rnd, 9, 15, 12, 3, 2, 1, false);   // stride 2
        check(rnd, 8, 20, 33, 7, 2, 3, true);    // 7x7 stride 2
        check(rnd, 3, 2, 3, 3, 1, 1, true);      // map smaller than the kernel, no interior
        check(rnd, 5, 40, 45, 3, 1, 0, true);    // no padding: wide interior rows
        check(rnd, 2, 9, 9, 5, 1, 2, true);
        // channels-last blocks of 8 vectors (64 channels on AVX2, 128 on AVX-512), then single vectors, then a tail
        check(rnd, 75, 9, 10, 3, 1, 1, true);
        check(rnd, 200, 7, 6, 3, 2, 1, true);
        check(rnd, 136, 5, 5, 7, 1, 3, false);
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> DepthwiseConv2d.of(new float[10], null, 2, 3, 3, 1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected 2x1x3x3");
        DepthwiseConv2d dw = DepthwiseConv2d.of(new float[18], null, 2, 3, 3, 1, 1);
        assertThatThrownBy(() -> dw.applyNhwc(new float[10], 0, 3, 3, new float[18], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("input too short");
        assertThatThrownBy(() -> dw.applyNhwc(null, 0, 3, 3, new float[18], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("input is null");
        assertThatThrownBy(() -> Conv2d.of(null, null, 1, 1, 1, 1, 0, Conv2d.InputLayout.NHWC))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weight must not be null");
    }

    @Test
    void overflowNullAndOverlapAreRejected() {
        // channels*kh*kw = 65536^2 wrapped to 0 and an empty weight was accepted (AIOOBE at construction)
        assertThatThrownBy(() -> DepthwiseConv2d.of(new float[0], null, 65536, 65536, 1, 1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected 65536x1x65536x1");
        assertThatThrownBy(() -> DepthwiseConv2d.of(null, null, 1, 1, 1, 1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weight must not be null");
        DepthwiseConv2d pad = DepthwiseConv2d.of(new float[1], null, 1, 1, 1, 1, Integer.MAX_VALUE);
        assertThatThrownBy(() -> pad.outH(Integer.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("output size");
        DepthwiseConv2d dw = DepthwiseConv2d.of(new float[18], null, 2, 3, 3, 1, 1);
        float[] shared = new float[100];
        assertThatThrownBy(() -> dw.applyNhwc(shared, 0, 4, 4, shared, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("output overlaps input");
        assertThatThrownBy(() -> dw.applyNchw(shared, 0, 4, 4, shared, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("output overlaps input");
        dw.applyNchw(shared, 0, 4, 4, shared, 32);
    }
}
