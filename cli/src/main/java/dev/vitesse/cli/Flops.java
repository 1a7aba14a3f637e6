package dev.vitesse.cli;

import dev.vitesse.model.config.VitConfig;

/**
 * Floating-point operations of one forward pass (2 per multiply-add, GEMM-like parts only, as papers count). The
 * model's nominal count: with class-token pooling Vitesse's last block skips the rows the head does not read (6 %
 * of ViT-B/16's count), so GFLOP/s derived from it is the effective rate, slightly above the arithmetic done.
 */
final class Flops {
    private Flops() {}

    static double perImage(VitConfig c) {
        double n = c.numTokens(), d = c.embedDim(), h = c.mlpHidden();
        double patch = (double) c.numPatches() * c.inChans() * c.patchSize() * c.patchSize() * d;
        double block = n * d * 3 * d      // qkv
                + 2 * n * n * d           // q k^T and attn v
                + n * d * d               // proj
                + 2 * n * d * h;          // fc1 + fc2
        double heads = (c.headDist() ? 2.0 : 1.0) * d * c.numClasses();
        // 'map' pooling: kv over every token, one query's attention, proj and the MLP on one row (q(latent) is precomputed)
        double attnPool = c.pooling() == dev.vitesse.model.config.Pooling.MAP
                ? n * d * 2 * d + 2 * n * d + d * d + 2 * d * h : 0;
        return 2 * (patch + c.depth() * block + attnPool + heads);
    }

    /** {@link #perImage} for ViT/DeiT, the backend's own count for ffvit/Refiner/AlterNet, NaN otherwise. */
    static double perImageOrNaN(dev.vitesse.model.VisionModel m) {
        if (m.backend() != null) return m.backend().flopsPerImage();
        if (m.family1Model() != null) return Double.NaN;
        return perImage(m.config());
    }
}
