package dev.vitesse.model;

import dev.vitesse.kernels.WeightFormat;
import dev.vitesse.model.io.Npy;
import dev.vitesse.model.io.SafeTensors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code --weights bf16} on the committed PyTorch reference fixtures of every family: the logits with bf16 weights
 * stay within {@link #BOUND} (relative to the largest |logit|) of both the fp32 run and PyTorch, and top-1 is
 * unchanged wherever the fp32 top-1/top-2 margin exceeds twice the measured logit change (then it cannot flip).
 * A checkpoint already stored as BF16 (timm_deit3) must give bit-identical logits with bf16 storage. The measured
 * figures are printed (docs/weights-bf16.md quotes them).
 *
 * <p>Bound: rounding a weight to bf16 changes it by at most u = 2^-8 of itself, so one layer's output changes by at
 * most u * sum|w x| (usually much less: the errors have random signs). The fixtures are tiny models with
 * deliberately large weights (peaky attention) and 4-12 GEMM layers on the path to the logits; the errors add
 * roughly layer by layer and the softmax/LayerNorm amplify them by small factors. 0.05 = about 13 u allows that
 * with headroom, while a wrong bf16 path (wrong panel, lost bits, f16 instead of bf16) gives O(1) errors.
 */
class WeightsBf16Test {
    static final double BOUND = 0.05;
    private static final Map<String, String> REPORT = new TreeMap<>();

    @ParameterizedTest
    @ValueSource(strings = {"vit/timm_plain", "vit/timm_deit_distilled", "vit/timm_deit3", "vit/hf_vit",
            "swin/timm_112", "swin/torchvision_64", "pvt_v1/tiny_64", "pvt_v2/timm_b0", "pvt_v2/timm_b2_li", "mixer/s_48",
            "ffvit/tiny", "refiner/small", "alternet/basic_w7", "alternet/bottleneck_w3"})
    void bf16LogitsStayCloseToFp32AndPyTorch(String fixture) throws IOException {
        Path dir = dir(fixture);
        float[][] io = inputAndLogits(dir);
        float[] x = io[0], ref = io[1];
        VisionModel f32 = VisionModel.load(dir, LoadOptions.defaults());
        VisionModel bf16 = VisionModel.load(dir, LoadOptions.defaults().withWeights(WeightFormat.BF16));
        assertThat(f32.weightFormat()).isEqualTo(WeightFormat.FP32);
        assertThat(bf16.weightFormat()).isEqualTo(WeightFormat.BF16);
        int classes = f32.numClasses(), batch = ref.length / classes;
        float[] a = f32.forward(x, batch), b = bf16.forward(x, batch);

        double scale = maxAbs(ref), diffFp32 = maxAbsDiff(b, a), diffTorch = maxAbsDiff(b, ref);
        double fp32VsTorch = maxAbsDiff(a, ref);
        int flips = 0, checked = 0;
        double minMargin = Double.POSITIVE_INFINITY;
        for (int r = 0; r < batch; r++) {
            int top = argmax(a, r * classes, classes);
            double margin = margin(a, r * classes, classes, top);
            minMargin = Math.min(minMargin, margin);
            if (margin > 2 * diffFp32) { // the change cannot reorder top-1 and top-2: it must be unchanged
                checked++;
                assertThat(argmax(b, r * classes, classes)).as("%s row %d top-1", fixture, r).isEqualTo(top);
            } else if (argmax(b, r * classes, classes) != top) {
                flips++;
            }
        }
        String line = String.format(Locale.ROOT,
                "max|logit| %.3g  bf16-fp32 max|diff| %.3g (rel %.2e)  bf16-torch rel %.2e  fp32-torch rel %.2e  "
                        + "top-1 checked %d/%d (min margin %.3g), flips %d", scale, diffFp32, diffFp32 / scale,
                diffTorch / scale, fp32VsTorch / scale, checked, batch, minMargin, flips);
        REPORT.put(fixture, line);
        assertThat(diffFp32 / scale).as(fixture + " bf16 vs fp32 relative logit change").isLessThan(BOUND);
        assertThat(diffTorch / scale).as(fixture + " bf16 vs PyTorch relative logit error").isLessThan(BOUND);
        if (storedAsBf16(dir)) {
            // bf16 checkpoint (timm_deit3): bf16 storage keeps the weights exactly, so the logits are bit-identical
            assertThat(b).as(fixture + ": bf16 checkpoint, bf16 storage").containsExactly(a);
        } else {
            // bf16 really changed something (a path silently keeping fp32 would give exactly the fp32 logits)
            assertThat(diffFp32).as(fixture + ": bf16 logits identical to fp32").isGreaterThan(0);
        }
    }

    @Test
    void weightBytesAreReportedAndRoughlyHalved() throws IOException {
        Path dir = dir("vit/timm_plain");
        VisionModel f32 = VisionModel.load(dir), bf16 = VisionModel.load(dir, LoadOptions.defaults().withWeights(WeightFormat.BF16));
        long params = f32.info().parameters();
        // fp32: every parameter 4 bytes plus zero padding of the last 16-column panels (GEMM outputs 48, 16, 32, 10)
        assertThat(f32.weightBytes()).isGreaterThanOrEqualTo(4 * params);
        assertThat(bf16.weightBytes()).isLessThan(f32.weightBytes());
        // weights of the GEMMs halve; biases, norms, embeddings stay fp32
        assertThat(bf16.weightBytes()).isGreaterThan(2 * params);
    }

    @Test
    void randomModelsHonourTheOption() {
        VisionModel vit = VisionModel.random(LoadOptions.arch("vit_tiny_patch16_224").withWeights(WeightFormat.BF16), 1);
        assertThat(vit.weightFormat()).isEqualTo(WeightFormat.BF16);
        VisionModel ref = VisionModel.random(LoadOptions.arch("vit_tiny_patch16_224"), 1);
        // ViT-Ti: 5.7M parameters, nearly all in GEMM weights
        assertThat((double) vit.weightBytes() / ref.weightBytes()).isBetween(0.5, 0.52);
        VisionModel swin = VisionModel.random(LoadOptions.arch("swin_tiny_patch4_window7_224").withWeights(WeightFormat.BF16), 1);
        assertThat(swin.weightFormat()).isEqualTo(WeightFormat.BF16);
    }

    @Test
    void nullFormatIsRejected() {
        assertThatThrownBy(() -> LoadOptions.defaults().withWeights(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("weights");
        assertThat(LoadOptions.defaults().withWeights(WeightFormat.BF16).withArch("x").weights()).isEqualTo(WeightFormat.BF16);
        assertThat(LoadOptions.defaults().withWeights(WeightFormat.BF16).toString()).contains("weights=bf16");
    }

    @AfterAll
    static void printReport() {
        REPORT.forEach((k, v) -> System.out.printf(Locale.ROOT, "bf16 %-24s %s%n", k, v));
    }

    // ------------------------------------------------------------------ fixture access

    static Path dir(String fixture) {
        try {
            return Path.of(WeightsBf16Test.class.getResource("/fixtures/" + fixture).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("fixture " + fixture + " missing", e);
        }
    }

    /** {input, logits}: expected.safetensors (ViT, family 2) or input.npy / logits.npy (Swin, PVT, Mixer). */
    static float[][] inputAndLogits(Path dir) throws IOException {
        if (Files.exists(dir.resolve("expected.safetensors"))) {
            try (SafeTensors st = SafeTensors.open(dir.resolve("expected.safetensors"))) {
                return new float[][] {st.floats("input"), st.floats("logits")};
            }
        }
        return new float[][] {Npy.read(dir.resolve("input.npy")).data(), Npy.read(dir.resolve("logits.npy")).data()};
    }

    /** True if every float tensor of the checkpoint is stored as BF16. */
    static boolean storedAsBf16(Path dir) throws IOException {
        try (SafeTensors st = SafeTensors.open(dir.resolve("model.safetensors"))) {
            return st.names().stream().allMatch(n -> st.info(n).dtype() == dev.vitesse.model.io.DType.BF16);
        }
    }

    static double maxAbs(float[] v) {
        double m = 0;
        for (float f : v) m = Math.max(m, Math.abs(f));
        return m;
    }

    static double maxAbsDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - b[i]);
            if (Double.isNaN(d)) return Double.POSITIVE_INFINITY;
            m = Math.max(m, d);
        }
        return m;
    }

    static int argmax(float[] v, int off, int n) {
        int best = 0;
        for (int c = 1; c < n; c++) if (v[off + c] > v[off + best]) best = c;
        return best;
    }

    static double margin(float[] v, int off, int n, int top) {
        double second = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < n; c++) if (c != top) second = Math.max(second, v[off + c]);
        return v[off + top] - second;
    }
}
