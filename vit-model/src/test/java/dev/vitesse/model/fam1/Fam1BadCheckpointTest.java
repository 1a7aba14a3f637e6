package dev.vitesse.model.fam1;

import dev.vitesse.model.io.TensorMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Corrupted checkpoints must fail with messages naming the file, tensor and shapes. */
class Fam1BadCheckpointTest {
    private static Map<String, TensorMap.Tensor> tensors(String fixture) throws IOException {
        TensorMap t = TensorMap.read(Fixture.path(fixture).resolve("model.safetensors"));
        Map<String, TensorMap.Tensor> m = new LinkedHashMap<>();
        for (String n : t.names()) m.put(n, new TensorMap.Tensor("F32", t.shapeOf(n), t.take(n, t.shapeOf(n))));
        return m;
    }

    private static Fam1Model build(String fixture, Consumer<Map<String, TensorMap.Tensor>> edit) throws IOException {
        Map<String, TensorMap.Tensor> m = tensors(fixture);
        edit.accept(m);
        Fam1Config cfg = Fam1Config.read(Fixture.path(fixture).resolve("config.json"));
        return Fam1Models.build(cfg, new TensorMap("test.safetensors", m));
    }

    @Test
    void missingTensorIsNamed() {
        assertThatThrownBy(() -> build("swin/timm_112", m -> m.remove("layers.1.blocks.1.attn.relative_position_bias_table")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("test.safetensors").hasMessageContaining("missing tensor 'layers.1.blocks.1.attn.relative_position_bias_table'")
                .hasMessageContaining("expected shape [169, 2]");
    }

    @Test
    void wrongShapeIsNamed() {
        assertThatThrownBy(() -> build("pvt_v2/timm_b0", m -> m.put("stages.1.blocks.0.attn.kv.weight",
                new TensorMap.Tensor("F32", new int[] {16, 32}, new float[16 * 32]))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tensor 'stages.1.blocks.0.attn.kv.weight' has shape [16, 32], expected [32, 16]");
    }

    @Test
    void unexpectedTensorsAreListed() {
        assertThatThrownBy(() -> build("mixer/s_48", m -> m.put("blocks.9.norm1.weight", new TensorMap.Tensor("F32", new int[] {24}, new float[24]))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unexpected tensor(s) for architecture mixer_s16_224").hasMessageContaining("blocks.9.norm1.weight");
    }

    @Test
    void wrongVariantForTheWeights() {
        // PVT v1 weights declared as PVT v2 (original names remapped): the 4x4 stem is not v2's 7x7
        assertThatThrownBy(() -> {
            Map<String, TensorMap.Tensor> m = tensors("pvt_v1/tiny_64");
            Fam1Config cfg = Fam1Config.read(Fixture.path("pvt_v1/tiny_64").resolve("config.json")).withArchitecture("pvt_v2_b0");
            Fam1Models.build(cfg, new TensorMap("v1.safetensors", m));
        }).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tensor 'patch_embed.proj.weight' has shape [8, 3, 4, 4], expected [8, 3, 7, 7]");
    }

    @Test
    void unknownArchitectureListsKnownOnes() {
        assertThatThrownBy(() -> Fam1Models.build(Fam1Config.of("swin_huge_patch4"), new TensorMap("x", Map.of())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown architecture 'swin_huge_patch4'")
                .hasMessageContaining("pvt_v2_b2_li");
    }

    @Test
    void truncatedFileIsRejected(@TempDir Path dir) throws IOException {
        byte[] all = Files.readAllBytes(Fixture.path("mixer/s_48").resolve("model.safetensors"));
        Path bad = dir.resolve("model.safetensors");
        Files.write(bad, java.util.Arrays.copyOf(all, all.length - 100));
        Files.copy(Fixture.path("mixer/s_48").resolve("config.json"), dir.resolve("config.json"));
        assertThatThrownBy(() -> Fam1Models.load(dir, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("stem.proj.weight").hasMessageContaining("exceed the data section").hasMessageContaining("truncated");
        Files.write(bad, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> Fam1Models.load(dir, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid safetensors file").hasMessageContaining("3 bytes");
    }

    @Test
    void swinTableForAnotherWindowIsAClearErrorAtForward() throws IOException {
        Fixture f = new Fixture("swin/timm_112");
        Fam1Model m = Fam1Models.load(f.dir, null);
        // at 64x64 the last stage is 2x2: timm would use a 2x2 window, but the table is for 3x3
        assertThatThrownBy(() -> m.logits(new float[3 * 64 * 64], 1, 64, 64, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("relative-position table is for window");
    }

    @Test
    void transposedRelativePositionTableIsCaughtByTheBlockComparison() throws IOException {
        // swap dy and dx in every table: logits move little, but the block outputs must expose it
        Fixture f = new Fixture("swin/timm_64_pad");
        Fam1Model m = build("swin/timm_64_pad", t -> {
            for (Map.Entry<String, TensorMap.Tensor> e : t.entrySet()) {
                if (!e.getKey().endsWith("relative_position_bias_table")) continue;
                int rows = e.getValue().shape()[0], heads = e.getValue().shape()[1], side = (int) Math.round(Math.sqrt(rows));
                float[] src = e.getValue().data(), dst = new float[src.length];
                for (int a = 0; a < side; a++) for (int b = 0; b < side; b++)
                    System.arraycopy(src, (a * side + b) * heads, dst, (b * side + a) * heads, heads);
                e.setValue(new TensorMap.Tensor("F32", e.getValue().shape(), dst));
            }
        });
        float[][] lo = new float[1][];
        Map<String, float[]> got = f.run(m, lo);
        String first = "layers.0.blocks.0";
        float[] want = f.intermediates.take(first, f.intermediates.shapeOf(first));
        assertThat(Fixture.relErr(got.get(first), want)).isGreaterThan(1e-2);
    }
}
