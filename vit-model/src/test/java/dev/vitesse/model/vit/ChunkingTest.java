package dev.vitesse.model.vit;

import dev.vitesse.model.LoadOptions;
import dev.vitesse.model.config.ModelResolver;
import dev.vitesse.model.config.VitConfig;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Large batches are split into chunks; the result must not depend on the split. */
class ChunkingTest {
    @Test
    void chunkedBatchEqualsOneShot() {
        VitConfig cfg = ModelResolver.forArchitecture(LoadOptions.arch("deit_tiny_distilled_patch16_224").withImageSize(32)
                .withPatchSize(8).withEmbedDim(16).withDepth(2).withNumHeads(2).withNumClasses(3)).config();
        VisionTransformer net = VisionTransformer.random(cfg, 3);
        int batch = 7;
        float[] x = new float[batch * net.imageFloats()];
        Random r = new Random(5);
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        float[] logits = net.logits(x, batch), feats = net.features(x, batch);
        float[][] maps = net.attentionProbabilities(x, batch);
        long saved = VisionTransformer.activationBudgetFloats;
        try {
            // room for 3 images per chunk -> chunks of 3, 3, 1
            VisionTransformer.activationBudgetFloats = 3L * cfg.numTokens()
                    * Math.max(Math.max(3L * cfg.embedDim(), cfg.mlpHidden()), (long) cfg.inChans() * cfg.patchSize() * cfg.patchSize());
            assertThat(net.chunkSize()).isEqualTo(3);
            // a misplaced chunk would be off by O(1); GEMM kernels may legally round differently for other row counts
            assertClose(net.logits(x, batch), logits);
            assertClose(net.features(x, batch), feats);
            float[][] chunked = net.attentionProbabilities(x, batch);
            for (int l = 0; l < maps.length; l++) assertClose(chunked[l], maps[l]);
        } finally {
            VisionTransformer.activationBudgetFloats = saved;
        }
    }

    private static void assertClose(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        double max = 0;
        for (float v : expected) max = Math.max(max, Math.abs(v));
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) Math.abs(actual[i] - expected[i])).as("element " + i).isLessThanOrEqualTo(1e-5 * max);
        }
    }
}
