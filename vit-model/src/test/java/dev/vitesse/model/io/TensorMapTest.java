package dev.vitesse.model.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TensorMapTest {
    private static TensorMap sample() {
        Map<String, TensorMap.Tensor> m = new LinkedHashMap<>();
        m.put("fc.weight", new TensorMap.Tensor(new int[] {2, 3}, new float[6]));
        m.put("bn.running_var", new TensorMap.Tensor(new int[] {2}, new float[2]));
        m.put("bn.num_batches_tracked", new TensorMap.Tensor("I64", new int[] {}, null));
        return new TensorMap("f.safetensors", m);
    }

    @Test
    void errorsNameSourceTensorAndShapes() {
        TensorMap t = sample();
        assertThatThrownBy(() -> t.take("fc.bias", 2)).hasMessageContaining("f.safetensors")
                .hasMessageContaining("missing tensor 'fc.bias' (expected shape [2])");
        assertThatThrownBy(() -> t.take("fc.weight", 3, 2))
                .hasMessageContaining("tensor 'fc.weight' has shape [2, 3], expected [3, 2]");
        assertThatThrownBy(() -> t.take("bn.num_batches_tracked")).hasMessageContaining("dtype I64");
        t.take("fc.weight", 2, 3);
        assertThatThrownBy(() -> t.requireAllUsed("arch")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 unexpected tensor(s) for architecture arch")
                .hasMessageContaining("bn.running_var").hasMessageContaining("bn.num_batches_tracked");
        t.ignore("bn.running_var");
        t.ignoreSuffix("num_batches_tracked");
        t.requireAllUsed("arch");
        assertThat(t.parameterCount()).isEqualTo(6); // BatchNorm buffers are not parameters
    }

    @Test
    void renamedMapRejectsCollisions() {
        assertThat(sample().renamed(n -> "m." + n).has("m.fc.weight")).isTrue();
        assertThatThrownBy(() -> sample().renamed(n -> "x")).hasMessageContaining("same name 'x'");
    }

    @Test
    void randomMapIsDeterministicAndRemembersTensors() {
        TensorMap a = TensorMap.random(7), b = TensorMap.random(7);
        float[] w = a.take("blocks.0.fc1.weight", 4, 5);
        assertThat(w).containsExactly(b.take("blocks.0.fc1.weight", 4, 5));
        assertThat(a.take("blocks.0.fc1.weight", 4, 5)).isSameAs(w);
        assertThatThrownBy(() -> a.take("blocks.0.fc1.weight", 5, 4)).hasMessageContaining("expected [5, 4]");
        assertThat(a.take("norm.weight", 3)).containsOnly(1f);
        assertThat(a.take("stem.bn1.weight", 3)).containsOnly(1f);
        assertThat(a.take("stem.bn1.running_var", 3)).containsOnly(1f);
        assertThat(a.take("head.bias", 3)).containsOnly(0f);
        double sq = 0;
        for (float v : w) sq += v * v;
        assertThat(Math.sqrt(sq / w.length)).isBetween(0.005, 0.05);
        assertThat(a.parameterCount()).isEqualTo(20 + 3 + 3 + 3);
        a.requireAllUsed("any");
    }

    @Test
    void fileMapReadsTensorsWhenTakenThroughRenamedViewsUntilClosed(@TempDir Path dir) throws Exception {
        Path f = new SafeTensorsWriter()
                .f32("fc.weight", new float[] {1, 2, 3, 4, 5, 6}, 2, 3)
                .raw("fc.bias", "BF16", new byte[] {(byte) 0x80, 0x3f, 0x00, (byte) 0xc0}, 2)   // 1.0, -2.0
                .raw("bn.num_batches_tracked", "I64", new byte[8])
                .write(dir.resolve("m.safetensors"));
        TensorMap file = TensorMap.read(f);
        TensorMap view = file.renamed(n -> "model." + n);
        assertThat(view.take("model.fc.weight", 2, 3)).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(view.take("model.fc.bias", 2)).containsExactly(1f, -2f);
        assertThat(file.take("fc.weight", 2, 3)).containsExactly(1, 2, 3, 4, 5, 6);
        assertThatThrownBy(() -> view.take("model.bn.num_batches_tracked")).hasMessageContaining("dtype I64");
        assertThat(file.parameterCount()).isEqualTo(8);   // shapes only: nothing converted for the count
        file.close();
        assertThatThrownBy(() -> view.take("model.fc.weight", 2, 3)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("'model.fc.weight' taken after the tensor map was closed");
    }
}
