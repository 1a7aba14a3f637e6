package dev.vitesse.model;

import dev.vitesse.kernels.Activation;
import dev.vitesse.model.config.Architectures;
import dev.vitesse.model.config.Pooling;
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
        assertThatThrownBy(() -> VisionModel.load(d)).hasMessageContaining("missing").hasMessageContaining("reg_token");
        Files.writeString(d.resolve("config.json"), "{\"architecture\": \"vit_tiny_patch16_224\", \"model_args\": {\"reg_tokens\": -1}}");
        assertThatThrownBy(() -> VisionModel.load(d)).hasMessageContaining("reg_tokens must be in [0, 1024], found -1");
        Files.writeString(d.resolve("config.json"), "{\"architecture\": \"vit_tiny_patch16_224\", \"model_args\": {\"act_layer\": \"swish\"}}");
        assertThatThrownBy(() -> VisionModel.load(d))
                .hasMessageContaining("model_args.act_layer 'swish' is not supported (gelu, gelu_tanh, quick_gelu)");
        // pre_norm needs norm_pre (and has no patch-embedding bias): the checkpoint's names say what is wrong
        Files.writeString(d.resolve("config.json"), "{\"architecture\": \"vit_tiny_patch16_224\", \"model_args\": {\"pre_norm\": true}}");
        assertThatThrownBy(() -> VisionModel.load(d)).hasMessageContaining("missing").hasMessageContaining("norm_pre.weight")
                .hasMessageContaining("unexpected").hasMessageContaining("patch_embed.proj.bias");
        Files.writeString(d.resolve("config.json"), "{\"architecture\": \"vit_tiny_patch16_224\", \"model_args\": {\"frobnicate\": 1}}");
        assertThatThrownBy(() -> VisionModel.load(d)).hasMessageContaining("unknown or unsupported model_args key 'frobnicate'");
        // global_pool '' (a feature-extraction export): refused, unless a pooling is given; tokens() then gives every token
        Path noPool = editedConfig("vit/timm_tokens_reg", "\"global_pool\": \"token\"", "\"global_pool\": \"\"");
        assertThatThrownBy(() -> VisionModel.load(noPool)).hasMessageContaining("unsupported global_pool ''")
                .hasMessageContaining("LoadOptions.withGlobalPool");
        VisionModel pooled = VisionModel.load(noPool, LoadOptions.defaults().withGlobalPool("token"));
        Map<String, float[]> exp = Fixtures.expected("timm_tokens_reg");
        Fixtures.assertClose("tokens of a global_pool '' export", pooled.tokens(exp.get("input"), 2), exp.get("tokens"), 1e-4);
        Files.writeString(d.resolve("config.json"), "{\"architecture\": \"vit_tiny_patch16_224\", \"global_pool\": \"gem\"}");
        assertThatThrownBy(() -> VisionModel.load(d)).hasMessageContaining("unsupported global_pool 'gem'")
                .hasMessageContaining("supported: token, avg, max, avgmax, map");
        Files.writeString(d.resolve("config.json"), "{\"architecture\": \"vit_tiny_patch16_224\", \"global_pool\": \"\"}");
        assertThatThrownBy(() -> VisionModel.load(d)).hasMessageContaining("no pooling");
        Files.writeString(d.resolve("config.json"), "{\"architecture\": \"vit_tiny_patch16_224\", \"global_pool\": \"map\"}");
        assertThatThrownBy(() -> VisionModel.load(d)).hasMessageContaining("missing").hasMessageContaining("attn_pool.latent");
        Files.writeString(d.resolve("config.json"), "{\"architecture\": \"vit_nope\"}");
        assertThatThrownBy(() -> VisionModel.load(d)).hasMessageContaining("unknown architecture 'vit_nope'");
        Files.writeString(d.resolve("config.json"), "{\"hello\": 1}");
        assertThatThrownBy(() -> VisionModel.load(d)).hasMessageContaining("neither a timm config");
    }

    /** A copy of fixture folder {@code fixtures/<fixture>} whose config.json has {@code from} replaced by {@code to}. */
    private Path editedConfig(String fixture, String from, String to) throws IOException {
        Path src;
        try {
            src = Path.of(LoadErrorsTest.class.getResource("/fixtures/" + fixture).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        Path d = Files.createDirectories(tmp.resolve(fixture.replace('/', '_') + "_" + Math.abs((from + to).hashCode())));
        Files.copy(src.resolve("model.safetensors"), d.resolve("model.safetensors"));
        String cfg = Files.readString(src.resolve("config.json"));
        assertThat(cfg).contains(from);
        Files.writeString(d.resolve("config.json"), cfg.replace(from, to));
        return d;
    }

    @Test
    void family1ConfigValuesAreCheckedAndNameTheFile() throws IOException {
        // zero heads divided by zero; a string or fraction in a list was read as 0 / truncated; so was num_classes
        Path heads = editedConfig("swin/timm_112", "\"num_heads\": [\n      1,", "\"num_heads\": [\n      0,");
        assertThatThrownBy(() -> VisionModel.load(heads)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(heads.resolve("config.json").toString()).hasMessageContaining("num_heads >= 1");
        Path depths = editedConfig("swin/timm_112", "\"depths\": [\n      2,", "\"depths\": [\n      \"2\",");
        assertThatThrownBy(() -> VisionModel.load(depths)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("config.json").hasMessageContaining("model_args.depths[0] must be an integer, found \"2\"");
        Path classes = editedConfig("swin/timm_112", "\"num_classes\": 10", "\"num_classes\": \"ten\"");
        assertThatThrownBy(() -> VisionModel.load(classes)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("config.json").hasMessageContaining("num_classes must be an integer >= 0");
        Path pvt = editedConfig("pvt_v2/timm_b0", "\"sr_ratios\": [\n      8,", "\"sr_ratios\": [\n      0,");
        assertThatThrownBy(() -> VisionModel.load(pvt)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("config.json").hasMessageContaining("sr_ratios >= 1");
        Path mixer = editedConfig("mixer/s_48", "\"patch_size\": 8", "\"patch_size\": 0");
        assertThatThrownBy(() -> VisionModel.load(mixer)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("config.json").hasMessageContaining("1 <= patch_size <= img_size");
        Path mean = editedConfig("swin/timm_112", "\"mean\": [\n      0.485,", "\"mean\": [\n      \"a\",");
        assertThatThrownBy(() -> VisionModel.load(mean)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("pretrained_cfg.mean[0] must be a number");
    }

    @Test
    void hiddenWidthsThatOverflowIntAreNamedNotNegative() {
        // before: a shape mismatch "expected [-2147483648, 24]" once the weights were checked
        assertThatThrownBy(() -> new dev.vitesse.model.refiner.RefinerConfig("Refiner_ViT_S", 1000, 384, 12, 12, 1 << 28, 224,
                new int[] {64, 64, 128}, 0.9))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mlp_ratio 268435456")
                .hasMessageContaining("103079215104 hidden units");
        assertThatThrownBy(() -> new dev.vitesse.model.alternet.AlterNetConfig("dnn_50", 1000, true, new int[] {3, 4, 6, 4},
                new int[] {0, 1, 3, 2}, new int[] {3, 6, 12, 24}, 1 << 30, 7, 64, new int[] {64, 128, 256, 512}, 224))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dim_head 1073741824")
                .hasMessageContaining("attention channels");
    }

    @Test
    void absurdImageSizesFailAtLoadNamingTheSize() throws IOException {
        // before: int overflow in expected shapes, loads that took minutes or exhausted the heap, kernel errors later
        Path swin = editedConfig("swin/timm_112", "\"img_size\": 112", "\"img_size\": 112");
        assertThatThrownBy(() -> VisionModel.load(swin, LoadOptions.defaults().withImageSize(Integer.MAX_VALUE)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("img_size 2147483647")
                .hasMessageContaining("too large");
        assertThatThrownBy(() -> VisionModel.load(editedConfig("mixer/s_48", "\"img_size\": 48", "\"img_size\": 48"),
                LoadOptions.defaults().withImageSize(Integer.MAX_VALUE))).hasMessageContaining("too large");
        assertThatThrownBy(() -> VisionModel.load(editedConfig("pvt_v2/timm_b0", "\"num_classes\": 10", "\"num_classes\": 10"),
                LoadOptions.defaults().withImageSize(15))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("img_size 15 gives a 4x4 map at stage 0, smaller than its spatial-reduction kernel 8");
        Path ffvit = editedConfig("ffvit/tiny", "\"img_size\": 64", "\"img_size\": 1073741824");
        assertThatThrownBy(() -> VisionModel.load(ffvit)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ffvit img_size 1073741824").hasMessageContaining("too large");
    }

    @Test
    void preprocessingValuesNameTheirFile() throws IOException {
        Path timm = editedConfig("vit/timm_plain", "\"input_size\": [\n      3,\n      32,\n      32",
                "\"input_size\": [\n      3,\n      0,\n      0");
        assertThatThrownBy(() -> VisionModel.load(timm)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(timm.resolve("config.json").toString()).hasMessageContaining("inputSize must be > 0");
        Path imgSize = editedConfig("vit/timm_plain", "\"img_size\": 32", "\"img_size\": 0");
        assertThatThrownBy(() -> VisionModel.load(imgSize)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("config.json").hasMessageContaining("image size must be > 0");
        // HF preprocessor_config.json: a crop_size without height was a NullPointerException, resample "bicubic" nearest
        Path hf = editedConfig("vit/hf_vit", "\"model_type\": \"vit\"", "\"model_type\": \"vit\"");
        Path pre = hf.resolve("preprocessor_config.json");
        Files.writeString(pre, "{\"do_center_crop\": true, \"crop_size\": {\"width\": 32}, \"size\": 40}");
        assertThatThrownBy(() -> VisionModel.load(hf)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(pre.toString()).hasMessageContaining("'crop_size.height' is not an integer");
        Files.writeString(pre, "{\"resample\": \"bicubic\"}");
        assertThatThrownBy(() -> VisionModel.load(hf)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("'resample' is not an integer: \"bicubic\"");
        Files.writeString(pre, "{\"size\": {\"height\": 0, \"width\": 0}}");
        assertThatThrownBy(() -> VisionModel.load(hf)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(pre.toString()).hasMessageContaining("inputSize must be > 0");
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

    @Test
    void dinov2ArchitecturesHaveTimmsShapes() {
        // timm vit_small_patch14_reg4_dinov2: 22,057,344 parameters (patch embed 226,176, cls 384, 4 registers 1,536,
        // pos_embed over the 37 x 37 patches only 525,696, 12 LayerScale blocks of 1,775,232, final norm 768; no head)
        VisionModel reg = VisionModel.random(LoadOptions.arch("vit_small_patch14_reg4_dinov2"), 1);
        assertThat(reg.config().imageSize()).isEqualTo(518);
        assertThat(reg.config().regTokens()).isEqualTo(4);
        assertThat(reg.config().numTokens()).isEqualTo(5 + 37 * 37);
        assertThat(reg.numClasses()).isZero();
        assertThat(reg.info().parameters()).isEqualTo(22_057_344L);
        // without registers: the class token's row is in pos_embed (1 + 1369 rows), no register tokens
        VisionModel plain = VisionModel.random(LoadOptions.arch("vit_small_patch14_dinov2"), 1);
        assertThat(plain.info().parameters()).isEqualTo(22_057_344L - 4 * 384 + 384);
        assertThat(plain.config().noEmbedClass()).isFalse();
    }

    @Test
    void siglipArchitecturesUseAttentionPooling() {
        // timm vit_base_patch16_siglip_224: 92,884,224 parameters = ViT-B/16 body without class token and head
        // (85,797,120) + attn_pool (7,087,104: latent 768, q 590,592, kv 1,181,184, proj 590,592, norm 1,536,
        // mlp 4,722,432)
        VisionModel m = VisionModel.random(LoadOptions.arch("vit_base_patch16_siglip_224"), 1);
        assertThat(m.config().pooling()).isEqualTo(Pooling.MAP);
        assertThat(m.config().numPrefixTokens()).isZero();
        assertThat(m.info().parameters()).isEqualTo(92_884_224L);
        float[] features = m.embed(new float[3 * 224 * 224], 1);
        assertThat(features).hasSize(768);
        for (float f : features) assertThat(f).isFinite();
    }

    @Test
    void clipArchitecturesHaveTimmsShapes() {
        // timm vit_base_patch16_clip_224 with the 512-wide image projection as head (the .openai weights): 86,193,152
        // parameters = patch embed without bias 589,824, cls 768, pos_embed 151,296, norm_pre 1,536, 12 blocks of
        // 7,087,872, final norm 1,536, head 393,728 (OpenAI's visual tower: 86,192,640 + the zero head bias timm adds)
        VisionModel m = VisionModel.random(LoadOptions.arch("vit_base_patch16_clip_224").withNumClasses(512), 1);
        assertThat(m.config().preNorm()).isTrue();
        assertThat(m.config().eps()).isEqualTo(1e-5f);             // norm_layer=nn.LayerNorm, not timm's 1e-6
        assertThat(m.config().act()).isEqualTo(Activation.GELU);
        assertThat(m.info().parameters()).isEqualTo(86_193_152L);
        assertThat(m.preprocessing().mean()).containsExactly(0.48145466f, 0.4578275f, 0.40821073f);
        float[] emb = m.forward(new float[3 * 224 * 224], 1);
        assertThat(emb).hasSize(512);
        for (float f : emb) assertThat(f).isFinite();
        // the _quickgelu registrations differ only in the activation; ViT-L/14 at 336 px
        var q = Architectures.resolve("timm:vit_large_patch14_clip_quickgelu_336.openai").config();
        assertThat(q.act()).isEqualTo(Activation.QUICK_GELU);
        assertThat(q.preNorm()).isTrue();
        assertThat(q.imageSize()).isEqualTo(336);
        assertThat(q.numTokens()).isEqualTo(1 + 24 * 24);
        assertThat(q.mlpHidden()).isEqualTo(4096);
        assertThat(Architectures.resolve("vit_giant_patch14_clip_224").config().mlpHidden()).isEqualTo(6144); // int(1408 * 48 / 11)
        assertThat(Architectures.resolve("vit_gigantic_patch14_clip_224").config().mlpHidden()).isEqualTo(8192);
    }

    @Test
    void openClipConfigsOutsideTheViTTowerAreRefused() throws IOException {
        Path src;
        try {
            src = Path.of(LoadErrorsTest.class.getResource("/fixtures/vit/open_clip_quickgelu").toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        String cfg = Files.readString(src.resolve("open_clip_config.json"));
        String[][] cases = {
                {"\"layers\": 2", "\"layers\": [3, 4, 6, 3]", "is a ResNet image tower"},
                {"\"patch_size\": 8", "\"patch_size\": 8, \"timm_model_name\": \"vit_base_patch16_224\"",
                        "model_cfg.vision_cfg.timm_model_name = \"vit_base_patch16_224\" is not supported"},
                {"\"patch_size\": 8", "\"patch_size\": 8, \"ls_init_value\": 1e-5", "model_cfg.vision_cfg.ls_init_value = 1.0E-5"},
                {"\"patch_size\": 8", "\"patch_size\": 8, \"pool_type\": \"avg\"", "model_cfg.vision_cfg.pool_type = \"avg\""},
                {"\"head_width\": 8", "\"head_width\": 5", "width 16 is not a multiple of head_width 5"},
                {"\"quick_gelu\": true", "\"quick_gelu\": \"yes\"", "'model_cfg.quick_gelu' is not a boolean"}};
        for (String[] c : cases) {
            assertThat(cfg).contains(c[0]);
            Path d = Files.createDirectories(tmp.resolve("oc" + Math.abs(c[1].hashCode())));
            Files.copy(src.resolve("open_clip_model.safetensors"), d.resolve("open_clip_model.safetensors"));
            Files.writeString(d.resolve("open_clip_config.json"), cfg.replace(c[0], c[1]));
            assertThatThrownBy(() -> VisionModel.load(d)).isInstanceOf(ModelFormatException.class)
                    .hasMessageContaining("open_clip_config.json").hasMessageContaining(c[2]);
        }
        // open_clip's defaults written out (as many hub configs do) are accepted
        Path defaults = Files.createDirectories(tmp.resolve("ocdefaults"));
        Files.copy(src.resolve("open_clip_model.safetensors"), defaults.resolve("open_clip_model.safetensors"));
        Files.writeString(defaults.resolve("open_clip_config.json"), cfg.replace("\"patch_size\": 8", "\"patch_size\": 8, "
                + "\"ls_init_value\": null, \"patch_dropout\": 0.0, \"attentional_pool\": false, \"no_ln_pre\": false, "
                + "\"pool_type\": \"tok\", \"pos_embed_type\": \"learnable\", \"output_tokens\": false"));
        assertThat(VisionModel.load(defaults).numClasses()).isEqualTo(8);
        // a CLIP file without its image tower's tensors: the names say what is missing
        Path bare = Files.createDirectories(tmp.resolve("ocbare")).resolve("open_clip_model.safetensors");
        Files.copy(src.resolve("open_clip_model.safetensors"), bare);
        assertThatThrownBy(() -> VisionModel.load(bare, LoadOptions.arch("vit_base_patch16_clip_224")))
                .hasMessageContaining("missing").hasMessageContaining("visual.transformer.resblocks.11.ln_1.weight");
    }
}
