package dev.vitesse.model.fam1;

import dev.vitesse.model.LoadOptions;
import dev.vitesse.model.VisionModel;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Swin / PVT / Mixer families behind the common {@link VisionModel} API (what the CLI uses). */
class VisionModelFam1Test {
    @Test
    void loadsFolderByConfigArchitectureAndClassifies() throws IOException {
        Fixture f = new Fixture("swin/torchvision_64");
        VisionModel m = VisionModel.load(f.dir);
        assertThat(m.family1Model()).isNotNull();
        assertThat(m.inputSize()).isEqualTo(64);
        assertThat(m.numClasses()).isEqualTo(10);
        float[] logits = m.forward(f.input.data(), f.batch());
        assertThat(Fixture.relErr(logits, f.logits.data())).isLessThanOrEqualTo(1e-4);
        var top = m.classify(f.input.data(), 3);
        assertThat(top).hasSize(3);
        assertThat(m.info().toString()).contains("torchvision layout").contains("parameters:");
        assertThat(m.preprocessing().inputSize()).isEqualTo(64);
        assertThatThrownBy(() -> m.attentionMaps(f.input.data(), 1)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void bareSafetensorsWithArchOption() throws IOException {
        Fixture f = new Fixture("mixer/s_48");
        // the sibling config.json supplies the small sizes; --arch picks the family
        VisionModel m = VisionModel.load(f.dir.resolve("model.safetensors"), LoadOptions.arch("timm:mixer_s16_224"));
        assertThat(Fixture.relErr(m.forward(f.input.data(), f.batch()), f.logits.data())).isLessThanOrEqualTo(1e-4);
    }

    @Test
    void randomWeightsForBenchmarks() {
        VisionModel m = VisionModel.random(LoadOptions.arch("pvt_v2_b0"), 1);
        assertThat(m.numClasses()).isEqualTo(1000);
        assertThat(m.inputSize()).isEqualTo(224);
        assertThat(m.info().parameters()).isEqualTo(3_666_760L); // timm pvt_v2_b0: 3.67M
        assertThat(VisionModel.random(LoadOptions.arch("swin_tiny_patch4_window7_224"), 1).info().parameters())
                .isEqualTo(28_288_354L);                          // timm / torchvision Swin-T
        // a full-size network forward, kept small for CI: PVT v2 runs at any size
        VisionModel small = VisionModel.random(LoadOptions.arch("pvt_v2_b0").withImageSize(64), 1);
        float[] logits = small.forward(new float[3 * 64 * 64], 1);
        assertThat(logits).hasSize(1000);
    }

    @Test
    void imageSizeOptionReconfiguresTheModel() throws IOException {
        // the torchvision fixture at 72x40 was generated with the same weights; a square override changes the default size
        Fixture f = new Fixture("swin/torchvision_64");
        VisionModel m = VisionModel.load(f.dir, LoadOptions.defaults().withImageSize(96));
        assertThat(m.inputSize()).isEqualTo(96);
        assertThat(m.preprocessing().inputSize()).isEqualTo(96);
        assertThat(m.forward(new float[3 * 96 * 96], 1)).hasSize(10);
        // Mixer's token MLP is tied to its size: a clear error at load
        assertThatThrownBy(() -> VisionModel.load(new Fixture("mixer/s_48").dir, LoadOptions.defaults().withImageSize(64)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mlp_tokens.fc1.weight");
    }

    @Test
    void squareSizeIsInferredFromTheBatchWhenItDiffersFromTheDefault() throws IOException {
        Fixture f = new Fixture("pvt_v2/timm_b0");            // default input 60x76 (from pretrained_cfg)
        VisionModel m = VisionModel.load(f.dir);
        float[] square = new float[2 * 3 * 64 * 64];
        java.util.Random rnd = new java.util.Random(7);
        for (int i = 0; i < square.length; i++) square[i] = (float) rnd.nextGaussian();
        float[] viaFacade = m.forward(square, 2);
        float[] direct = m.family1Model().logits(square, 2, 64, 64, null);
        // interpreted vs JIT-compiled reductions and thread splits may reorder sums: same tolerance as the fixtures
        assertThat(Fixture.relErr(viaFacade, direct)).isLessThanOrEqualTo(1e-4);
        assertThatThrownBy(() -> m.forward(new float[3 * 10 * 11], 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nor a square image size");
    }
}
