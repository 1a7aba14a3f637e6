package dev.vitesse.model.layers;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** PyTorch agreement is covered by the PVT v1 (48x80) and ffvit (resized position table) fixtures; these check the layouts. */
class BilinearTest {
    @Test
    void planarAndChannelsLastLayoutsGiveTheSameValues() {
        int c = 5, ih = 7, iw = 4, oh = 3, ow = 9;
        float[] planar = new float[c * ih * iw];
        Random r = new Random(1);
        for (int i = 0; i < planar.length; i++) planar[i] = (float) r.nextGaussian();
        float[] last = new float[2 + ih * iw * c];   // with an offset
        for (int ch = 0; ch < c; ch++) for (int p = 0; p < ih * iw; p++) last[2 + p * c + ch] = planar[ch * ih * iw + p];
        float[] a = Bilinear.resizePlanar(planar, c, ih, iw, oh, ow);
        float[] b = Bilinear.resizeChannelsLast(last, 2, ih, iw, c, oh, ow);
        for (int ch = 0; ch < c; ch++) {
            for (int p = 0; p < oh * ow; p++) assertThat(b[p * c + ch]).isEqualTo(a[ch * oh * ow + p]);
        }
    }

    @Test
    void sameSizeIsACopyAndAConstantStaysConstant() {
        float[] x = new float[2 * 3 * 4];
        for (int i = 0; i < x.length; i++) x[i] = i * 0.25f - 1;
        assertThat(Bilinear.resizePlanar(x, 2, 3, 4, 3, 4)).containsExactly(x);
        float[] k = new float[6 * 6];
        java.util.Arrays.fill(k, 0.3f);
        for (float v : Bilinear.resizeChannelsLast(k, 0, 6, 6, 1, 11, 4)) assertThat(v).isCloseTo(0.3f, org.assertj.core.data.Offset.offset(1e-7f));
    }
}
