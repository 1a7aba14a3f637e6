package dev.vitesse.model.fam1;

import dev.vitesse.model.analysis.BlockKind;
import dev.vitesse.model.analysis.FeatureMap;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The families report planar feature maps to the "How Do ViTs Work?" analyses. */
class Fam1TappableTest {
    @Test
    void swinReportsEmbeddingAttentionAndMlpMaps() throws IOException {
        Fixture f = new Fixture("swin/timm_112");
        Fam1Model m = Fam1Models.load(f.dir, null);
        List<FeatureMap> maps = new ArrayList<>();
        float[] logits = m.forward(f.input.data(), maps::add);
        assertThat(Fixture.relErr(logits, f.logits.data())).isLessThanOrEqualTo(1e-4);
        assertThat(maps).hasSize(1 + 2 * 6);
        assertThat(maps.get(0).kind()).isEqualTo(BlockKind.EMBEDDING);
        assertThat(maps.get(1).name()).isEqualTo("layers.0.blocks.0.attn");
        assertThat(maps.get(1).kind()).isEqualTo(BlockKind.ATTENTION);
        FeatureMap full = maps.get(2);
        assertThat(full.name()).isEqualTo("layers.0.blocks.0");
        assertThat(full.kind()).isEqualTo(BlockKind.MLP);
        assertThat(full.channels()).isEqualTo(6);
        assertThat(full.height()).isEqualTo(28);
        // planar [C][H][W] of the channels-last reference [H*W][C]
        float[] ref = f.intermediates.take("layers.0.blocks.0", 1, 28 * 28, 6);
        float[] planar = new float[ref.length];
        for (int p = 0; p < 28 * 28; p++) for (int c = 0; c < 6; c++) planar[c * 28 * 28 + p] = ref[p * 6 + c];
        assertThat(Fixture.relErr(full.data(), planar)).isLessThanOrEqualTo(1e-4);
        for (int i = 0; i < maps.size(); i++) assertThat(maps.get(i).index()).isEqualTo(i);
    }

    @Test
    void pvtV1DropsTheClassTokenAndMixerTagsTokenMixing() throws IOException {
        Fixture v1 = new Fixture("pvt_v1/tiny_64");
        List<FeatureMap> maps = new ArrayList<>();
        Fam1Models.load(v1.dir, null).forward(v1.input.data(), maps::add);
        FeatureMap last = maps.get(maps.size() - 1);
        assertThat(last.name()).isEqualTo("block4.0");
        assertThat(last.height() * last.width()).isEqualTo(4);   // 2x2 map, class token not included

        Fixture mx = new Fixture("mixer/s_48");
        List<FeatureMap> mm = new ArrayList<>();
        float[] one = java.util.Arrays.copyOf(mx.input.data(), 3 * 48 * 48);
        Fam1Models.load(mx.dir, null).forward(one, mm::add);
        assertThat(mm.stream().filter(x -> x.kind() == BlockKind.TOKEN_MLP).count()).isEqualTo(3);
    }
}
