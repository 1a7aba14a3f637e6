package dev.vitesse.model;

import dev.vitesse.model.analysis.FeatureMap;
import dev.vitesse.model.family2.Family2FixtureTest;
import dev.vitesse.model.family2.Family2Model;
import dev.vitesse.model.family2.Family2Models;
import dev.vitesse.model.io.TensorMap;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ffvit / Refiner / AlterNet through the VisionModel API, and the ViT feature tap. */
class VisionModelFamiliesTest {
    static float[] images(int batch, int s, long seed) {
        Random r = new Random(seed);
        float[] x = new float[batch * 3 * s * s];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    @Test
    void family2CheckpointsLoadThroughVisionModel() throws Exception {
        for (String f : List.of("ffvit/tiny", "refiner/small", "alternet/bottleneck_w3")) {
            Path dir = Family2FixtureTest.fixture(f);
            VisionModel vm = VisionModel.load(dir);
            Family2Model direct = Family2Models.load(dir);
            int s = vm.inputSize();
            assertThat(s).isEqualTo(direct.inputSize());
            assertThat(vm.architecture()).isEqualTo(direct.architecture());
            float[] x = images(2, s, 7);
            float[] logits = vm.forward(x, 2);
            int k = vm.numClasses();
            assertThat(logits).hasSize(2 * k);
            for (int b = 0; b < 2; b++) {
                float[] one = java.util.Arrays.copyOfRange(x, b * 3 * s * s, (b + 1) * 3 * s * s);
                assertThat(java.util.Arrays.copyOfRange(logits, b * k, (b + 1) * k)).containsExactly(direct.logits(one));
            }
            assertThat(vm.classify(java.util.Arrays.copyOf(x, 3 * s * s), 3)).hasSize(3);
            assertThat(vm.embed(x, 2)).hasSize(2 * vm.numFeatures());
            assertThat(vm.info().toString()).contains(direct.architecture().substring(direct.architecture().indexOf(':') + 1))
                    .contains("parameters");
            assertThat(vm.info().parameters()).isEqualTo(direct.parameterCount()).isPositive();
            assertThatThrownBy(() -> vm.attentionMaps(x, 2)).isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(vm::config).isInstanceOf(IllegalStateException.class).hasMessageContaining("not a ViT");
        }
    }

    @Test
    void archOverrideAndResolutionErrors() throws Exception {
        Path dir = Family2FixtureTest.fixture("ffvit/tiny");
        assertThatThrownBy(() -> VisionModel.load(dir, LoadOptions.defaults().withImageSize(224)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only runs at 64x64");
        assertThatThrownBy(() -> VisionModel.load(dir, LoadOptions.arch("ffvit:linear_large")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("patch_embed.proj.weight");
        assertThatThrownBy(() -> VisionModel.random(LoadOptions.arch("alternet_dnn_50"), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("alternet:dnn_50")
                .hasMessageContaining("refiner:Refiner_ViT_S").hasMessageContaining("ffvit:linear_large");
        assertThatThrownBy(() -> VisionModel.random(LoadOptions.arch("alternet:dnn_50").withImageSize(200), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiple of the");
        assertThatThrownBy(() -> VisionModel.random(LoadOptions.arch("refiner:Refiner_ViT_X"), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown Refiner-ViT variant");
    }

    @Test
    void randomWeightsHaveTheRealArchitecturesShapes() {
        // sum(p.numel() for p in model.parameters()) of scripts/reference/family2_models.py's full-size modules
        // (1000 classes): the made-up tensors have exactly the shapes a real checkpoint has
        Map<String, Long> torch = Map.of("ffvit:linear_tiny", 7_676_332L, "refiner:Refiner_ViT_S", 25_408_656L,
                "alternet:dnn_18", 9_968_803L);
        torch.forEach((name, count) -> {
            VisionModel m = VisionModel.random(LoadOptions.arch(name), 3);
            assertThat(m.architecture()).isEqualTo(name);
            assertThat(m.inputSize()).isEqualTo(224);
            assertThat(m.numClasses()).isEqualTo(1000);
            assertThat(m.info().parameters()).as(name).isEqualTo(count);
            assertThat(m.info().toString()).contains("random weights");
        });
    }

    @Test
    void randomModelsRunAtASmallSizeAndDependOnlyOnTheSeed() {
        for (var c : List.of(Map.entry("ffvit:linear_tiny", 64), Map.entry("refiner:Refiner_ViT_S", 64),
                Map.entry("alternet:dnn_18", 224))) {
            LoadOptions o = LoadOptions.arch(c.getKey()).withImageSize(c.getValue());
            VisionModel a = VisionModel.random(o, 5);
            assertThat(a.inputSize()).isEqualTo(c.getValue());
            float[] x = images(2, c.getValue(), 1);
            float[] la = a.forward(x, 2);
            assertThat(la).hasSize(2000);
            for (float v : la) assertThat(Float.isFinite(v)).as(c.getKey()).isTrue();
            if (c.getKey().startsWith("ffvit")) { // the weights depend on the seed only (cheapest model)
                assertThat(la).as("same seed").containsExactly(VisionModel.random(o, 5).forward(x, 2));
                assertThat(la).as("other seed").isNotEqualTo(VisionModel.random(o, 6).forward(x, 2));
            }
            assertThat(java.util.Arrays.copyOf(la, 1000)).as(c.getKey() + " images differ")
                    .isNotEqualTo(java.util.Arrays.copyOfRange(la, 1000, 2000));
        }
    }

    @Test
    void refinerLargeKeepsItsCropPctAboveOne() throws Exception {
        // the small fixture's dimensions under the Refiner_ViT_L name: preprocessing follows the variant (crop 1.13)
        Path dir = Family2FixtureTest.fixture("refiner/small");
        VisionModel l = VisionModel.load(dir, LoadOptions.arch("refiner:Refiner_ViT_L"));
        assertThat(l.preprocessing().cropPct()).isEqualTo(1.13);
        assertThat(l.preprocessing().scaleSize()).isEqualTo(56);   // floor(64 / 1.13): below the 64 px input
        assertThat(l.preprocessing().interpolation()).isEqualTo("bicubic");
        assertThat(l.preprocessing().mean()).containsExactly(0.5f, 0.5f, 0.5f);
        assertThat(VisionModel.load(dir).preprocessing().cropPct()).isEqualTo(0.9);
    }

    @Test
    void parameterCountExcludesBatchNormBuffers() throws Exception {
        // Refiner fixture: torch's sum(p.numel() for p in model.parameters()) for the small config
        Path dir = Family2FixtureTest.fixture("refiner/small");
        TensorMap t = TensorMap.read(dir.resolve("model.safetensors"));
        long all = t.names().stream().mapToLong(n -> {
            long c = 1;
            for (int d : t.shapeOf(n)) c *= d;
            return c;
        }).sum();
        long buffers = t.names().stream().filter(n -> n.endsWith("running_mean") || n.endsWith("running_var"))
                .mapToLong(n -> t.shapeOf(n)[0]).sum();
        assertThat(buffers).isPositive();
        assertThat(Family2Models.load(dir).parameterCount()).isEqualTo(all - buffers);
    }

    @Test
    void vitFeatureTapMatchesPyTorchSubBlockOutputs() throws Exception {
        Path dir = Family2FixtureTest.fixture("vit/timm_plain");
        VisionModel vm = VisionModel.load(dir);
        TensorMap exp = TensorMap.read(Path.of(getClass().getResource("/fixtures/analysis/vit_timm_plain_taps.safetensors").toURI()));
        int s = vm.inputSize();
        float[] x = exp.take("input", 1, 3, s, s);
        List<FeatureMap> maps = new ArrayList<>();
        float[] logits = vm.forward(x, maps::add);
        Family2FixtureTest.assertClose("vit logits", logits, exp.take("logits", exp.shapeOf("logits")));
        assertThat(logits).containsExactly(vm.forward(x, 1)); // tapping does not change the result
        assertThat(maps).extracting(FeatureMap::name).containsExactly("embed", "blocks.0.attn", "blocks.0.mlp",
                "blocks.1.attn", "blocks.1.mlp");
        for (int i = 0; i < maps.size(); i++) {
            FeatureMap m = maps.get(i);
            assertThat(m.index()).isEqualTo(i);
            int[] shape = exp.shapeOf("tap." + m.name());
            float[] ref = FeatureMap.fromTokens(0, "ref", m.kind(), exp.take("tap." + m.name(), shape), 0, 1, shape[2],
                    m.height(), m.width()).data();
            Family2FixtureTest.assertClose("vit " + m.name(), m.data(), ref);
        }
    }
}
