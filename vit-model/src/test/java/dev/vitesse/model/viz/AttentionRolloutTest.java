package dev.vitesse.model.viz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.vitesse.model.preprocess.RgbImage;
import org.junit.jupiter.api.Test;

class AttentionRolloutTest {

    @Test
    void oneLayerByHand() {
        // 2 heads, 3 tokens (class + 2 patches). Class-token rows: [0.2, 0.8, 0] and [0.2, 0.4, 0.4].
        // mean = [0.2, 0.6, 0.2]; + identity = [1.2, 0.6, 0.2]; / 2 = [0.6, 0.3, 0.1] -> patches [0.3, 0.1].
        float[] layer = {
                0.2f, 0.8f, 0f, /**/ 0f, 1f, 0f, /**/ 0f, 0f, 1f,
                0.2f, 0.4f, 0.4f, /**/ 0f, 1f, 0f, /**/ 0f, 0f, 1f};
        float[] r = AttentionRollout.rollout(new float[][] {layer}, 2, 3, 1, true);
        assertThat(r).containsExactly(new float[] {0.3f, 0.1f}, within(1e-6f));
    }

    @Test
    void twoLayersMultiplyLaterLayerOnTheLeft() {
        // Layer 1 (first): class token looks only at patch 1; patches look at themselves.
        float[] l1 = {0f, 1f, 0f, /**/ 0f, 1f, 0f, /**/ 0f, 0f, 1f};
        // Layer 2: class token looks at itself; patch 1 row irrelevant for the class row except via class column.
        float[] l2 = {1f, 0f, 0f, /**/ 0f, 0f, 1f, /**/ 0f, 0f, 1f};
        // A1' row0 = [0.5, 0.5, 0], A2' row0 = [1, 0, 0] -> R row0 = A2' row0 * A1' = [0.5, 0.5, 0] -> patches [0.5, 0]
        float[] r = AttentionRollout.rollout(new float[][] {l1, l2}, 1, 3, 1, true);
        assertThat(r).containsExactly(new float[] {0.5f, 0f}, within(1e-6f));
        // Reversed order: A1' = [[1,0,0],...] first, then class row [0.5,0.5,0] of the second times it:
        // row0 = 0.5*[1,0,0] + 0.5*[0, .5, .5] (patch 1 row of l2') -> [0.5, 0.25, 0.25]
        float[] rev = AttentionRollout.rollout(new float[][] {l2, l1}, 1, 3, 1, true);
        assertThat(rev).containsExactly(new float[] {0.25f, 0.25f}, within(1e-6f));
    }

    @Test
    void withoutClassTokenThePatchRowsAreAveragedAndRegisterTokensSkipped() {
        // 1 register token + 2 patches, no class token. One layer, one head:
        // register row [1, 0, 0]; patch rows [0.5, 0.5, 0] and [0, 0, 1]. + identity, / 2:
        // patch rows -> [0.25, 0.75, 0] and [0, 0, 1]; their mean over the patch columns -> [0.375, 0.5].
        float[] layer = {1f, 0f, 0f, /**/ 0.5f, 0.5f, 0f, /**/ 0f, 0f, 1f};
        float[] r = AttentionRollout.rollout(new float[][] {layer}, 1, 3, 1, false);
        assertThat(r).containsExactly(new float[] {0.375f, 0.5f}, within(1e-6f));
        assertThatThrownBy(() -> AttentionRollout.rollout(new float[][] {layer}, 1, 3, 0, true))
                .hasMessageContaining("prefixTokens is 0");
    }

    @Test
    void rejectsInconsistentShapes() {
        assertThatThrownBy(() -> AttentionRollout.rollout(new float[][] {new float[5]}, 1, 3, 1, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("layer 0");
        assertThatThrownBy(() -> AttentionRollout.rollout(new float[0][], 1, 3, 1, true))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void overlayBlendsJetColours() {
        RgbImage grey = RgbImage.filled(4, 4, 100, 100, 100);
        // left half cold (0), right half hot (1)
        RgbImage o = HeatmapOverlay.overlay(grey, new float[] {0, 1, 0, 1}, 2, 2, 1f);
        assertThat(HeatmapOverlay.jet(0)).containsExactly(0, 0, 128);
        assertThat(HeatmapOverlay.jet(1)).containsExactly(128, 0, 0);
        assertThat(o.get(0, 0, 2)).isEqualTo(128); // pure jet(0) at alpha 1
        assertThat(o.get(3, 3, 0)).isEqualTo(128);
        RgbImage half = HeatmapOverlay.overlay(grey, new float[] {0, 1, 0, 1}, 2, 2, 0f);
        assertThat(half.rgb()).isEqualTo(grey.rgb());
        // values are min-max rescaled: {5, 7} looks like {0, 1}
        assertThat(HeatmapOverlay.overlay(grey, new float[] {5, 7, 5, 7}, 2, 2, 1f).rgb()).isEqualTo(o.rgb());
    }
}
