package dev.vitesse.model.analysis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Fourier analysis of "How Do Vision Transformers Work?" (Park and Kim 2022, Fig. 2/8;
 * {@code fourier_analysis.ipynb}): for each block's output feature map,
 * {@code log(|fft2(x)| + 1e-6)} per channel, shifted so the zero frequency is at (h/2, w/2), averaged over channels
 * and images, the diagonal from the center to the highest frequency, relative to its zero-frequency value.
 * A negative high-frequency value means the block attenuates high frequencies (MSA: a low-pass filter),
 * an increase means it amplifies them (Conv, MLP).
 *
 * <p>Use: {@link #accept} as the {@link FeatureTap} for any number of images, then {@link #results()}.
 * Not thread-safe.
 */
public final class FourierAnalysis implements FeatureTap {
    private static final double EPS = 1e-6;

    /** Result for one block. {@code deltaLogAmplitude[k]} for frequency {@code k / (len-1)} of pi, k = 0 is 0. */
    public record BlockSpectrum(int index, String name, BlockKind kind, int height, int width, int images,
                                double[] deltaLogAmplitude) {
        /** The value at the highest frequency (Fig. 8's y axis). */
        public double highFrequency() {
            return deltaLogAmplitude[deltaLogAmplitude.length - 1];
        }
    }

    private static final class Acc {
        final int index;
        final String name;
        final BlockKind kind;
        final int h, w;
        final double[] sum; // sum over images and channels of the shifted log amplitude
        long maps;          // channels x images accumulated
        int images;

        Acc(FeatureMap m) {
            index = m.index();
            name = m.name();
            kind = m.kind();
            h = m.height();
            w = m.width();
            sum = new double[h * w];
        }
    }

    private final Map<Integer, Acc> acc = new LinkedHashMap<>();
    private final Map<Long, Dft2d> dfts = new LinkedHashMap<>();

    @Override
    public void accept(FeatureMap m) {
        Acc a = acc.computeIfAbsent(m.index(), i -> new Acc(m));
        if (a.h != m.height() || a.w != m.width() || a.kind != m.kind() || !a.name.equals(m.name())) {
            throw new IllegalArgumentException("block " + m.index() + " changed shape between images: " + a.name + " "
                    + a.h + "x" + a.w + " vs " + m.name() + " " + m.height() + "x" + m.width());
        }
        int h = m.height(), w = m.width(), hw = h * w;
        Dft2d dft = dfts.computeIfAbsent(((long) h << 32) | w, k -> new Dft2d(h, w));
        int sh = h / 2, sw = w / 2;
        for (int c = 0; c < m.channels(); c++) {
            double[] mag = dft.magnitude(m.data(), c * hw);
            for (int u = 0; u < h; u++) {
                int su = (u + sh) % h; // torch.roll(shifts=h/2): element u moves to u + h/2
                for (int v = 0; v < w; v++) {
                    a.sum[su * w + (v + sw) % w] += Math.log(mag[u * w + v] + EPS);
                }
            }
        }
        a.maps += m.channels();
        a.images++;
    }

    /** Per-block spectra in block order. */
    public List<BlockSpectrum> results() {
        List<BlockSpectrum> out = new ArrayList<>();
        for (Acc a : acc.values()) {
            int diag = Math.min(a.h, a.w);
            int start = a.h / 2;
            int len = diag - start;
            if (len < 1) len = 1;
            double[] d = new double[len];
            double base = a.sum[start * a.w + start] / a.maps;
            for (int k = 0; k < len; k++) {
                int i = start + k;
                d[k] = a.sum[i * a.w + i] / a.maps - base;
            }
            out.add(new BlockSpectrum(a.index, a.name, a.kind, a.h, a.w, a.images, d));
        }
        return out;
    }
}
