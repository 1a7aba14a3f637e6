package dev.vitesse.model.analysis;

import dev.vitesse.model.io.TensorMap;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Fourier and variance analyses against torch's fft2/roll/diag/var (fixture from gen_family2_fixtures.py). */
class AnalysisTest {
    static TensorMap spectra() throws Exception {
        return TensorMap.read(Path.of(AnalysisTest.class.getResource("/fixtures/analysis/spectra.safetensors").toURI()));
    }

    @Test
    void fourierAndVarianceMatchTheNotebooks() throws Exception {
        TensorMap t = spectra();
        for (int i = 0; i < 4; i++) {
            int[] s = t.shapeOf("map" + i);
            float[] x = t.take("map" + i, s);
            int b = s[0], c = s[1], h = s[2], w = s[3];
            FourierAnalysis fa = new FourierAnalysis();
            VarianceAnalysis va = new VarianceAnalysis();
            for (int img = 0; img < b; img++) {
                float[] one = java.util.Arrays.copyOfRange(x, img * c * h * w, (img + 1) * c * h * w);
                FeatureMap m = new FeatureMap(0, "m", BlockKind.CONV, c, h, w, one);
                fa.accept(m);
                va.accept(m);
            }
            float[] ref = t.take("fourier" + i, t.shapeOf("fourier" + i));
            double[] got = fa.results().get(0).deltaLogAmplitude();
            assertThat(got).as("map " + i).hasSize(ref.length);
            // reference computed in float64 by torch, stored as float32: compare to float32 resolution
            for (int k = 0; k < ref.length; k++) assertThat(got[k]).as("map " + i + " freq " + k).isCloseTo(ref[k], within(2e-5));
            assertThat(fa.results().get(0).images()).isEqualTo(b);
            double v = t.take("variance" + i, 1)[0];
            assertThat(va.results().get(0).variance()).isCloseTo(v, within(1e-5 * Math.abs(v)));
        }
    }

    @Test
    void dftOfAPureToneHasOnePeak() {
        int h = 14, w = 7;
        float[] x = new float[h * w];
        for (int y = 0; y < h; y++) {
            for (int xx = 0; xx < w; xx++) x[y * w + xx] = (float) Math.cos(2 * Math.PI * (3.0 * y / h + 2.0 * xx / w));
        }
        double[] mag = new Dft2d(h, w).magnitude(x, 0);
        for (int u = 0; u < h; u++) {
            for (int v = 0; v < w; v++) {
                boolean peak = (u == 3 && v == 2) || (u == h - 3 && v == w - 2);
                assertThat(mag[u * w + v]).as(u + "," + v).isCloseTo(peak ? h * w / 2.0 : 0.0, within(1e-4));
            }
        }
    }

    @Test
    void lowPassBlockHasNegativeHighFrequency() {
        // white noise vs the same noise blurred by a 3x3 box filter: blurring must lower the high-frequency value
        Random r = new Random(5);
        int c = 4, h = 14, w = 14;
        float[] noise = new float[c * h * w], blur = new float[c * h * w];
        for (int i = 0; i < noise.length; i++) noise[i] = (float) r.nextGaussian();
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    float s = 0;
                    for (int dy = -1; dy <= 1; dy++) {
                        for (int dx = -1; dx <= 1; dx++) s += noise[ch * h * w + ((y + dy + h) % h) * w + (x + dx + w) % w];
                    }
                    blur[ch * h * w + y * w + x] = s / 9;
                }
            }
        }
        FourierAnalysis fa = new FourierAnalysis();
        fa.accept(new FeatureMap(0, "noise", BlockKind.CONV, c, h, w, noise));
        fa.accept(new FeatureMap(1, "blur", BlockKind.ATTENTION, c, h, w, blur));
        var res = fa.results();
        assertThat(res.get(1).highFrequency()).isLessThan(res.get(0).highFrequency() - 1.0);
    }

    @Test
    void shapeChangeBetweenImagesIsRejected() {
        FourierAnalysis fa = new FourierAnalysis();
        fa.accept(new FeatureMap(0, "a", BlockKind.CONV, 1, 4, 4, new float[16]));
        assertThatThrownBy(() -> fa.accept(new FeatureMap(0, "a", BlockKind.CONV, 1, 5, 5, new float[25])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("changed shape");
    }
}
