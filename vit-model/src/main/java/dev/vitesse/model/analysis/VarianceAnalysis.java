package dev.vitesse.model.analysis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Feature-map variance of "How Do Vision Transformers Work?" (Fig. 9, {@code featuremap_variance.ipynb}): per
 * block, the unbiased variance over the spatial positions of each channel, averaged over channels and images
 * ({@code latent.var(dim=[-1, -2]).mean(dim=[0, 1])}). MSAs reduce it, Convs and MLPs increase it.
 * Not thread-safe.
 */
public final class VarianceAnalysis implements FeatureTap {
    /** Result for one block. */
    public record BlockVariance(int index, String name, BlockKind kind, int channels, int height, int width,
                                int images, double variance) {}

    private static final class Acc {
        final FeatureMap first;
        double sum;
        long maps;
        int images;

        Acc(FeatureMap m) {
            first = m;
        }
    }

    private final Map<Integer, Acc> acc = new LinkedHashMap<>();

    @Override
    public void accept(FeatureMap m) {
        Acc a = acc.computeIfAbsent(m.index(), i -> new Acc(m));
        int hw = m.height() * m.width();
        if (hw < 2) throw new IllegalArgumentException("block " + m.name() + ": variance needs at least 2 positions, map is "
                + m.height() + "x" + m.width());
        float[] d = m.data();
        for (int c = 0; c < m.channels(); c++) {
            double mean = 0;
            for (int p = 0; p < hw; p++) mean += d[c * hw + p];
            mean /= hw;
            double ss = 0;
            for (int p = 0; p < hw; p++) {
                double e = d[c * hw + p] - mean;
                ss += e * e;
            }
            a.sum += ss / (hw - 1);
        }
        a.maps += m.channels();
        a.images++;
    }

    public List<BlockVariance> results() {
        List<BlockVariance> out = new ArrayList<>();
        for (Acc a : acc.values()) {
            FeatureMap f = a.first;
            out.add(new BlockVariance(f.index(), f.name(), f.kind(), f.channels(), f.height(), f.width(), a.images,
                    a.sum / a.maps));
        }
        return out;
    }
}
