package dev.vitesse.kernels;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PoolingTest {
    // Scalar references written straight from PyTorch's ATen loops (pooling/AdaptiveAveragePooling.cpp, AvgPoolKernel.cpp).
    static double[] avgRef(float[] x, int h, int w, int c, int k, int s, int p, boolean includePad) {
        int oh = (h + 2 * p - k) / s + 1, ow = (w + 2 * p - k) / s + 1;
        double[] y = new double[oh * ow * c];
        for (int oy = 0; oy < oh; oy++) for (int ox = 0; ox < ow; ox++) for (int ch = 0; ch < c; ch++) {
            int hs = oy * s - p, ws = ox * s - p;
            int he = Math.min(hs + k, h + p), we = Math.min(ws + k, w + p);
            int poolSize = (he - hs) * (we - ws);
            hs = Math.max(hs, 0); ws = Math.max(ws, 0); he = Math.min(he, h); we = Math.min(we, w);
            double sum = 0;
            for (int iy = hs; iy < he; iy++) for (int ix = ws; ix < we; ix++) sum += x[(iy * w + ix) * c + ch];
            y[(oy * ow + ox) * c + ch] = sum / (includePad ? poolSize : (he - hs) * (we - ws));
        }
        return y;
    }

    static double[] adaptiveRef(float[] x, int h, int w, int c, int oh, int ow) {
        double[] y = new double[oh * ow * c];
        for (int oy = 0; oy < oh; oy++) for (int ox = 0; ox < ow; ox++) for (int ch = 0; ch < c; ch++) {
            int hs = (int) Math.floor((double) oy * h / oh), he = (int) Math.ceil((double) (oy + 1) * h / oh);
            int ws = (int) Math.floor((double) ox * w / ow), we = (int) Math.ceil((double) (ox + 1) * w / ow);
            double sum = 0;
            for (int iy = hs; iy < he; iy++) for (int ix = ws; ix < we; ix++) sum += x[(iy * w + ix) * c + ch];
            y[(oy * ow + ox) * c + ch] = sum / ((he - hs) * (we - ws));
        }
        return y;
    }

    static void assertClose(float[] got, double[] want, String what) {
        assertThat(got.length).isEqualTo(want.length);
        for (int i = 0; i < got.length; i++) {
            assertThat((double) got[i]).as("%s index %d", what, i).isCloseTo(want[i], within(2e-6 * (1 + Math.abs(want[i]))));
        }
    }

    @Test
    void averagePooling() {
        Random rnd = new Random(21);
        int[][] cases = {{7, 9, 13, 3, 2, 1}, {8, 8, 8, 2, 2, 0}, {5, 6, 19, 3, 1, 1}, {11, 4, 3, 4, 3, 2}};
        for (int[] cs : cases) {
            int h = cs[0], w = cs[1], c = cs[2], k = cs[3], s = cs[4], p = cs[5];
            float[] x = ConvReference.random(rnd, h * w * c);
            for (boolean inc : new boolean[] {true, false}) {
                int oh = Pooling.outSize(h, k, s, p), ow = Pooling.outSize(w, k, s, p);
                float[] y = new float[oh * ow * c];
                Pooling.avgPool(x, 0, h, w, c, k, s, p, inc, y, 0);
                assertClose(y, avgRef(x, h, w, c, k, s, p, inc), "avg " + java.util.Arrays.toString(cs) + " includePad=" + inc);
            }
        }
    }

    @Test
    void adaptiveAveragePoolingUsesFloorCeilBins() {
        Random rnd = new Random(22);
        int[][] cases = {{14, 14, 7, 7}, {13, 10, 7, 7}, {5, 3, 7, 7}, {56, 56, 7, 7}, {9, 11, 1, 1}, {7, 7, 3, 2}};
        for (int[] cs : cases) {
            int c = 11;
            float[] x = ConvReference.random(rnd, cs[0] * cs[1] * c);
            float[] y = new float[cs[2] * cs[3] * c];
            Pooling.adaptiveAvgPool(x, 0, cs[0], cs[1], c, cs[2], cs[3], y, 0);
            assertClose(y, adaptiveRef(x, cs[0], cs[1], c, cs[2], cs[3]), "adaptive " + java.util.Arrays.toString(cs));
        }
    }

    @Test
    void maxPooling3x3Stride2() {
        Random rnd = new Random(23);
        int h = 13, w = 10, c = 21;
        float[] x = ConvReference.random(rnd, h * w * c);
        int oh = Pooling.outSize(h, 3, 2, 1), ow = Pooling.outSize(w, 3, 2, 1);
        assertThat(oh).isEqualTo(7);
        assertThat(ow).isEqualTo(5);
        float[] y = new float[oh * ow * c];
        Pooling.maxPool(x, 0, h, w, c, 3, 2, 1, y, 0);
        for (int oy = 0; oy < oh; oy++) for (int ox = 0; ox < ow; ox++) for (int ch = 0; ch < c; ch++) {
            float m = Float.NEGATIVE_INFINITY;
            for (int iy = oy * 2 - 1; iy <= oy * 2 + 1; iy++) for (int ix = ox * 2 - 1; ix <= ox * 2 + 1; ix++) {
                if (iy >= 0 && iy < h && ix >= 0 && ix < w) m = Math.max(m, x[(iy * w + ix) * c + ch]);
            }
            assertThat(y[(oy * ow + ox) * c + ch]).isEqualTo(m);
        }
    }

    @Test
    void meanOverTokens() {
        Random rnd = new Random(24);
        int rows = 49, c = 19, ld = 23;
        float[] x = ConvReference.random(rnd, rows * ld);
        float[] y = new float[c + 1];
        Pooling.meanTokens(x, 0, rows, c, ld, y, 1);
        for (int ch = 0; ch < c; ch++) {
            double s = 0;
            for (int r = 0; r < rows; r++) s += x[r * ld + ch];
            assertThat((double) y[1 + ch]).isCloseTo(s / rows, within(1e-5));
        }
        assertThat(y[0]).isZero();
    }

    @Test
    void rejectsBadGeometry() {
        assertThatThrownBy(() -> Pooling.outSize(2, 3, 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Pooling.outSize(8, 3, 1, 2)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("half the kernel");
        assertThatThrownBy(() -> Pooling.avgPool(new float[5], 0, 4, 4, 1, 2, 2, 0, true, new float[4], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("input too short");
    }

    @Test
    void windowAndIndexArithmeticDoesNotOverflow() {
        // a 46341x46341 window (1x1 map, padding 23170): the pixel count overflowed int and the mean came out negative
        float[] y = new float[1];
        Pooling.avgPool(new float[] {46341f}, 0, 1, 1, 1, 46341, 1, 23170, true, y, 0);
        assertThat((double) y[0]).isCloseTo(1.0 / 46341, within(1e-9));
        // adaptive pooling 65536 -> 65536 rows: oy * h overflowed int and read x at a negative index (AIOOBE)
        float[] x = new float[65536];
        java.util.Arrays.fill(x, 1f);
        float[] out = new float[65536];
        Pooling.adaptiveAvgPool(x, 0, 65536, 1, 1, 65536, 1, out, 0);
        for (float v : out) assertThat(v).isEqualTo(1f);
        assertThatThrownBy(() -> Pooling.outSize(Integer.MAX_VALUE, Integer.MAX_VALUE, 1, Integer.MAX_VALUE / 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pooling");
    }

    @Test
    void outputOverlappingTheInputIsRejected() {
        float[] shared = new float[100];
        assertThatThrownBy(() -> Pooling.avgPool(shared, 0, 4, 4, 3, 2, 2, 0, true, shared, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("output overlaps input");
        assertThatThrownBy(() -> Pooling.maxPool(shared, 0, 4, 4, 3, 2, 2, 0, shared, 47))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("output overlaps input");
        assertThatThrownBy(() -> Pooling.adaptiveAvgPool(shared, 0, 4, 4, 3, 1, 1, shared, 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("output overlaps input");
        assertThatThrownBy(() -> Pooling.meanTokens(shared, 0, 3, 3, 7, shared, 15))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("output overlaps input");
        Pooling.avgPool(shared, 0, 4, 4, 3, 2, 2, 0, true, shared, 48);
        Pooling.meanTokens(shared, 0, 3, 3, 7, shared, 3); // in the gap between token rows
    }
}
