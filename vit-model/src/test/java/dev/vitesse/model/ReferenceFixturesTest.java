package dev.vitesse.model;

import dev.vitesse.kernels.Activation;
import dev.vitesse.model.config.CheckpointLayout;
import dev.vitesse.model.config.Pooling;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.Map;

import static dev.vitesse.model.Fixtures.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * End-to-end checks against PyTorch: logits, pre-logits features and attention maps of tiny models in every
 * supported checkpoint dialect (fixtures from scripts/reference/gen_vit_fixtures.py).
 */
class ReferenceFixturesTest {
    /** The bound for logits; float32 with different summation order stays ~1e-6 here. */
    static final double TOL = 1e-4;
    static final int BATCH = 2;

    /** Overrides that turn vit_tiny_patch16_224 / vit_b_16 into the fixtures' tiny shape. */
    static LoadOptions tiny(String arch) {
        return LoadOptions.arch(arch).withImageSize(32).withPatchSize(8).withEmbedDim(16).withDepth(2).withNumHeads(2)
                .withMlpRatio(2.0);
    }

    static void checkAll(VisionModel m, String testCase, boolean attn) {
        Map<String, float[]> exp = Fixtures.expected(testCase);
        float[] x = exp.get("input");
        assertThat(m.info().parameters()).as("parameter count").isEqualTo(Fixtures.numParams(testCase));
        assertClose(testCase + " logits", m.forward(x, BATCH), exp.get("logits"), TOL);
        assertClose(testCase + " features", m.embed(x, BATCH), exp.get("features"), TOL);
        if (attn) {
            AttentionMaps maps = m.attentionMaps(x, BATCH);
            assertThat(maps.layers()).isEqualTo(2);
            for (int i = 0; i < maps.layers(); i++) {
                assertClose(testCase + " attention layer " + i, maps.probs()[i], exp.get("attn_" + i), TOL);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"timm_plain", "timm_deit_distilled", "timm_deit3", "timm_avg", "timm_gap", "timm_max", "timm_avgmax",
            "timm_reg", "timm_reg_gap", "timm_map", "timm_map_gelu_tanh", "timm_clip_quickgelu", "timm_clip_pre_norm",
            "open_clip_quickgelu", "hf_clip_quickgelu", "hf_siglip",
            "timm_no_qkv_bias", "hf_vit", "hf_deit_single_head", "hf_vit_base_model",
            "hf_deit_teacher"})
    void matchesPyTorch(String testCase) throws IOException {
        VisionModel m = VisionModel.load(Fixtures.dir(testCase));
        checkAll(m, testCase, true);
    }

    @Test
    void timmFolderConfigIsHonoured() throws IOException {
        VisionModel m = VisionModel.load(Fixtures.dir("timm_plain"));
        assertThat(m.config().layout()).isEqualTo(CheckpointLayout.TIMM);
        assertThat(m.config().embedDim()).isEqualTo(16);
        assertThat(m.config().mlpHidden()).isEqualTo(32);
        assertThat(m.numClasses()).isEqualTo(10);
        assertThat(m.labels()).startsWith("class_0", "class_1");
        assertThat(m.preprocessing().interpolation()).isEqualTo("bilinear");
        assertThat(m.preprocessing().cropPct()).isEqualTo(0.875);
        assertThat(m.preprocessing().mean()).containsExactly(0.1f, 0.2f, 0.3f);
        assertThat(m.preprocessing().inputSize()).isEqualTo(32);
        VisionModel avg = VisionModel.load(Fixtures.dir("timm_avg"));
        assertThat(avg.config().pooling()).isEqualTo(Pooling.AVG);
        assertThat(avg.config().fcNorm()).isTrue();
        VisionModel d3 = VisionModel.load(Fixtures.dir("timm_deit3"));
        assertThat(d3.config().layerScale()).isTrue();
        assertThat(d3.config().noEmbedClass()).isTrue();
        assertThat(d3.config().architecture()).isEqualTo("deit3_small_patch16_224");
    }

    @Test
    void hfConfigIsHonoured() throws IOException {
        VisionModel m = VisionModel.load(Fixtures.dir("hf_vit"));
        assertThat(m.config().layout()).isEqualTo(CheckpointLayout.HF);
        assertThat(m.config().eps()).isEqualTo(1e-12f);
        assertThat(m.labels()).containsExactly("hf_label_0", "hf_label_1", "hf_label_2", "hf_label_3", "hf_label_4");
        assertThat(m.preprocessing().squash()).isTrue();
        assertThat(m.preprocessing().interpolation()).isEqualTo("bilinear");
        float[] x = Fixtures.expected("hf_vit").get("input");
        float[] first = java.util.Arrays.copyOf(x, x.length / BATCH);
        java.util.List<Prediction> top = m.classify(first, 3);
        assertThat(top).hasSize(3);
        float[] logits = Fixtures.expected("hf_vit").get("logits");
        int best = 0;
        for (int i = 1; i < 5; i++) if (logits[i] > logits[best]) best = i;
        assertThat(top.get(0).index()).isEqualTo(best);
        assertThat(top.get(0).label()).isEqualTo("hf_label_" + best);
        assertThat(top.get(0).probability()).isGreaterThanOrEqualTo(top.get(1).probability());
    }

    @Test
    void globalAveragePoolingWithoutClassToken() throws IOException {
        VisionModel m = VisionModel.load(Fixtures.dir("timm_gap"));
        assertThat(m.config().classToken()).isFalse();
        assertThat(m.config().numPrefixTokens()).isZero();
        assertThat(m.config().fcNorm()).isFalse();   // model_args fc_norm=false: final norm on all tokens, then mean
        assertThat(m.config().pooling()).isEqualTo(Pooling.AVG);
    }

    @Test
    void maxAndAvgMaxPoolingFollowTimm() throws IOException {
        VisionModel max = VisionModel.load(Fixtures.dir("timm_max"));
        assertThat(max.config().pooling()).isEqualTo(Pooling.MAX);
        assertThat(max.config().fcNorm()).isTrue();        // timm: use_fc_norm for avg, avgmax and max
        assertThat(max.config().classToken()).isTrue();    // the class token is left out of the reduction
        VisionModel avgmax = VisionModel.load(Fixtures.dir("timm_avgmax"));
        assertThat(avgmax.config().pooling()).isEqualTo(Pooling.AVGMAX);
        assertThat(avgmax.config().fcNorm()).isFalse();    // model_args fc_norm=false: final norm on all tokens
        assertThat(avgmax.config().numPrefixTokens()).isZero();
        VisionModel map = VisionModel.load(Fixtures.dir("timm_map"));
        assertThat(map.config().pooling()).isEqualTo(Pooling.MAP);
        assertThat(map.config().fcNorm()).isFalse();        // timm: the final norm on every token, then attn_pool
        assertThat(map.config().act()).isEqualTo(Activation.GELU);
        assertThat(VisionModel.load(Fixtures.dir("timm_map_gelu_tanh")).config().act())
                .isEqualTo(Activation.GELU_TANH); // act_layer
    }

    @Test
    void registerTokensArePrefixTokens() throws IOException {
        VisionModel reg = VisionModel.load(Fixtures.dir("timm_reg"));   // cls + 2 registers, pos_embed on patches only
        assertThat(reg.config().regTokens()).isEqualTo(2);
        assertThat(reg.config().numPrefixTokens()).isEqualTo(3);
        assertThat(reg.config().posEmbedLength()).isEqualTo(reg.config().numPatches());
        VisionModel gap = VisionModel.load(Fixtures.dir("timm_reg_gap")); // 3 registers, no cls, pos_embed on all rows
        assertThat(gap.config().numPrefixTokens()).isEqualTo(3);
        assertThat(gap.config().posEmbedLength()).isEqualTo(gap.config().numPatches() + 3);
        assertThat(gap.config().pooling()).isEqualTo(Pooling.AVG);
    }

    @Test
    void hfPreprocessorConfigIsRead(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws IOException {
        java.nio.file.Path src = Fixtures.dir("hf_deit_teacher");
        for (String f : new String[] {"config.json", "model.safetensors"}) java.nio.file.Files.copy(src.resolve(f), tmp.resolve(f));
        // DeiTImageProcessor style: squash to 36x36 bicubic, center crop 32, custom mean/std
        java.nio.file.Files.writeString(tmp.resolve("preprocessor_config.json"), """
                {"do_resize": true, "size": {"height": 36, "width": 36}, "resample": 3, "do_center_crop": true,
                 "crop_size": {"height": 32, "width": 32}, "do_normalize": true,
                 "image_mean": [0.4, 0.5, 0.6], "image_std": [0.2, 0.3, 0.4]}""");
        VisionModel m = VisionModel.load(tmp);
        assertThat(m.preprocessing().inputSize()).isEqualTo(32);
        assertThat(m.preprocessing().scaleSize()).isEqualTo(36);
        assertThat(m.preprocessing().squash()).isTrue();
        assertThat(m.preprocessing().interpolation()).isEqualTo("bicubic");
        assertThat(m.preprocessing().std()).containsExactly(0.2f, 0.3f, 0.4f);
        // without the file: DeiT processor defaults (ImageNet mean/std, 256 -> 224 ratio, bicubic)
        VisionModel d = VisionModel.load(src);
        assertThat(d.preprocessing().mean()).containsExactly(0.485f, 0.456f, 0.406f);
        assertThat(d.preprocessing().cropPct()).isEqualTo(224.0 / 256.0);
        assertThat(d.config().headDist()).isTrue();
    }

    @Test
    void hfVariants() throws IOException {
        VisionModel single = VisionModel.load(Fixtures.dir("hf_deit_single_head"));
        assertThat(single.config().distToken()).isTrue();
        assertThat(single.config().headDist()).isFalse();
        assertThat(single.labels()).startsWith("deit_0");
        VisionModel base = VisionModel.load(Fixtures.dir("hf_vit_base_model"));
        assertThat(base.numClasses()).isZero();
        assertThat(base.numFeatures()).isEqualTo(16);
        assertThat(base.info().toString()).contains("none (features)");
    }

    @Test
    void bareTimmSafetensorsWithArchAndOverrides() throws IOException {
        VisionModel m = VisionModel.load(Fixtures.dir("timm_bare").resolve("model.safetensors"),
                tiny("timm:vit_tiny_patch16_224.augreg_in21k_ft_in1k"));
        assertThat(m.numClasses()).isEqualTo(10);
        checkAll(m, "timm_bare", true);
    }

    @Test
    void openClipFolderAndBareFile() throws IOException {
        // open_clip hub folder: open_clip_config.json + open_clip_model.safetensors, text tower ignored
        VisionModel m = VisionModel.load(Fixtures.dir("open_clip_quickgelu"));
        assertThat(m.config().layout()).isEqualTo(CheckpointLayout.OPEN_CLIP);
        assertThat(m.config().act()).isEqualTo(Activation.QUICK_GELU);       // model_cfg.quick_gelu
        assertThat(m.config().preNorm()).isTrue();                            // ln_pre
        assertThat(m.config().eps()).isEqualTo(1e-5f);
        assertThat(m.config().numHeads()).isEqualTo(2);                       // width 16 / head_width 8
        assertThat(m.numClasses()).isEqualTo(8);                              // visual.proj [16, 8]
        assertThat(m.info().toString()).contains("head: image projection to 8 dims");
        assertThat(m.preprocessing().cropPct()).isEqualTo(1.0);               // resize shorter side, center crop
        assertThat(m.preprocessing().interpolation()).isEqualTo("bicubic");
        assertThat(m.preprocessing().mean()).containsExactly(0.48145466f, 0.4578275f, 0.40821073f);
        // at 48 px pos_embed is resampled by timm's rule, as timm's _convert_openai_clip does
        atOtherSizeAndBare("open_clip_quickgelu", "open_clip_model.safetensors", "vit_base_patch16_clip_quickgelu_224",
                CheckpointLayout.OPEN_CLIP);
        Map<String, float[]> pre = Fixtures.expected("timm_clip_pre_norm");
        VisionModel preNorm48 = VisionModel.load(Fixtures.dir("timm_clip_pre_norm"), LoadOptions.defaults().withImageSize(48));
        assertClose("pre_norm logits at 48", preNorm48.forward(pre.get("input_48"), 1), pre.get("logits_48"), TOL);
    }

    @Test
    void huggingFaceClipFolder() throws IOException {
        // transformers CLIPModel: vision_config, visual_projection as the head, text tower and position_ids ignored
        VisionModel m = VisionModel.load(Fixtures.dir("hf_clip_quickgelu"));
        assertThat(m.config().layout()).isEqualTo(CheckpointLayout.HF_CLIP);
        assertThat(m.config().act()).isEqualTo(Activation.QUICK_GELU);
        assertThat(m.config().preNorm()).isTrue();   // pre_layrnorm
        assertThat(m.config().eps()).isEqualTo(1e-5f);
        assertThat(m.numClasses()).isEqualTo(8);
        assertThat(m.preprocessing().cropPct()).isEqualTo(1.0);   // shortest_edge 32, crop 32
        assertThat(m.preprocessing().squash()).isFalse();
        assertThat(m.preprocessing().interpolation()).isEqualTo("bicubic");
        // at 48 px: HF's interpolate_pos_encoding rule
        atOtherSizeAndBare("hf_clip_quickgelu", "model.safetensors", "vit_base_patch16_clip_quickgelu_224", CheckpointLayout.HF_CLIP);
    }

    /**
     * A CLIP-family fixture run at 48 px (against PyTorch's pass with the position embedding resampled by the layout's
     * rule), and its weights file loaded bare with a timm name, whose tensor names then select the layout.
     */
    private static void atOtherSizeAndBare(String fixture, String weights, String arch, CheckpointLayout layout)
            throws IOException {
        Map<String, float[]> exp = Fixtures.expected(fixture);
        VisionModel at48 = VisionModel.load(Fixtures.dir(fixture), LoadOptions.defaults().withImageSize(48));
        assertClose(fixture + " outputs at 48", at48.forward(exp.get("input_48"), 1), exp.get("logits_48"), TOL);
        assertClose(fixture + " features at 48", at48.embed(exp.get("input_48"), 1), exp.get("features_48"), TOL);
        VisionModel bare = VisionModel.load(Fixtures.dir(fixture).resolve(weights), tiny(arch));
        assertThat(bare.config().layout()).isEqualTo(layout);
        checkAll(bare, fixture, true);
    }

    @Test
    void huggingFaceSiglipFolder() throws IOException {
        // transformers SiglipModel: no class token, the attention-pooling head as attn_pool (in_proj split into q / kv)
        VisionModel m = VisionModel.load(Fixtures.dir("hf_siglip"));
        assertThat(m.config().layout()).isEqualTo(CheckpointLayout.HF_SIGLIP);
        assertThat(m.config().pooling()).isEqualTo(Pooling.MAP);
        assertThat(m.config().classToken()).isFalse();
        assertThat(m.config().act()).isEqualTo(Activation.GELU_TANH);   // gelu_pytorch_tanh
        assertThat(m.config().eps()).isEqualTo(1e-6f);
        assertThat(m.numClasses()).isZero();                            // features = the pooling head's output
        assertThat(m.preprocessing().squash()).isTrue();                // size {height, width}: resize, no crop
        atOtherSizeAndBare("hf_siglip", "model.safetensors", "vit_base_patch32_siglip_256", CheckpointLayout.HF_SIGLIP);
    }

    @ParameterizedTest
    @ValueSource(strings = {"timm_tokens_reg", "timm_tokens_avg"})   // final norm on every token; fc_norm: none
    void tokenFeaturesAreTimmsForwardFeatures(String fixture) throws IOException {
        VisionModel m = VisionModel.load(Fixtures.dir(fixture));
        Map<String, float[]> exp = Fixtures.expected(fixture);
        float[] tokens = m.tokens(exp.get("input"), BATCH);
        assertThat(tokens).hasSize(BATCH * m.config().numTokens() * m.numFeatures());
        assertClose(fixture + " tokens", tokens, exp.get("tokens"), TOL);
        // one image at a time gives the same rows
        int per = exp.get("input").length / BATCH, rows = tokens.length / BATCH;
        float[] second = m.tokens(java.util.Arrays.copyOfRange(exp.get("input"), per, 2 * per), 1);
        assertClose(fixture + " tokens, image 2 alone", second, java.util.Arrays.copyOfRange(tokens, rows, 2 * rows), 1e-6);
    }

    @Test
    void torchvisionVisionTransformer() throws IOException {
        VisionModel m = VisionModel.load(Fixtures.dir("torchvision_vit").resolve("model.safetensors"),
                LoadOptions.arch("torchvision:vit_b_16").withPatchSize(8).withEmbedDim(16).withDepth(2).withNumHeads(2)
                        .withMlpRatio(2.0));
        assertThat(m.numClasses()).isEqualTo(7);
        assertThat(m.inputSize()).isEqualTo(32);   // from encoder.pos_embedding
        checkAll(m, "torchvision_vit", false);
    }

    @Test
    void torchvisionBeforeVersion012NamesTheMlpLinear12(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws IOException {
        // torchvision < 0.12 saved the MLP as mlp.linear_1 / mlp.linear_2 (now mlp.0 / mlp.3): both load alike
        java.nio.file.Path old;
        try (dev.vitesse.model.io.SafeTensors st = dev.vitesse.model.io.SafeTensors.open(
                Fixtures.dir("torchvision_vit").resolve("model.safetensors"))) {
            Map<String, String> rename = new java.util.HashMap<>();
            for (String n : st.names()) {
                String r = n.replace(".mlp.0.", ".mlp.linear_1.").replace(".mlp.3.", ".mlp.linear_2.");
                if (!r.equals(n)) rename.put(n, r);
            }
            assertThat(rename).hasSize(8);   // 2 blocks x 2 linears x (weight, bias)
            old = dev.vitesse.model.io.SafeTensorsWriter.copyOf(st, rename).write(tmp.resolve("old.safetensors"));
        }
        VisionModel m = VisionModel.load(old, LoadOptions.arch("torchvision:vit_b_16").withPatchSize(8).withEmbedDim(16)
                .withDepth(2).withNumHeads(2).withMlpRatio(2.0));
        checkAll(m, "torchvision_vit", false);
    }

    @ParameterizedTest
    @ValueSource(ints = {48, 24})
    void timmResamplesPositionEmbeddings(int size) throws IOException {
        VisionModel m = VisionModel.load(Fixtures.dir("timm_plain"), LoadOptions.defaults().withImageSize(size));
        Map<String, float[]> exp = Fixtures.expected("timm_plain");
        assertThat(m.preprocessing().inputSize()).isEqualTo(size);
        assertClose("logits at " + size, m.forward(exp.get("input_" + size), 1), exp.get("logits_" + size), TOL);
        assertClose("features at " + size, m.embed(exp.get("input_" + size), 1), exp.get("features_" + size), TOL);
    }

    @Test
    void timmResamplesNoEmbedClassPositionEmbeddings() throws IOException {
        VisionModel m = VisionModel.load(Fixtures.dir("timm_deit3"), LoadOptions.defaults().withImageSize(48));
        Map<String, float[]> exp = Fixtures.expected("timm_deit3");
        assertClose("deit3 logits at 48", m.forward(exp.get("input_48"), 1), exp.get("logits_48"), TOL);
    }

    @Test
    void hfResamplesPositionEmbeddingsWithoutAntialias() throws IOException {
        VisionModel m = VisionModel.load(Fixtures.dir("hf_vit"), LoadOptions.defaults().withImageSize(48));
        Map<String, float[]> exp = Fixtures.expected("hf_vit");
        assertClose("hf logits at 48", m.forward(exp.get("input_48"), 1), exp.get("logits_48"), TOL);
    }

    @Test
    void batchesOfAnySizeGiveTheSameRows() throws IOException {
        VisionModel m = VisionModel.load(Fixtures.dir("timm_plain"));
        Map<String, float[]> exp = Fixtures.expected("timm_plain");
        float[] x = exp.get("input");
        int per = x.length / BATCH;
        float[] one = m.forward(java.util.Arrays.copyOfRange(x, per, 2 * per), 1);
        assertClose("row 1 alone", one, java.util.Arrays.copyOfRange(exp.get("logits"), 10, 20), TOL);
        float[] five = new float[5 * per];
        for (int i = 0; i < 5; i++) System.arraycopy(x, (i % 2) * per, five, i * per, per);
        float[] l5 = m.forward(five, 5);
        for (int i = 0; i < 5; i++) {
            assertClose("row " + i + " of 5", java.util.Arrays.copyOfRange(l5, i * 10, i * 10 + 10),
                    java.util.Arrays.copyOfRange(exp.get("logits"), (i % 2) * 10, (i % 2) * 10 + 10), TOL);
        }
        assertThat(m.forward(new float[0], 0)).isEmpty();
    }
}
