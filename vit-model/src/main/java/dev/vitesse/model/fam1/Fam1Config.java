package dev.vitesse.model.fam1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a checkpoint folder's {@code config.json} says, in timm's hub format: {@code architecture},
 * {@code num_classes}, optional {@code model_args} (constructor overrides, e.g. a smaller
 * {@code embed_dim}) and {@code pretrained_cfg} (input size, mean/std, crop, interpolation).
 *
 * @param architecture name as given (prefix such as {@code torchvision:} kept)
 * @param numClasses   -1 when absent (taken from the head's shape)
 * @param modelArgs    never null (empty object when absent)
 * @param pretrained   never null (empty object when absent)
 */
public record Fam1Config(String architecture, int numClasses, ObjectNode modelArgs, ObjectNode pretrained) {

    /** Parses {@code config.json}. */
    public static Fam1Config read(Path configJson) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readAllBytes(configJson));   // bytes: bad UTF-8 is a JSON error
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(configJson + ": invalid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException(configJson + ": not a JSON object");
        String arch = root.path("architecture").asText(null);
        JsonNode n = root.get("num_classes");
        if (n != null && !n.isNull() && !(n.isIntegralNumber() && n.canConvertToInt() && n.asInt() >= 0)) {
            throw new dev.vitesse.model.io.ModelFormatException(configJson + ": num_classes must be an integer >= 0, found " + n);
        }
        int nc = n != null && !n.isNull() ? n.asInt() : -1;
        return new Fam1Config(arch, nc, object(root.get("model_args")), object(root.get("pretrained_cfg")));
    }

    /** A config with only an architecture name. */
    public static Fam1Config of(String architecture) {
        return new Fam1Config(architecture, -1, JsonNodeFactory.instance.objectNode(), JsonNodeFactory.instance.objectNode());
    }

    /** The same config for another architecture name (e.g. a command-line override). */
    public Fam1Config withArchitecture(String arch) {
        return new Fam1Config(arch, numClasses, modelArgs, pretrained);
    }

    /**
     * The same config at another input size: {@code model_args.img_size} (Swin's window clamping, PVT v1's
     * position embeddings, Mixer's token count follow it) and the preprocessing input size.
     */
    public Fam1Config withImageSize(int size) {
        if (size < 1) throw new IllegalArgumentException("image size must be >= 1, found " + size);
        ObjectNode args = modelArgs.deepCopy(), pre = pretrained.deepCopy();
        args.put("img_size", size);
        pre.putArray("input_size").add(3).add(size).add(size);
        return new Fam1Config(architecture, numClasses, args, pre);
    }

    private static ObjectNode object(JsonNode n) {
        return n instanceof ObjectNode o ? o : JsonNodeFactory.instance.objectNode();
    }

    /** {@code model_args[key]} as int, else {@code def}. */
    public int arg(String key, int def) {
        JsonNode n = modelArgs.get(key);
        if (n == null || n.isNull()) return def;
        return toInt(n, "model_args." + key);
    }

    /** {@code model_args[key]} as double, else {@code def}. */
    public double arg(String key, double def) {
        JsonNode n = modelArgs.get(key);
        if (n == null || n.isNull()) return def;
        if (!n.isNumber()) throw new IllegalArgumentException("model_args." + key + " must be a number, found " + n);
        return n.asDouble();
    }

    /** {@code model_args[key]} as boolean, else {@code def}. */
    public boolean arg(String key, boolean def) {
        JsonNode n = modelArgs.get(key);
        if (n == null || n.isNull()) return def;
        if (!n.isBoolean()) throw new IllegalArgumentException("model_args." + key + " must be a boolean, found " + n);
        return n.asBoolean();
    }

    /** {@code model_args[key]} as an int array (a scalar is repeated {@code def.length} times), else {@code def}. */
    public int[] ints(String key, int[] def) {
        JsonNode n = modelArgs.get(key);
        if (n == null || n.isNull()) return def;
        if (n.isNumber()) {
            int[] r = new int[def.length];
            java.util.Arrays.fill(r, toInt(n, "model_args." + key));
            return r;
        }
        if (!n.isArray()) throw new IllegalArgumentException("model_args." + key + " must be a list of integers, found " + n);
        int[] r = new int[n.size()];
        for (int i = 0; i < r.length; i++) r[i] = toInt(n.get(i), "model_args." + key + "[" + i + "]");
        return r;
    }

    /** {@code model_args[key]} as a double array (scalar repeated), else {@code def}. */
    public double[] doubles(String key, double[] def) {
        JsonNode n = modelArgs.get(key);
        if (n == null || n.isNull()) return def;
        if (n.isNumber()) {
            double[] r = new double[def.length];
            java.util.Arrays.fill(r, n.asDouble());
            return r;
        }
        if (!n.isArray()) throw new IllegalArgumentException("model_args." + key + " must be a list of numbers, found " + n);
        double[] r = new double[n.size()];
        for (int i = 0; i < r.length; i++) r[i] = toDouble(n.get(i), "model_args." + key + "[" + i + "]");
        return r;
    }

    // strict: asInt()/asDouble() would silently turn "6", 6.5 or [..] into 0 or a truncated value
    private static int toInt(JsonNode n, String where) {
        if (!n.isIntegralNumber() || !n.canConvertToInt()) throw new IllegalArgumentException(where + " must be an integer, found " + n);
        return n.asInt();
    }

    private static double toDouble(JsonNode n, String where) {
        if (!n.isNumber()) throw new IllegalArgumentException(where + " must be a number, found " + n);
        return n.asDouble();
    }

    /** Preprocessing from {@code pretrained_cfg}, falling back to {@code def} field by field. */
    public Preprocess preprocess(Preprocess def) {
        JsonNode in = pretrained.get("input_size");
        int h = def.height(), w = def.width();
        if (in != null && !in.isNull()) {
            if (!in.isArray() || in.size() != 3) {
                throw new IllegalArgumentException("pretrained_cfg.input_size must be [C, H, W], found " + in);
            }
            h = toInt(in.get(1), "pretrained_cfg.input_size[1]");
            w = toInt(in.get(2), "pretrained_cfg.input_size[2]");
        }
        JsonNode crop = pretrained.get("crop_pct"), interp = pretrained.get("interpolation");
        if (interp != null && !interp.isNull() && !interp.isTextual()) {
            throw new IllegalArgumentException("pretrained_cfg.interpolation must be a string, found " + interp);
        }
        return new Preprocess(h, w, floats(pretrained.get("mean"), def.mean(), "mean"),
                floats(pretrained.get("std"), def.std(), "std"),
                crop != null && !crop.isNull() ? toDouble(crop, "pretrained_cfg.crop_pct") : def.cropPct(),
                interp != null && !interp.isNull() ? interp.asText() : def.interpolation());
    }

    private static float[] floats(JsonNode n, float[] def, String key) {
        if (n == null || n.isNull()) return def;
        if (!n.isArray() || n.size() != 3) {
            throw new IllegalArgumentException("pretrained_cfg." + key + " must be a list of 3 numbers, found " + n);
        }
        float[] r = new float[3];
        for (int i = 0; i < 3; i++) r[i] = (float) toDouble(n.get(i), "pretrained_cfg." + key + "[" + i + "]");
        return r;
    }

    /** Input preprocessing a checkpoint expects. */
    public record Preprocess(int height, int width, float[] mean, float[] std, double cropPct, String interpolation) {
        public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
        public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

        /** timm's default: ImageNet mean/std, bicubic, crop 0.9 (1.0 above 224). */
        public static Preprocess timm(int size) {
            return new Preprocess(size, size, IMAGENET_MEAN, IMAGENET_STD, size > 224 ? 1.0 : 0.9, "bicubic");
        }
    }
}
