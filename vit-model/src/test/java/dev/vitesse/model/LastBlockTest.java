package dev.vitesse.model;

import dev.vitesse.kernels.Parallel;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With class-token (or class + distillation token) pooling the last block computes only the rows the head reads;
 * a feature tap makes every block run in full. Both must give the same logits and embeddings, bit for bit, for
 * every image of a batch (the kept rows of a multi-image batch are compacted, so batch > 1 on one thread, where
 * the images are not split into one-image passes).
 */
class LastBlockTest {
    @Test
    void headTokenRowsOnlyGiveTheFullBlocksResult() throws Exception {
        int threads = Parallel.threads();
        try {
            Parallel.setThreads(1);
            for (String name : new String[] {"timm_plain", "timm_deit3", "timm_deit_distilled", "hf_deit_teacher",
                    "hf_vit", "timm_avg", "timm_max", "timm_reg", "timm_no_qkv_bias"}) {
                VisionModel m = VisionModel.load(Fixtures.dir(name));
                int batch = 3, per = m.inChans() * m.inputSize() * m.inputSize();
                SplittableRandom rnd = new SplittableRandom(name.hashCode());
                float[] x = new float[batch * per];
                for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
                float[] logits = m.forward(x, batch), features = m.embed(x, batch);
                int k = logits.length / batch, f = features.length / batch;
                for (int b = 0; b < batch; b++) {
                    float[] image = Arrays.copyOfRange(x, b * per, (b + 1) * per);
                    float[] full = m.forward(image, map -> { }); // a tap: every block in full
                    assertThat(Arrays.copyOfRange(logits, b * k, (b + 1) * k)).as(name + " image " + b)
                            .containsExactly(full);
                    assertThat(Arrays.copyOfRange(features, b * f, (b + 1) * f)).as(name + " features " + b)
                            .containsExactly(Arrays.copyOfRange(m.embed(image, 1), 0, f));
                }
            }
        } finally {
            Parallel.setThreads(threads);
        }
    }
}
