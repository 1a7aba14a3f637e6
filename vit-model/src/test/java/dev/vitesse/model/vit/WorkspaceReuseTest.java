package dev.vitesse.model.vit;

import dev.vitesse.model.LoadOptions;
import dev.vitesse.model.config.ModelResolver;
import dev.vitesse.model.config.VitConfig;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** A thread reuses its activation buffers from call to call: no stale values may leak into a later result. */
class WorkspaceReuseTest {
    private static final VitConfig CFG = ModelResolver.forArchitecture(LoadOptions.arch("deit_tiny_distilled_patch16_224")
            .withImageSize(32).withPatchSize(8).withEmbedDim(16).withDepth(2).withNumHeads(2).withNumClasses(3)).config();

    private static float[] images(VisionTransformer net, int batch, long seed) {
        float[] x = new float[batch * net.imageFloats()];
        Random r = new Random(seed);
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    /** The logits of one image computed on a new thread, whose buffers are fresh (zeroed) arrays. */
    private static float[] onFreshThread(VisionTransformer net, float[] image) throws Exception {
        AtomicReference<float[]> out = new AtomicReference<>();
        Thread t = new Thread(() -> out.set(net.logits(image, 1)));
        t.start();
        t.join();
        return out.get();
    }

    @Test
    void aSmallerCallAfterALargerOneGivesTheFreshResult() throws Exception {
        VisionTransformer net = VisionTransformer.random(CFG, 3);
        float[] one = images(net, 1, 11);
        float[] expected = onFreshThread(net, one);
        net.logits(images(net, 3, 12), 3);          // leaves larger buffers full of other values
        assertThat(net.logits(one, 1)).containsExactly(expected);
        net.features(images(net, 2, 13), 2);
        net.attentionProbabilities(images(net, 2, 14), 2);
        assertThat(net.logits(one, 1)).containsExactly(expected);
    }

    @Test
    void aNestedCallFromATapDoesNotDisturbTheOuterPass() throws Exception {
        VisionTransformer net = VisionTransformer.random(CFG, 4);
        float[] one = images(net, 1, 21), other = images(net, 1, 22);
        float[] expected = onFreshThread(net, one), expectedOther = onFreshThread(net, other);
        float[][] nested = new float[1][];
        float[] outer = net.logits(one, 1, map -> {
            if (nested[0] == null) nested[0] = net.logits(other, 1);   // same thread, while the outer pass runs
        });
        assertThat(nested[0]).containsExactly(expectedOther);
        assertThat(outer).containsExactly(expected);
    }

    @Test
    void buffersAreKeptPerThreadUpToTheCap() {
        Workspace a = Workspace.take(4, 3, 5, 8, 16);
        Workspace inner = Workspace.take(4, 3, 5, 8, 16);
        assertThat(inner.x).as("taken while the first is in use").isNotSameAs(a.x);
        inner.close();
        a.close();
        Workspace again = Workspace.take(2, 3, 3, 8, 16);
        assertThat(again.x).as("a smaller request reuses the kept buffers").isSameAs(a.x);
        again.close();
        int rows = (int) (Workspace.CACHE_MAX_FLOATS / 64);
        Workspace big = Workspace.take(1, 1, rows, 16, 16);
        big.close();
        try (Workspace last = Workspace.take(1, 1, 1, 16, 16)) {
            assertThat(last.x).as("a workspace above the cap is not kept").isSameAs(a.x);
        }
    }
}
