package dev.vitesse.model.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vitesse.kernels.Activation;
import dev.vitesse.model.LoadOptions;
import dev.vitesse.model.io.ModelFormatException;
import dev.vitesse.model.io.SafeTensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns "a path plus options" into a {@link ModelSpec}, the way each library would build the model:
 * <ol>
 *   <li>timm hub folder: {@code config.json} {architecture, num_classes, global_pool, model_args, pretrained_cfg,
 *       label_names} — registry defaults for the architecture, then {@code model_args}, then num_classes /
 *       global_pool, like {@code timm.create_model};</li>
 *   <li>HF folder: {@code config.json} with model_type vit / deit (+ optional {@code preprocessor_config.json});</li>
 *   <li>open_clip folder: {@code open_clip_config.json} (model_cfg.vision_cfg, quick_gelu, preprocess_cfg) +
 *       {@code open_clip_model.safetensors};</li>
 *   <li>bare {@code .safetensors} + architecture name (timm or {@code torchvision:}); a file with OpenAI CLIP /
 *       open_clip names ({@code visual.*}) or HF CLIP / SigLIP names ({@code vision_model.*}) is read in that layout.</li>
 * </ol>
 * {@link LoadOptions} overrides are applied last. Facts only the weights know (number of classes of a bare
 * file, torchvision's training resolution, DeiT-HF teacher head) are read from the safetensors header.
 */
public final class ModelResolver {
    private ModelResolver() {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> HARMLESS_MODEL_ARGS = Set.of("drop_rate", "pos_drop_rate", "patch_drop_rate",
            "proj_drop_rate", "attn_drop_rate", "drop_path_rate", "weight_init", "dynamic_img_size", "dynamic_img_pad",
            "pretrained_strict");

    /** The weights file for a folder or file argument. */
    public static Path weightsFile(Path input) throws IOException {
        if (!Files.exists(input)) throw new java.nio.file.NoSuchFileException(input.toString(), null, "model path does not exist");
        if (Files.isDirectory(input)) {
            Path st = input.resolve("model.safetensors");
            if (Files.isRegularFile(st)) return st;
            Path oc = input.resolve(OPEN_CLIP_WEIGHTS);
            if (Files.isRegularFile(oc)) return oc;
            if (Files.exists(input.resolve("pytorch_model.bin")) || Files.exists(input.resolve("pytorch_model.pth"))) {
                throw new ModelFormatException(input + ": only model.safetensors is supported (found a PyTorch pickle; "
                        + "convert it to safetensors)");
            }
            throw new ModelFormatException(input + ": folder has no model.safetensors (or open_clip_model.safetensors)");
        }
        return input;
    }

    /** Resolves the spec; {@code weights} must be the opened {@link #weightsFile(Path)}. */
    public static ModelSpec resolve(Path input, LoadOptions opts, SafeTensors weights) throws IOException {
        Path folder = Files.isDirectory(input) ? input : null;
        if (folder == null && opts.arch().isEmpty()) {
            Path sibling = input.toAbsolutePath().getParent();
            if (sibling != null && Files.isRegularFile(sibling.resolve("config.json"))) folder = sibling;
        }
        if (folder != null && opts.arch().isEmpty()) {
            Path cfgFile = folder.resolve("config.json");
            Path openClip = folder.resolve(OPEN_CLIP_CONFIG);
            if (!Files.isRegularFile(cfgFile) && Files.isRegularFile(openClip))
                return openClipFolder(folder, openClip, readJson(openClip), opts, weights);
            if (!Files.isRegularFile(cfgFile)) {
                throw new ModelFormatException(folder + ": no config.json; pass an architecture name (--arch), known: "
                        + String.join(", ", Architectures.knownNames()));
            }
            JsonNode cfg = readJson(cfgFile);
            if (cfg.hasNonNull("architecture")) return timmFolder(folder, cfgFile, cfg, opts, weights);
            if (cfg.hasNonNull("model_type")) return hfFolder(folder, cfgFile, cfg, opts, weights);
            throw new ModelFormatException(cfgFile + ": neither a timm config (no 'architecture') nor a Hugging Face "
                    + "config (no 'model_type')");
        }
        String arch = opts.arch().orElseThrow(() -> new IllegalArgumentException(input
                + ": a bare .safetensors file needs an architecture name (--arch). Known architectures: "
                + String.join(", ", Architectures.knownNames())));
        return bare(input, arch, opts, weights);
    }

    private static JsonNode readJson(Path file) throws IOException {
        try {
            JsonNode n = JSON.readTree(Files.readAllBytes(file));   // bytes: bad UTF-8 is a JSON error, not an I/O one
            if (n == null || !n.isObject()) throw new ModelFormatException(file + ": not a JSON object");
            return n;
        } catch (JsonProcessingException e) {
            throw new ModelFormatException(file + ": invalid JSON: " + e.getOriginalMessage());
        }
    }

    // ---------------------------------------------------------------- timm folder

    private static ModelSpec timmFolder(Path folder, Path cfgFile, JsonNode cfg, LoadOptions opts, SafeTensors w) {
        String archName = text(cfgFile, cfg, "architecture");
        Architectures.ArchSpec spec;
        try {
            spec = Architectures.resolve(archName);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(cfgFile + ": " + e.getMessage());
        }
        if (spec.config().layout() != CheckpointLayout.TIMM) {
            throw new ModelFormatException(cfgFile + ": architecture '" + archName + "' is not a timm architecture");
        }
        ConfigBuilder b = new ConfigBuilder(spec.config());
        JsonNode args = cfg.get("model_args");
        if (args != null && !args.isNull()) applyModelArgs(cfgFile, b, args);
        if (cfg.hasNonNull("num_classes")) b.numClasses = intField(cfgFile, cfg, "num_classes");
        // global_pool '' (no pooling) is refused unless the caller gives a pooling (applied below with the overrides)
        if (cfg.hasNonNull("global_pool") && !(opts.globalPool().isPresent() && text(cfgFile, cfg, "global_pool").isEmpty()))
            b.pooling = parsePool(cfgFile, text(cfgFile, cfg, "global_pool"));
        int trainedSize = b.imageSize;
        checked(cfgFile, b::build);   // the config's own values first, so that their errors name the file
        PreprocessConfig pre = checked(cfgFile, () -> timmPreprocess(cfgFile, cfg.get("pretrained_cfg"), spec.preprocess(),
                trainedSize));
        applyOverrides(b, opts);
        VitConfig vc = b.build();
        if (vc.imageSize() != pre.inputSize()) pre = pre.withInputSize(vc.imageSize());
        List<String> labels = null;
        if (cfg.hasNonNull("label_names")) labels = stringList(cfgFile, cfg.get("label_names"), "label_names");
        return new ModelSpec(vc, pre, labels, w.path(), folder + " (timm folder, " + archName + ")");
    }

    private static void applyModelArgs(Path file, ConfigBuilder b, JsonNode args) {
        if (!args.isObject()) throw new ModelFormatException(file + ": model_args is not an object");
        for (Iterator<Map.Entry<String, JsonNode>> it = args.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String k = e.getKey();
            JsonNode v = e.getValue();
            String where = "model_args." + k;
            switch (k) {
                case "img_size" -> b.imageSize = squareSize(file, v, where);
                case "patch_size" -> b.patchSize = squareSize(file, v, where);
                case "in_chans" -> b.inChans = asInt(file, v, where);
                case "embed_dim" -> b.embedDim = asInt(file, v, where);
                case "depth" -> b.depth = asInt(file, v, where);
                case "num_heads" -> b.numHeads = asInt(file, v, where);
                case "num_classes" -> b.numClasses = asInt(file, v, where);
                case "mlp_ratio" -> b.mlpRatio = asDouble(file, v, where);
                case "qkv_bias" -> b.qkvBias = asBool(file, v, where);
                case "class_token" -> b.classToken = asBool(file, v, where);
                case "no_embed_class" -> b.noEmbedClass = asBool(file, v, where);
                case "init_values" -> b.layerScale = !v.isNull() && asDouble(file, v, where) != 0;
                case "fc_norm" -> b.fcNorm = v.isNull() ? null : asBool(file, v, where);
                case "global_pool" -> b.pooling = parsePool(file, v.asText());
                case "reg_tokens" -> b.regTokens = asInt(file, v, where);
                case "pos_embed" -> require(file, v.asText().equals("learn"), where + " '" + v.asText() + "' is not supported");
                case "qk_norm" -> require(file, !asBool(file, v, where), where + " is not supported");
                case "pre_norm" -> b.preNorm = asBool(file, v, where);
                case "final_norm" -> require(file, asBool(file, v, where), where + "=false is not supported");
                case "act_layer" -> {
                    String act = v.asText();
                    b.act = java.util.Arrays.stream(Activation.values()).filter(x -> x.timmName().equals(act)).findFirst()
                            .orElseThrow(() -> new ModelFormatException(file + ": " + where + " '" + act
                                    + "' is not supported (gelu, gelu_tanh, quick_gelu)"));
                }
                case "no_norm_layer", "norm_layer", "block_fn", "mlp_layer", "embed_layer" ->
                        throw new ModelFormatException(file + ": " + where + " is not supported");
                default -> {
                    if (!HARMLESS_MODEL_ARGS.contains(k)) {
                        throw new ModelFormatException(file + ": unknown or unsupported model_args key '" + k + "'");
                    }
                }
            }
        }
    }

    private static PreprocessConfig timmPreprocess(Path file, JsonNode pc, PreprocessConfig def, int imageSize) {
        PreprocessConfig p = def.withInputSize(imageSize);
        if (pc == null || pc.isNull()) return p;
        if (!pc.isObject()) throw new ModelFormatException(file + ": pretrained_cfg is not an object");
        if (pc.hasNonNull("input_size")) {
            JsonNode is = pc.get("input_size");
            if (!is.isArray() || is.size() != 3) throw new ModelFormatException(file + ": pretrained_cfg.input_size is not [C, H, W]");
            p = p.withInputSize(asInt(file, is.get(2), "pretrained_cfg.input_size"));
        }
        if (pc.hasNonNull("crop_pct")) p = p.withCropPct(asDouble(file, pc.get("crop_pct"), "pretrained_cfg.crop_pct"));
        if (pc.hasNonNull("interpolation")) p = p.withInterpolation(pc.get("interpolation").asText());
        if (pc.hasNonNull("mean") || pc.hasNonNull("std")) {
            float[] mean = pc.hasNonNull("mean") ? floats(file, pc.get("mean"), "pretrained_cfg.mean") : p.mean();
            float[] std = pc.hasNonNull("std") ? floats(file, pc.get("std"), "pretrained_cfg.std") : p.std();
            p = p.withMeanStd(mean, std);
        }
        if (pc.hasNonNull("crop_mode")) {
            String mode = pc.get("crop_mode").asText();
            switch (mode) {
                case "center" -> p = p.withSquash(false);
                case "squash" -> p = p.withSquash(true);
                default -> throw new ModelFormatException(file + ": pretrained_cfg.crop_mode '" + mode
                        + "' is not supported (center, squash)");
            }
        }
        return p;
    }

    // ---------------------------------------------------------------- HF folder

    private static ModelSpec hfFolder(Path folder, Path cfgFile, JsonNode cfg, LoadOptions opts, SafeTensors w) throws IOException {
        String type = text(cfgFile, cfg, "model_type");
        if (type.equals("clip") || type.equals("clip_vision_model") || type.equals("siglip") || type.equals("siglip_vision_model"))
            return hfVisionTowerFolder(folder, cfgFile, cfg, type, opts, w);
        if (!type.equals("vit") && !type.equals("deit")) {
            throw new ModelFormatException(cfgFile + ": model_type '" + type + "' is not supported (vit, deit, clip, "
                    + "clip_vision_model, siglip, siglip_vision_model)");
        }
        String act = cfg.hasNonNull("hidden_act") ? cfg.get("hidden_act").asText() : "gelu";
        if (!act.equals("gelu")) throw new ModelFormatException(cfgFile + ": hidden_act '" + act + "' is not supported (gelu)");
        boolean deit = type.equals("deit");
        String prefix = hfPrefix(w);
        boolean teacher = w.has("cls_classifier.weight") || w.has("distillation_classifier.weight");
        String headName = teacher ? "cls_classifier.weight" : "classifier.weight";
        int classes = w.has(headName) ? (int) w.info(headName).shape()[0] : 0;
        int dim = intOr(cfgFile, cfg, "hidden_size", 768);
        String arch = "hf:" + (cfg.has("architectures") && cfg.get("architectures").isArray() && !cfg.get("architectures").isEmpty()
                ? cfg.get("architectures").get(0).asText() : type);
        VitConfig base = checked(cfgFile, () -> new VitConfig(arch, CheckpointLayout.HF, intOr(cfgFile, cfg, "image_size", 224),
                intOr(cfgFile, cfg, "patch_size", 16), intOr(cfgFile, cfg, "num_channels", 3), dim,
                intOr(cfgFile, cfg, "num_hidden_layers", 12), intOr(cfgFile, cfg, "num_attention_heads", 12),
                intOr(cfgFile, cfg, "intermediate_size", 3072),
                !cfg.hasNonNull("qkv_bias") || asBool(cfgFile, cfg.get("qkv_bias"), "qkv_bias"),
                false, true, deit, 0, teacher, false, Pooling.TOKEN, false,
                cfg.hasNonNull("layer_norm_eps") ? (float) asDouble(cfgFile, cfg.get("layer_norm_eps"), "layer_norm_eps") : 1e-12f,
                Activation.GELU, false, classes));
        ConfigBuilder b = new ConfigBuilder(base);
        applyOverrides(b, opts);
        VitConfig vc = b.build();
        PreprocessConfig pre = hfPreprocess(folder, deit, base.imageSize());
        if (vc.imageSize() != pre.inputSize()) pre = pre.withInputSize(vc.imageSize());
        List<String> labels = null;
        JsonNode id2label = cfg.get("id2label");
        if (id2label != null && id2label.isObject() && id2label.size() == vc.numClasses() && vc.numClasses() > 0) {
            TreeMap<Integer, String> m = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = id2label.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                try {
                    m.put(Integer.parseInt(e.getKey()), e.getValue().asText());
                } catch (NumberFormatException ex) {
                    throw new ModelFormatException(cfgFile + ": id2label key '" + e.getKey() + "' is not an integer");
                }
            }
            if (m.firstKey() == 0 && m.lastKey() == vc.numClasses() - 1) labels = new ArrayList<>(m.values());
        }
        return new ModelSpec(vc, pre, labels, w.path(), folder + " (Hugging Face " + type + " folder" + (prefix.isEmpty() ? ", base model" : "") + ")");
    }

    /**
     * A Hugging Face image tower, CLIP or SigLIP; the image tower's settings are under {@code vision_config} for the
     * two-tower models.
     * <p>SigLIP ({@code SiglipModel} / {@code SiglipVisionModel}): the same encoder names as CLIP, no class token,
     * the attention-pooling head ({@code head.probe}, a packed {@code in_proj}, {@code out_proj}, {@code layernorm},
     * {@code mlp}) read as timm's attn_pool, gelu_pytorch_tanh, eps 1e-6, no projection; SiglipImageProcessor's
     * defaults (resize to size x size bicubic, mean = std = 0.5).
     * <p>CLIP: {@code CLIPModel} (model_type clip, the image tower's settings under {@code vision_config}) or
     * {@code CLIPVisionModel[WithProjection]} (model_type clip_vision_model). Defaults are CLIPVisionConfig's
     * (ViT-B/32: hidden 768, 12 layers, 12 heads, MLP 3072, patch 32, 224 px, quick_gelu, eps 1e-5). The image
     * embedding is {@code visual_projection(post_layernorm(x[0]))}, a bias-free linear layer read as the head; without
     * it the model gives the pooled features. Preprocessing: CLIPImageProcessor's defaults (shorter side to 224
     * bicubic, center crop, OpenAI mean/std) unless preprocessor_config.json says otherwise.
     */
    private static ModelSpec hfVisionTowerFolder(Path folder, Path cfgFile, JsonNode cfg, String type, LoadOptions opts,
                                                 SafeTensors w) throws IOException {
        boolean siglip = type.startsWith("siglip");
        JsonNode v = cfg;
        String where = "";
        if (type.equals("clip") || type.equals("siglip")) {
            v = cfg.get("vision_config");
            if (v == null || v.isNull()) v = JSON.createObjectNode();   // CLIPConfig / SiglipConfig: every vision default
            if (!v.isObject()) throw new ModelFormatException(cfgFile + ": 'vision_config' is not an object");
            where = "vision_config.";
        }
        JsonNode vc0 = v;
        String at = where;
        String act = vc0.hasNonNull("hidden_act") ? vc0.get("hidden_act").asText() : siglip ? "gelu_pytorch_tanh" : "quick_gelu";
        if (siglip && vc0.hasNonNull("vision_use_head") && !asBool(cfgFile, vc0.get("vision_use_head"), at + "vision_use_head")) {
            throw new ModelFormatException(cfgFile + ": " + at + "vision_use_head=false (no pooling head) is not supported");
        }
        Activation activation = switch (act) {
            case "quick_gelu" -> Activation.QUICK_GELU;
            case "gelu" -> Activation.GELU;
            case "gelu_pytorch_tanh" -> Activation.GELU_TANH;
            default -> throw new ModelFormatException(cfgFile + ": " + at + "hidden_act '" + act
                    + "' is not supported (quick_gelu, gelu, gelu_pytorch_tanh)");
        };
        int classes = siglip ? 0 : size(w, "visual_projection.weight", 0);   // [E, D]; SigLIP's pooled output is the embedding
        int size = intOr(cfgFile, vc0, "image_size", 224);
        String name = siglip ? (type.equals("siglip") ? "SiglipModel" : "SiglipVisionModel")
                : (type.equals("clip") ? "CLIPModel" : "CLIPVisionModel");
        // CLIP: class token, pre-norm, token pooling, eps 1e-5, patch 32; SigLIP: no class token, attention pooling
        // (its head), eps 1e-6, patch 16, a patch-embedding bias
        VitConfig base = checked(cfgFile, () -> new VitConfig("hf:" + name,
                siglip ? CheckpointLayout.HF_SIGLIP : CheckpointLayout.HF_CLIP, size,
                intOr(cfgFile, vc0, "patch_size", siglip ? 16 : 32), intOr(cfgFile, vc0, "num_channels", 3),
                intOr(cfgFile, vc0, "hidden_size", 768), intOr(cfgFile, vc0, "num_hidden_layers", 12),
                intOr(cfgFile, vc0, "num_attention_heads", 12), intOr(cfgFile, vc0, "intermediate_size", 3072),
                true, false, !siglip, false, 0, false, false, siglip ? Pooling.MAP : Pooling.TOKEN, false,
                vc0.hasNonNull("layer_norm_eps") ? (float) asDouble(cfgFile, vc0.get("layer_norm_eps"), at + "layer_norm_eps")
                        : siglip ? 1e-6f : 1e-5f,
                activation, !siglip, classes));
        ConfigBuilder b = new ConfigBuilder(base);
        applyOverrides(b, opts);
        VitConfig vc = b.build();
        // CLIPImageProcessor: shorter side bicubic + center crop, OpenAI mean/std; SiglipImageProcessor: squash to
        // size x size bicubic, mean = std = 0.5
        PreprocessConfig pre = hfPreprocess(folder, siglip
                ? new PreprocessConfig(size, 1.0, "bicubic", PreprocessConfig.HALF, PreprocessConfig.HALF, true)
                : new PreprocessConfig(size, 1.0, "bicubic", PreprocessConfig.OPENAI_CLIP_MEAN, PreprocessConfig.OPENAI_CLIP_STD, false));
        if (vc.imageSize() != pre.inputSize()) pre = pre.withInputSize(vc.imageSize());
        return new ModelSpec(vc, pre, null, w.path(), folder + " (Hugging Face " + type + " folder)");
    }

    private static String hfPrefix(SafeTensors f) {
        for (String n : f.names()) {
            int i = n.indexOf("embeddings.patch_embeddings.projection.weight");
            if (i >= 0) return n.substring(0, i);
        }
        return "";
    }

    /** HF image processor: preprocessor_config.json when present, else ViT/DeiT processor defaults. */
    private static PreprocessConfig hfPreprocess(Path folder, boolean deit, int imageSize) throws IOException {
        // ViTImageProcessor: squash to 224 bilinear; DeiTImageProcessor: squash to 256 bicubic, crop 224
        return hfPreprocess(folder, deit
                ? new PreprocessConfig(imageSize, 224.0 / 256.0, "bicubic", PreprocessConfig.IMAGENET_MEAN, PreprocessConfig.IMAGENET_STD, true)
                : new PreprocessConfig(imageSize, 1.0, "bilinear", PreprocessConfig.HALF, PreprocessConfig.HALF, true));
    }

    /** HF image processor: preprocessor_config.json when present, else {@code def} (the processor's defaults). */
    private static PreprocessConfig hfPreprocess(Path folder, PreprocessConfig def) throws IOException {
        Path f = folder.resolve("preprocessor_config.json");
        float[] mean = def.mean(), std = def.std();
        String interp = def.interpolation();
        double cropPct = def.cropPct();
        boolean squash = def.squash();
        int input = def.inputSize();
        if (Files.isRegularFile(f)) {
            JsonNode p = readJson(f);
            if (p.hasNonNull("image_mean")) mean = floats(f, p.get("image_mean"), "image_mean");
            if (p.hasNonNull("image_std")) std = floats(f, p.get("image_std"), "image_std");
            if (p.hasNonNull("do_normalize") && !p.get("do_normalize").asBoolean()) {
                mean = new float[] {0, 0, 0};
                std = new float[] {1, 1, 1};
            }
            if (p.hasNonNull("resample")) {
                interp = switch (asInt(f, p.get("resample"), "resample")) {
                    case 0 -> "nearest";
                    case 2 -> "bilinear";
                    case 3 -> "bicubic";
                    default -> throw new ModelFormatException(f + ": resample " + p.get("resample") + " is not supported");
                };
            }
            int size = input;
            JsonNode s = p.get("size");
            // strict ints: asInt() would turn a string or a missing key into 0 (or a NullPointerException)
            if (s != null && s.isNumber()) size = asInt(f, s, "size");
            else if (s != null && s.has("height")) size = asInt(f, s.get("height"), "size.height");
            else if (s != null && s.has("shortest_edge")) {
                size = asInt(f, s.get("shortest_edge"), "size.shortest_edge");
                squash = false;
            } else if (s != null && !s.isNull()) {
                throw new ModelFormatException(f + ": 'size' is not an integer or {height, width} / {shortest_edge}: " + s);
            }
            boolean crop = p.hasNonNull("do_center_crop") && p.get("do_center_crop").asBoolean() && p.hasNonNull("crop_size");
            if (crop) {
                JsonNode c = p.get("crop_size");
                input = c.isNumber() ? asInt(f, c, "crop_size") : asInt(f, c.get("height"), "crop_size.height");
                cropPct = (double) input / size;
            } else {
                input = size;
                cropPct = 1.0;
            }
        }
        float[] m = mean, sd = std;   // (effectively final copies for the lambda)
        String ip = interp;
        int in = input;
        double crop = Math.min(cropPct, 1.0);
        boolean sq = squash;
        return checked(f, () -> new PreprocessConfig(in, crop, ip, m, sd, sq));
    }

    // ---------------------------------------------------------------- open_clip folder

    static final String OPEN_CLIP_CONFIG = "open_clip_config.json", OPEN_CLIP_WEIGHTS = "open_clip_model.safetensors";
    /** vision_cfg keys of open_clip's VisionTransformer this loader reads. */
    private static final Set<String> OPEN_CLIP_VISION_KEYS = Set.of("image_size", "layers", "width", "head_width",
            "mlp_ratio", "patch_size");
    /**
     * vision_cfg keys accepted at the values that leave the ViT tower as read here (open_clip's defaults; dropout and
     * output options do nothing at inference). Any other key, or another value, is refused by name.
     */
    private static final Map<String, java.util.function.Predicate<JsonNode>> OPEN_CLIP_HARMLESS = Map.of(
            "ls_init_value", JsonNode::isNull,
            "patch_dropout", n -> true,
            "output_tokens", n -> true,
            "attentional_pool", n -> n.isNull() || (n.isBoolean() && !n.asBoolean()),
            "no_ln_pre", n -> n.isNull() || (n.isBoolean() && !n.asBoolean()),
            "final_ln_after_pool", n -> n.isNull() || (n.isBoolean() && !n.asBoolean()),
            "global_average_pool", n -> n.isNull() || (n.isBoolean() && !n.asBoolean()),
            "pool_type", n -> n.isNull() || n.asText().equals("tok"),
            "pos_embed_type", n -> n.isNull() || n.asText().equals("learnable"),
            "timm_model_name", JsonNode::isNull);

    /**
     * open_clip's hub layout (e.g. laion/CLIP-ViT-B-32-laion2B-s34B-b79K): a ViT image tower with
     * {@code ln_pre}, class-token pooling after {@code ln_post}, a bias-free projection to {@code embed_dim}
     * (the head), LayerNorm eps 1e-5, QuickGELU when {@code quick_gelu}. Preprocessing as open_clip's
     * {@code image_transform} for inference: shorter side resized to image_size (bicubic), center crop, mean/std
     * from {@code preprocess_cfg} (OpenAI's by default).
     */
    private static ModelSpec openClipFolder(Path folder, Path cfgFile, JsonNode cfg, LoadOptions opts, SafeTensors w) {
        JsonNode model = cfg.get("model_cfg");
        if (model == null || !model.isObject()) throw new ModelFormatException(cfgFile + ": 'model_cfg' missing or not an object");
        JsonNode vision = model.get("vision_cfg");
        if (vision == null || !vision.isObject()) throw new ModelFormatException(cfgFile + ": 'model_cfg.vision_cfg' missing or not an object");
        for (Iterator<Map.Entry<String, JsonNode>> it = vision.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String k = e.getKey();
            if (OPEN_CLIP_VISION_KEYS.contains(k)) continue;
            var harmless = OPEN_CLIP_HARMLESS.get(k);
            if (harmless == null || !harmless.test(e.getValue())) {
                throw new ModelFormatException(cfgFile + ": model_cfg.vision_cfg." + k + " = " + e.getValue()
                        + " is not supported (a ViT image tower with " + String.join(", ", new java.util.TreeSet<>(OPEN_CLIP_VISION_KEYS))
                        + "; class-token pooling, ln_pre, no LayerScale)");
            }
        }
        JsonNode layers = vision.get("layers");
        if (layers != null && !layers.isIntegralNumber()) {
            throw new ModelFormatException(cfgFile + ": model_cfg.vision_cfg.layers " + layers
                    + " is a ResNet image tower; only ViT towers are supported");
        }
        int width = intOr(cfgFile, vision, "width", 768);
        int headWidth = intOr(cfgFile, vision, "head_width", 64);
        require(cfgFile, headWidth > 0 && width % headWidth == 0,
                "model_cfg.vision_cfg.width " + width + " is not a multiple of head_width " + headWidth);
        boolean quick = model.hasNonNull("quick_gelu") && asBool(cfgFile, model.get("quick_gelu"), "model_cfg.quick_gelu");
        int size = vision.hasNonNull("image_size") ? squareSize(cfgFile, vision.get("image_size"), "model_cfg.vision_cfg.image_size") : 224;
        int classes = size(w, "visual.proj", 1);   // x @ proj: [D, E]
        ConfigBuilder b = checked(cfgFile, () -> new ConfigBuilder(new VitConfig("open_clip:" + folder.getFileName(),
                CheckpointLayout.OPEN_CLIP, size, intOr(cfgFile, vision, "patch_size", 16), 3, width,
                intOr(cfgFile, vision, "layers", 12), width / headWidth, width * 4, true, false, true, false, 0, false, false,
                Pooling.TOKEN, false, 1e-5f, quick ? Activation.QUICK_GELU : Activation.GELU, true, classes)));
        if (vision.hasNonNull("mlp_ratio")) b.mlpRatio = asDouble(cfgFile, vision.get("mlp_ratio"), "model_cfg.vision_cfg.mlp_ratio");
        checked(cfgFile, b::build);
        PreprocessConfig pre = new PreprocessConfig(size, 1.0, "bicubic", PreprocessConfig.OPENAI_CLIP_MEAN,
                PreprocessConfig.OPENAI_CLIP_STD, false);
        JsonNode pc = cfg.get("preprocess_cfg");
        if (pc != null && pc.isObject()) {
            float[] mean = pc.hasNonNull("mean") ? floats(cfgFile, pc.get("mean"), "preprocess_cfg.mean") : pre.mean();
            float[] std = pc.hasNonNull("std") ? floats(cfgFile, pc.get("std"), "preprocess_cfg.std") : pre.std();
            PreprocessConfig base = pre;
            pre = checked(cfgFile, () -> base.withMeanStd(mean, std));
            if (pc.hasNonNull("interpolation")) {
                String ip = pc.get("interpolation").asText();
                PreprocessConfig p0 = pre;
                pre = checked(cfgFile, () -> p0.withInterpolation(ip));
            }
            if (pc.hasNonNull("resize_mode") && !pc.get("resize_mode").asText().equals("shortest")) {
                throw new ModelFormatException(cfgFile + ": preprocess_cfg.resize_mode '" + pc.get("resize_mode").asText()
                        + "' is not supported (shortest)");
            }
        }
        applyOverrides(b, opts);
        VitConfig vc = b.build();
        if (vc.imageSize() != pre.inputSize()) pre = pre.withInputSize(vc.imageSize());
        return new ModelSpec(vc, pre, null, w.path(), folder + " (open_clip folder)");
    }

    // ---------------------------------------------------------------- bare file + name

    private static ModelSpec bare(Path file, String archName, LoadOptions opts, SafeTensors w) {
        Architectures.ArchSpec spec = Architectures.resolve(archName);
        ConfigBuilder b = new ConfigBuilder(spec.config());
        PreprocessConfig pre = spec.preprocess();
        if (b.layout == CheckpointLayout.TIMM && w.has("visual.conv1.weight")) b.layout = CheckpointLayout.OPEN_CLIP;
        if (b.layout == CheckpointLayout.TIMM && w.has("vision_model.embeddings.patch_embedding.weight"))
            b.layout = w.has("vision_model.head.probe") ? CheckpointLayout.HF_SIGLIP : CheckpointLayout.HF_CLIP;
        b.numClasses = switch (b.layout) {   // the head's outputs, from its weight's shape
            case OPEN_CLIP -> size(w, "visual.proj", 1);              // x @ proj: [D, E]
            case HF_CLIP -> size(w, "visual_projection.weight", 0);   // [E, D]
            case TORCHVISION -> size(w, "heads.head.weight", 0);
            default -> size(w, "head.weight", 0);   // timm (an HF SigLIP file has none: its pooled output is the embedding)
        };
        if (b.layout == CheckpointLayout.TORCHVISION && w.has("encoder.pos_embedding")) {
            // torchvision runs only at the trained resolution: take it from the position embedding
            long[] s = w.info("encoder.pos_embedding").shape();
            int patchSize = opts.patchSize().orElse(b.patchSize);
            long g = Math.round(Math.sqrt(Math.max(0, s.length == 3 ? s[1] - 1 : 0)));
            if (s.length == 3 && g * g == s[1] - 1 && g > 0) {
                b.imageSize = (int) g * patchSize;
                pre = Architectures.torchvisionPreprocess(b.imageSize);
            }
        }
        applyOverrides(b, opts);
        VitConfig vc = b.build();
        if (vc.imageSize() != pre.inputSize()) pre = pre.withInputSize(vc.imageSize());
        return new ModelSpec(vc, pre, null, w.path(), file + " (safetensors, " + vc.architecture() + ")");
    }

    /** Architecture defaults with overrides and no checkpoint (random weights, benchmarks). */
    public static ModelSpec forArchitecture(LoadOptions opts) {
        String archName = opts.arch().orElseThrow(() -> new IllegalArgumentException(
                "an architecture name is needed. Known architectures: " + String.join(", ", Architectures.knownNames())));
        Architectures.ArchSpec spec = Architectures.resolve(archName);
        ConfigBuilder b = new ConfigBuilder(spec.config());
        applyOverrides(b, opts);
        VitConfig vc = b.build();
        PreprocessConfig pre = spec.preprocess();
        if (vc.imageSize() != pre.inputSize()) pre = pre.withInputSize(vc.imageSize());
        return new ModelSpec(vc, pre, null, null, "random weights (" + vc.architecture() + ")");
    }

    // ---------------------------------------------------------------- helpers

    /** Length of axis {@code axis} of the 2-D tensor {@code name}, or 0 when the file has no such 2-D tensor. */
    private static int size(SafeTensors w, String name, int axis) {
        return w.has(name) && w.info(name).shape().length == 2 ? (int) w.info(name).shape()[axis] : 0;
    }

    private static void applyOverrides(ConfigBuilder b, LoadOptions o) {
        o.imageSize().ifPresent(v -> b.imageSize = v);
        o.patchSize().ifPresent(v -> b.patchSize = v);
        o.inChans().ifPresent(v -> b.inChans = v);
        o.embedDim().ifPresent(v -> b.embedDim = v);
        o.depth().ifPresent(v -> b.depth = v);
        o.numHeads().ifPresent(v -> b.numHeads = v);
        o.mlpRatio().ifPresent(v -> b.mlpRatio = v);
        o.qkvBias().ifPresent(v -> b.qkvBias = v);
        o.numClasses().ifPresent(v -> b.numClasses = v);
        o.globalPool().ifPresent(v -> {
            b.pooling = Pooling.parse(v);
            b.fcNorm = null;
        });
    }

    private static Pooling parsePool(Path file, String s) {
        try {
            return Pooling.parse(s);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file + ": " + e.getMessage());
        }
    }

    /** Runs {@code make}, prefixing a plain IllegalArgumentException (a value out of range) with the file it came from. */
    private static <T> T checked(Path file, java.util.function.Supplier<T> make) {
        try {
            return make.get();
        } catch (ModelFormatException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file + ": " + e.getMessage(), e);
        }
    }

    private static void require(Path file, boolean ok, String msg) {
        if (!ok) throw new ModelFormatException(file + ": " + msg);
    }

    private static String text(Path file, JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) throw new ModelFormatException(file + ": '" + field + "' missing or not a string");
        return v.asText();
    }

    private static int intField(Path file, JsonNode n, String field) {
        return asInt(file, n.get(field), field);
    }

    private static int intOr(Path file, JsonNode n, String field, int def) {
        return n.hasNonNull(field) ? asInt(file, n.get(field), field) : def;
    }

    private static int asInt(Path file, JsonNode v, String where) {
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new ModelFormatException(file + ": '" + where + "' is not an integer: " + v);
        }
        return v.asInt();
    }

    private static int squareSize(Path file, JsonNode v, String where) {
        if (v.isArray()) {
            if (v.size() != 2 || asInt(file, v.get(0), where) != asInt(file, v.get(1), where)) {
                throw new ModelFormatException(file + ": '" + where + "' must be square, found " + v);
            }
            return asInt(file, v.get(0), where);
        }
        return asInt(file, v, where);
    }

    private static double asDouble(Path file, JsonNode v, String where) {
        if (v == null || !v.isNumber()) throw new ModelFormatException(file + ": '" + where + "' is not a number: " + v);
        return v.asDouble();
    }

    private static boolean asBool(Path file, JsonNode v, String where) {
        if (v == null || !v.isBoolean()) throw new ModelFormatException(file + ": '" + where + "' is not a boolean: " + v);
        return v.asBoolean();
    }

    private static float[] floats(Path file, JsonNode v, String where) {
        if (v == null || !v.isArray() || v.isEmpty()) throw new ModelFormatException(file + ": '" + where + "' is not a list of numbers");
        float[] f = new float[v.size()];
        for (int i = 0; i < f.length; i++) f[i] = (float) asDouble(file, v.get(i), where);
        return f;
    }

    private static List<String> stringList(Path file, JsonNode v, String where) {
        if (!v.isArray()) throw new ModelFormatException(file + ": '" + where + "' is not a list");
        List<String> out = new ArrayList<>();
        for (JsonNode n : v) out.add(n.asText());
        return out;
    }
}
