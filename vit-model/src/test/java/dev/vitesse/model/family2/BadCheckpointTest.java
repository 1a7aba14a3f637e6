package dev.vitesse.model.family2;

import dev.vitesse.model.io.TensorMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Broken checkpoints and configs must fail at load time with a message naming the problem. */
class BadCheckpointTest {
    @TempDir
    Path tmp;

    static Map<String, TensorMap.Tensor> tensorsOf(String fixture) throws Exception {
        Path dir = Family2FixtureTest.fixture(fixture);
        TensorMap t = TensorMap.read(dir.resolve("model.safetensors"));
        Map<String, TensorMap.Tensor> m = new LinkedHashMap<>();
        for (String n : t.names()) m.put(n, new TensorMap.Tensor(t.shapeOf(n), t.take(n, t.shapeOf(n)).clone()));
        return m;
    }

    static ModelConfig configOf(String fixture) throws Exception {
        return ModelConfig.read(Family2FixtureTest.fixture(fixture).resolve("config.json"));
    }

    static Family2Model build(String fixture, Consumer<Map<String, TensorMap.Tensor>> edit) throws Exception {
        Map<String, TensorMap.Tensor> m = tensorsOf(fixture);
        edit.accept(m);
        return Family2Models.build(configOf(fixture), new TensorMap("test:" + fixture, m));
    }

    @Test
    void missingTensorIsNamed() {
        for (var c : List.of(new String[] {"ffvit/tiny", "blocks.1.mlp2.fc1.weight"},
                new String[] {"refiner/small", "blocks.1.attn.DLA.bn2.running_var"},
                new String[] {"alternet/bottleneck_w3", "layer3.1.attn.pos_embedding"})) {
            assertThatThrownBy(() -> build(c[0], m -> m.remove(c[1])))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("missing tensor '" + c[1] + "'");
        }
    }

    @Test
    void unexpectedTensorIsNamed() {
        assertThatThrownBy(() -> build("alternet/basic_w7",
                m -> m.put("layer5.0.conv1.weight", new TensorMap.Tensor(new int[] {1}, new float[1]))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unexpected").hasMessageContaining("layer5.0.conv1.weight");
        // a non-shared Refiner block carrying DLA weights (apply_transform=True) is not the registered layout
        assertThatThrownBy(() -> build("refiner/small",
                m -> m.put("blocks.0.attn.adapt_bn.weight", new TensorMap.Tensor(new int[] {4}, new float[4]))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blocks.0.attn.adapt_bn.weight");
    }

    @Test
    void wrongShapeIsReportedWithExpectedAndFound() {
        assertThatThrownBy(() -> build("refiner/small", m -> m.put("blocks.2.mlp.fc1.weight",
                new TensorMap.Tensor(new int[] {72, 25}, new float[72 * 25]))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("blocks.2.mlp.fc1.weight").hasMessageContaining("[72, 25]")
                .hasMessageContaining("expected [72, 24]");
    }

    @Test
    void wrongVariantIsRejected() throws Exception {
        // the tiny fixture loaded as linear_base (D=768 by default): the very first tensor's shape is wrong
        Map<String, TensorMap.Tensor> m = tensorsOf("ffvit/tiny");
        assertThatThrownBy(() -> Family2Models.build(ModelConfig.parse(
                "{\"architecture\":\"ffvit:linear_base\",\"num_classes\":10,\"img_size\":64,\"pos_size\":4}"),
                new TensorMap("t", m)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected [768, 3, 16, 16]");
        assertThatThrownBy(() -> Family2Models.build(ModelConfig.parse("{\"architecture\":\"ffvit:linear_huge\"}"),
                new TensorMap("t", m))).hasMessageContaining("unknown feed-forward ViT variant 'linear_huge'");
        assertThatThrownBy(() -> Family2Models.build(ModelConfig.parse("{\"architecture\":\"alternet:dnn_18\",\"depht\":3}"),
                new TensorMap("t", m))).hasMessageContaining("unknown key(s) [depht]");
    }

    @Test
    void otherResolutionIsAClearError() throws Exception {
        // ffvit: the token MLP is sized for 17 tokens (64x64); asking for 128x128 must not run
        Map<String, TensorMap.Tensor> m = tensorsOf("ffvit/tiny");
        assertThatThrownBy(() -> Family2Models.build(ModelConfig.parse(
                "{\"architecture\":\"ffvit:linear_tiny\",\"num_classes\":10,\"embed_dim\":32,\"depth\":2,\"img_size\":128,\"pos_size\":4}"),
                new TensorMap("t", m)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("17 tokens").hasMessageContaining("only runs at the resolution");
        Family2Model ok = Family2Models.load(Family2FixtureTest.fixture("ffvit/tiny"));
        assertThatThrownBy(() -> ok.logits(new float[3 * 128 * 128]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only runs at 64x64");
        assertThatThrownBy(() -> ok.requireInputSize(224, 224)).hasMessageContaining("224x224");
        Map<String, TensorMap.Tensor> r = tensorsOf("refiner/small");
        assertThatThrownBy(() -> Family2Models.build(ModelConfig.parse(
                "{\"architecture\":\"refiner:Refiner_ViT_S\",\"num_classes\":10,\"embed_dim\":24,\"depth\":4,"
                        + "\"num_heads\":4,\"img_size\":96,\"stem_widths\":[8,12,16]}"), new TensorMap("t", r)))
                .hasMessageContaining("pos_embed for 17 tokens");
        assertThatThrownBy(() -> Family2Models.build(ModelConfig.parse(
                "{\"architecture\":\"alternet:dnn_18\",\"img_size\":200}"), new TensorMap("t", r)))
                .hasMessageContaining("multiple of the window 7");
    }

    @Test
    void corruptSafetensorsFileIsReported() throws Exception {
        Path f = tmp.resolve("model.safetensors");
        Files.write(f, new byte[] {100, 0, 0, 0, 0, 0, 0, 0, '{'});
        assertThatThrownBy(() -> TensorMap.read(f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("header length 100 exceeds the file");
        byte[] hdr = "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}".getBytes();
        byte[] file = new byte[8 + hdr.length + 8]; // data section too short
        file[0] = (byte) hdr.length;
        System.arraycopy(hdr, 0, file, 8, hdr.length);
        Files.write(f, file);
        assertThatThrownBy(() -> TensorMap.read(f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("'a'");
    }

    @Test
    void transposedRelativePositionTableIsCaughtByTheFixture() throws Exception {
        // guards the test itself: transposing every AlterNet table must break the intermediate-output comparison
        Path dir = Family2FixtureTest.fixture("alternet/bottleneck_w3");
        Family2Model model = build("alternet/bottleneck_w3", m -> m.replaceAll((k, v) -> {
            if (!k.endsWith("pos_embedding")) return v;
            int s = v.shape()[0];
            float[] tr = new float[s * s];
            for (int i = 0; i < s; i++) for (int j = 0; j < s; j++) tr[j * s + i] = v.data()[i * s + j];
            return new TensorMap.Tensor(v.shape(), tr);
        }));
        TensorMap exp = TensorMap.read(dir.resolve("expected.safetensors"));
        var maps = new java.util.ArrayList<dev.vitesse.model.analysis.FeatureMap>();
        model.forward(exp.take("input", 1, 3, 96, 96), maps::add);
        var attn = maps.stream().filter(x -> x.name().equals("layer2.1")).findFirst().orElseThrow();
        float[] ref = exp.take("tap.layer2.1", 1, attn.channels(), attn.height(), attn.width());
        assertThatThrownBy(() -> Family2FixtureTest.assertClose("transposed", attn.data(), ref)).isInstanceOf(AssertionError.class);
    }
}
