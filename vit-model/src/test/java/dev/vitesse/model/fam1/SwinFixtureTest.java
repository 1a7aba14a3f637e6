package dev.vitesse.model.fam1;

import dev.vitesse.model.io.TensorMap;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

class SwinFixtureTest {
    @Test
    void timmAtMultipleOfWindowWithClampedLastStages() throws IOException {
        Fixture f = new Fixture("swin/timm_112");
        Fam1Model m = Fam1Models.load(f.dir, null);
        assertThat(m.architecture()).isEqualTo("swin_tiny_patch4_window7_224");
        f.check(m, 1e-4);
    }

    @Test
    void timmWithPaddedWindows() throws IOException {
        Fixture f = new Fixture("swin/timm_64_pad");
        f.check(Fam1Models.load(f.dir, null), 1e-4);
    }

    @Test
    void oldTimmAndMicrosoftLayoutIsRemapped() throws IOException {
        // pre-0.9 timm / Microsoft checkpoints: layers.{i}.downsample ends stage i, head.weight, plus buffers
        Fixture f = new Fixture("swin/timm_64_pad");
        TensorMap t = TensorMap.read(f.dir.resolve("model.safetensors"));
        java.util.Map<String, TensorMap.Tensor> old = new java.util.LinkedHashMap<>();
        for (String n : t.names()) {
            String o = n;
            var m = java.util.regex.Pattern.compile("^layers\\.(\\d+)\\.downsample\\.").matcher(n);
            if (m.find()) o = "layers." + (Integer.parseInt(m.group(1)) - 1) + ".downsample." + n.substring(m.end());
            if (n.startsWith("head.fc.")) o = "head." + n.substring(8);
            old.put(o, new TensorMap.Tensor("F32", t.shapeOf(n), t.take(n, t.shapeOf(n))));
        }
        old.put("layers.0.blocks.1.attn_mask", new TensorMap.Tensor("F32", new int[] {9, 49, 49}, new float[9 * 49 * 49]));
        old.put("layers.0.blocks.0.attn.relative_position_index", new TensorMap.Tensor("I64", new int[] {49, 49}, null));
        Fam1Model m = Fam1Models.build(Fam1Config.read(f.dir.resolve("config.json")), new TensorMap("old.safetensors", old));
        assertThat(Fixture.relErr(m.logits(f.input.data(), f.batch(), f.height(), f.width(), null), f.logits.data()))
                .isLessThanOrEqualTo(1e-4);
    }

    @Test
    void torchvisionPadsThenRollsAndNeverClamps() throws IOException {
        Fixture f = new Fixture("swin/torchvision_64");
        f.check(Fam1Models.load(f.dir, null), 1e-4);
    }

    @Test
    void torchvisionNonSquareInputPadsAndDropsTheShiftPerAxis() throws IOException {
        Fixture f = new Fixture("swin/torchvision_64", "swin/torchvision_64_at_72x40");
        f.check(Fam1Models.load(f.dir, null), 1e-4);
    }
}
