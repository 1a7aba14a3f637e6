package dev.vitesse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vitesse.model.VisionModel;
import dev.vitesse.model.io.Npy;
import dev.vitesse.model.preprocess.ImageTransform;
import dev.vitesse.model.preprocess.RgbImage;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * The built-in model on the whole digits test split (450 images), through the same image pipeline as training
 * (8x8 grey -> RGB -> PIL bilinear resize to 32 -> normalise): predictions must equal PyTorch's image by image,
 * logits must agree closely, and so must the accuracy (fixtures: scripts/train_digits.py).
 */
class DigitsAccuracyTest {

    static Npy.Array fixture(String name) throws IOException {
        try (InputStream in = DigitsAccuracyTest.class.getResourceAsStream("/digits/" + name)) {
            assertThat(in).as(name).isNotNull();
            return Npy.read(in, name);
        }
    }

    @Test
    void predictionsEqualPyTorchImageByImage() throws IOException {
        Npy.Array u8 = fixture("test_u8.npy");
        Npy.Array labels = fixture("test_labels.npy");
        Npy.Array torchLogits = fixture("torch_logits.npy");
        int n = u8.dim(0);
        assertThat(u8.shape()).containsExactly(n, 8, 8);
        JsonNode eval = new ObjectMapper().readTree(BuiltinModel.folder().resolve("pytorch_eval.json").toFile());
        assertThat(eval.get("test_size").asInt()).isEqualTo(n);

        VisionModel model = VisionModel.load(BuiltinModel.folder());
        float[] x = preprocess(u8, model);
        float[] logits = model.forward(x, n);
        assertThat(logits).hasSize(n * 10);

        int correct = 0;
        double worstRel = 0;
        for (int i = 0; i < n; i++) {
            int ours = argmax(logits, i * 10), theirs = argmax(torchLogits.data(), i * 10);
            assertThat(ours).as("test image %d", i).isEqualTo(theirs).isEqualTo(eval.get("predictions").get(i).asInt());
            if (ours == (int) labels.data()[i]) correct++;
            double scale = 0;
            for (int c = 0; c < 10; c++) scale = Math.max(scale, Math.abs(torchLogits.data()[i * 10 + c]));
            for (int c = 0; c < 10; c++) {
                worstRel = Math.max(worstRel, Math.abs(logits[i * 10 + c] - torchLogits.data()[i * 10 + c]) / Math.max(scale, 1e-6));
            }
        }
        System.out.printf(java.util.Locale.ROOT, "digits test split: Vitesse %d/%d correct (%.2f%%), PyTorch %d/%d; worst relative logit error %.2e%n",
                correct, n, 100.0 * correct / n, eval.get("correct").asInt(), n, worstRel);
        assertThat(correct).isEqualTo(eval.get("correct").asInt());
        assertThat((double) correct / n).isEqualTo(eval.get("accuracy").asDouble(), org.assertj.core.data.Offset.offset(1e-12));
        // logits relative to each image's largest |logit|: float32 vs float32, different summation orders
        assertThat(worstRel).isLessThan(1e-4);
    }

    /**
     * bf16 weights on the same 450 images: measured, the logits move by at most a few 1e-3 of the largest |logit|
     * and the accuracy does not change. Asserted: relative change below 0.05 (see WeightsBf16Test for the bound),
     * unchanged predictions wherever the fp32 top-1/top-2 margin exceeds twice the largest logit change (they
     * cannot flip there), and accuracy within one image of fp32.
     */
    @Test
    void bf16WeightsKeepTheAccuracy() throws IOException {
        Npy.Array u8 = fixture("test_u8.npy");
        Npy.Array labels = fixture("test_labels.npy");
        int n = u8.dim(0);
        VisionModel f32 = VisionModel.load(BuiltinModel.folder());
        VisionModel bf16 = VisionModel.load(BuiltinModel.folder(),
                dev.vitesse.model.LoadOptions.defaults().withWeights(dev.vitesse.kernels.WeightFormat.BF16));
        float[] x = preprocess(u8, f32);
        float[] a = f32.forward(x, n), b = bf16.forward(x, n);
        double maxDiff = 0, scale = 0;
        for (int i = 0; i < a.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(a[i]));
        }
        int correctF32 = 0, correctBf16 = 0, changed = 0;
        for (int i = 0; i < n; i++) {
            int pa = argmax(a, i * 10), pb = argmax(b, i * 10);
            if (pa == (int) labels.data()[i]) correctF32++;
            if (pb == (int) labels.data()[i]) correctBf16++;
            if (pa != pb) changed++;
            double second = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < 10; c++) if (c != pa) second = Math.max(second, a[i * 10 + c]);
            if (a[i * 10 + pa] - second > 2 * maxDiff) assertThat(pb).as("test image %d", i).isEqualTo(pa);
        }
        System.out.printf(java.util.Locale.ROOT, "digits test split, bf16 weights: %d/%d correct (%.2f%%), fp32 %d/%d; "
                        + "max |logit change| %.3g (%.2e of max |logit| %.3g); %d predictions changed; weights %d -> %d bytes%n",
                correctBf16, n, 100.0 * correctBf16 / n, correctF32, n, maxDiff, maxDiff / scale, scale, changed,
                f32.weightBytes(), bf16.weightBytes());
        assertThat(maxDiff / scale).isLessThan(0.05);
        assertThat(Math.abs(correctBf16 - correctF32)).isLessThanOrEqualTo(1);
        assertThat(maxDiff).as("bf16 changed the logits").isGreaterThan(0);
    }

    private static int argmax(float[] v, int off) {
        int best = 0;
        for (int c = 1; c < 10; c++) if (v[off + c] > v[off + best]) best = c;
        return best;
    }

    /** The 8x8 grey test images through the training pipeline: grey -> RGB -> the model's own transform, NCHW. */
    private static float[] preprocess(Npy.Array u8, VisionModel model) {
        int n = u8.dim(0);
        ImageTransform tf = ImageTransform.of(model.preprocessing());
        int per = 3 * tf.cropHeight() * tf.cropWidth();
        float[] x = new float[n * per];
        for (int i = 0; i < n; i++) {
            byte[] rgb = new byte[8 * 8 * 3];
            for (int p = 0; p < 64; p++) {
                byte v = (byte) Math.round(u8.data()[i * 64 + p]);
                rgb[p * 3] = v;
                rgb[p * 3 + 1] = v;
                rgb[p * 3 + 2] = v;
            }
            System.arraycopy(tf.apply(new RgbImage(8, 8, rgb)), 0, x, i * per, per);
        }
        return x;
    }
}
