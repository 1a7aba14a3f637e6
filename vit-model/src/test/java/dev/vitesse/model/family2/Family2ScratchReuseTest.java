package dev.vitesse.model.family2;

import dev.vitesse.model.io.TensorMap;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * AlterNet, Refiner-ViT and the feed-forward-only ViT take their block buffers from the thread's kept Scratch: after a pass on other values
 * (and passes of the other fixtures, with other sizes, on the same thread) the fixtures must still match PyTorch.
 */
class Family2ScratchReuseTest {
    @Test
    void passesAfterOtherInputsStillMatchPyTorch() throws Exception {
        for (int round = 0; round < 2; round++) {
            for (String name : new String[] {"alternet/bottleneck_w3", "alternet/basic_w7", "refiner/small", "ffvit/tiny",
                    "ffvit/large_resized_pos"}) {
                Path dir = Family2FixtureTest.fixture(name);
                Family2Model model = Family2Models.load(dir);
                TensorMap exp = TensorMap.read(dir.resolve("expected.safetensors"));
                int s = model.inputSize();
                float[] input = exp.take("input", 1, 3, s, s);
                float[] ref = exp.take("logits", 1, model.numClasses());
                float[] noise = new float[input.length];
                Random r = new Random(round);
                for (int i = 0; i < noise.length; i++) noise[i] = (float) (5 * r.nextGaussian());
                model.forward(noise, null);                  // leaves other values in this thread's buffers
                float[] logits = model.forward(input, null);
                double max = 0, ref0 = 0;
                for (int i = 0; i < ref.length; i++) {
                    max = Math.max(max, Math.abs(logits[i] - ref[i]));
                    ref0 = Math.max(ref0, Math.abs(ref[i]));
                }
                assertThat(max).as(name + " round " + round).isLessThanOrEqualTo(Family2FixtureTest.TOL * ref0);
            }
        }
    }
}
