package dev.vitesse.model;

import dev.vitesse.model.config.Architectures;
import dev.vitesse.model.io.ModelFormatException;
import dev.vitesse.model.io.SafeTensors;
import dev.vitesse.model.io.SafeTensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import static dev.vitesse.model.ReferenceFixturesTest.tiny;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every way a checkpoint can be wrong gives one clear exception naming the problem. */
class LoadErrorsTest {
    @TempDir
    Path tmp;

    private Path bare() {
        return Fixtures.dir("timm_bare").resolve("model.safetensors");
    }

    /** Copy of the bare timm fixture with tensors renamed (value null: dropped) and extra tensors added. */
    private Path rewritten(Map<String, String> rename, SafeTensorsWriter extra) throws IOException {
        try (SafeTensors st = SafeTensors.open(bare())) {
            SafeTensorsWriter w = SafeTensorsWriter.copyOf(st, rename);
            if (extra != null) w.tensors().putAll(extra.tensors());
            return w.write(tmp.resolve("m.safetensors"));
        }
    }

    @Test
    void missingAndUnexpectedTensorsAreListedTogether() throws IOException {
        Map<String, String> rename = new HashMap<>();
        rename.put("blocks.1.mlp.fc1.weight", "blocks.1.mlp.fcX.weight");
        rename.put("norm.bias", null);
        Path f = rewritten(rename, new SafeTensorsWriter().f32("extra.thing", new float[] {1}, 1));
        assertThatThrownBy(() -> VisionModel.load(f, tiny("vit_tiny_patch16_224")))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("2 missing [blocks.1.mlp.fc1.weight, norm.bias]")
                .hasMessageContaining("2 unexpected [blocks.1.mlp.fcX.weight, extra.thing]");
    }

    @Test
    void wrongDepthShowsMissingBlocks() {
        assertThatThrownBy(() -> VisionModel.load(bare(), tiny("vit_tiny_patch16_224").withDepth(3)))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("missing [blocks.2.norm1.weight")
                .hasMessageContaining("0 unexpected []");
        assertThatThrownBy(() -> VisionModel.load(bare(), tiny("vit_tiny_patch16_224").withDepth(1)))
                .hasMessageContaining("0 missing []")
                .hasMessageContaining("unexpected [blocks.1.attn.proj.bias");
    }

    @Test
    void wrongShapeNamesTensorExpectedAndFound() throws IOException {
        assertThatThrownBy(() -> VisionModel.load(bare(), tiny("vit_tiny_patch16_224").withMlpRatio(4.0)))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("tensor 'blocks.0.mlp.fc1.weight' has shape [32, 16], expected [64, 16]");
        Map<String, String> rename = new HashMap<>();
        rename.put("head.bias", null);
        Path f = rewritten(rename, new SafeTensorsWriter().f32("head.bias", new float[11], 11));
        assertThatThrownBy(() -> VisionModel.load(f, tiny("vit_tiny_patch16_224")))
                .hasMessageContaining("tensor 'head.bias' has shape [11], expected [10]");
        assertThatThrownBy(() -> VisionModel.load(bare(), tiny("vit_tiny_patch16_224").withNumClasses(1000)))
                .hasMessageContaining("tensor 'head.weight' has shape [10, 16], expected [1000, 16]");
    }

    @Test
    void qkvWithoutBiasWhenTheFileHasOne() {
        assertThatThrownBy(() -> VisionModel.load(bare(), tiny("vit_tiny_patch16_224").withQkvBias(false)))
                .hasMessageContaining("unexpected [blocks.0.attn.qkv.bias, blocks.1.attn.qkv.bias]");
    }

    @Test
    void unknownArchitectureListsKnownOnes() {
        assertThatThrownBy(() -> VisionModel.load(bare(), LoadOptions.arch("vit_gigantic_patch3_999")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown architecture 'vit_gigantic_patch3_999'")
                .hasMessageContaining("vit_base_patch16_224")
                .hasMessageContaining("deit3_base_patch16_224")
                .hasMessageContaining("torchvision:vit_h_14");
        assertThatThrownBy(() -> Architectures.resolve("vit_b_16")).hasMessageContaining("did you mean 'torchvision:vit_b_16'");
        assertThatThrownBy(() -> VisionModel.random(LoadOptions.defaults(), 1)).hasMessageContaining("Known architectures");
    }

    @Test
    void bareFileWithoutArchitecture() throws IOException {
        Path f = Files.copy(bare(), tmp.resolve("lonely.safetensors"));
        assertThatThrownBy(() -> VisionModel.load(f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs an architecture name")
                .hasMessageContaining("vit_small_patch16_224");
    }

    @Test
    void truncatedModelFile() throws IOException {
        byte[] all = Files.readAllBytes(bare());
        Path f = Files.write(tmp.resolve("cut.safetensors"), Arrays.copyOf(all, all.length / 2));
        assertThatThrownBy(() -> VisionModel.load(f, tiny("vit_tiny_patch16_224")))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("cut.safetensors")
                .hasMessageContaining("truncated");
    }

    @Test
    void missingFiles() throws IOException {
        assertThatThrownBy(() -> VisionModel.load(tmp.resolve("nope")))
                .isInstanceOf(NoSuchFileException.class);
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        assertThatThrownBy(() -> VisionModel.load(empty)).hasMessageContaining("no model.safetensors");
        Files.writeString(empty.resolve("pytorch_model.bin"), "x");
        assertThatThrownBy(() -> VisionModel.load(empty)).hasMessageContaining("only model.safetensors is supported");
    }

    @Test
    void badConfigs() throws IOException {
        Path d = Files.createDirectory(tmp.resolve("cfg"));
        Files.copy(bare(), d.resolve("model.safetensors"));
        Files.writeString(d.resolve("config.json"), "{\"architecture\": ");
        assertThatThrownBy(() -> VisionModel.load(d)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("config.json: invalid JSON");
        Files.writeString(d.resolve("config.json"), "{\"model_type\": \"swin\"}");
        assertThatThrownBy(() -> VisionModel.load(d)).hasMessageContaining("model_type 'swin' is not supported");
        Files.writeString(d.resolve("config.json"), "{\"architecture\": \"vit_tiny_patch16_224\", \"model_args\": {\"reg_tokens\": 4}}");
        assertThatThrownBy(() -> VisionModel.load(d)).hasMessageContaining("model_args.reg_tokens > 0 is not supported");
        Files.writeString(d.resolve("config.json"), "{\"architecture\": \"vit_tiny_patch16_224\", \"model_args\": {\"frobnicate\": 1}}");
        assertThatThrownBy(() -> VisionModel.load(d)).hasMessageContaining("unknown or unsupported model_args key 'frobnicate'");
        Files.writeString(d.resolve("config.json"), "{\"architecture\": \"vit_tiny_patch16_224\", \"global_pool\": \"map\"}");
        assertThatThrownBy(() -> VisionModel.load(d)).hasMessageContaining("unsupported global_pool 'map'");
        Files.writeString(d.resolve("config.json"), "{\"architecture\": \"vit_nope\"}");
        assertThatThrownBy(() -> VisionModel.load(d)).hasMessageContaining("unknown architecture 'vit_nope'");
        Files.writeString(d.resolve("config.json"), "{\"hello\": 1}");
        assertThatThrownBy(() -> VisionModel.load(d)).hasMessageContaining("neither a timm config");
    }

    @Test
    void torchvisionRefusesOtherResolutions() {
        assertThatThrownBy(() -> VisionModel.load(Fixtures.dir("torchvision_vit").resolve("model.safetensors"),
                LoadOptions.arch("torchvision:vit_b_16").withPatchSize(8).withEmbedDim(16).withDepth(2).withNumHeads(2)
                        .withMlpRatio(2.0).withImageSize(48)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("encoder.pos_embedding")
                .hasMessageContaining("torchvision ViTs cannot run at another resolution");
    }

    @Test
    void invalidOverridesAndInputs() throws IOException {
        assertThatThrownBy(() -> VisionModel.load(bare(), tiny("vit_tiny_patch16_224").withNumHeads(3)))
                .hasMessageContaining("embed dim 16 is not divisible by heads 3");
        assertThatThrownBy(() -> VisionModel.load(bare(), tiny("vit_tiny_patch16_224").withImageSize(30)))
                .hasMessageContaining("image size 30 is not a multiple of patch size 8");
        VisionModel m = VisionModel.load(bare(), tiny("vit_tiny_patch16_224"));
        assertThatThrownBy(() -> m.forward(new float[100], 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("input has 100 floats, expected batch 1 x 3x32x32 = 3072");
        assertThatThrownBy(() -> m.forward(new float[3072], -1)).hasMessageContaining("batch must be >= 0");
        assertThatThrownBy(() -> m.classify(new float[3072], 0)).hasMessageContaining("k must be >= 1");
    }

    @Test
    void imagenetLabelsForThousandClassHeads() {
        VisionModel m = VisionModel.random(tiny("vit_tiny_patch16_224"), 1);
        assertThat(m.numClasses()).isEqualTo(1000);
        assertThat(m.labels()).hasSize(1000);
        assertThat(m.labels().get(0)).isEqualTo("tench");
        assertThat(m.labels().get(281)).isEqualTo("tabby");
        VisionModel ten = VisionModel.random(tiny("vit_tiny_patch16_224").withNumClasses(10), 1);
        assertThat(ten.labels()).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    }

    @Test
    void randomModelRunsAndReportsInfo() {
        VisionModel m = VisionModel.random(tiny("deit_tiny_distilled_patch16_224").withNumClasses(4), 7);
        float[] out = m.forward(new float[2 * 3 * 32 * 32], 2);
        assertThat(out).hasSize(8);
        for (float v : out) assertThat(v).isFinite();
        assertThat(m.info().toString()).contains("deit_tiny_distilled_patch16_224").contains("distilled");
        // tiny deit: patch 3*64*16+16, tokens 2*16, pos 18*16, blocks 2*(4*16 + 48*16+48 + 16*16+16 + 32*16+32 + 16*32+16),
        // norm 32, heads 2*(4*16+4)
        long expected = (3 * 64 * 16 + 16) + 32 + 18 * 16 + 2L * (64 + 48 * 16 + 48 + 16 * 16 + 16 + 32 * 16 + 32 + 16 * 32 + 16)
                + 32 + 2 * (4 * 16 + 4);
        assertThat(m.info().parameters()).isEqualTo(expected);
    }
}
