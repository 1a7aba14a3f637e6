package dev.vitesse.model.family2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code config.json} of a checkpoint folder: {@code architecture} plus optional overrides of the named
 * variant's hyper-parameters (e.g. {@code num_classes}, {@code embed_dim}, {@code depth}). Unknown keys are
 * rejected so that a typo does not silently load the default.
 */
public final class ModelConfig {
    private final String source;
    private final ObjectNode json;

    private ModelConfig(String source, ObjectNode json) {
        this.source = source;
        this.json = json;
    }

    public static ModelConfig read(Path file) throws IOException {
        JsonNode n;
        try {
            n = new ObjectMapper().readTree(Files.readAllBytes(file));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("config " + file + " is not valid JSON: " + e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) throw new IllegalArgumentException("config " + file + " is not a JSON object");
        return new ModelConfig(file.toString(), (ObjectNode) n);
    }

    /** A config with only an architecture (used with {@code --arch} when the folder has no config.json). */
    public static ModelConfig of(String architecture) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("architecture", architecture);
        return new ModelConfig("--arch " + architecture, n);
    }

    /** Parses a config from a JSON string (tests, programmatic use). */
    public static ModelConfig parse(String jsonText) {
        try {
            JsonNode n = new ObjectMapper().readTree(jsonText);
            if (n == null || !n.isObject()) throw new IllegalArgumentException("config is not a JSON object");
            return new ModelConfig("<json>", (ObjectNode) n);
        } catch (IOException e) {
            throw new IllegalArgumentException("config is not valid JSON: " + e.getMessage());
        }
    }

    /** Same config with another architecture (the {@code --arch} override). */
    public ModelConfig withArchitecture(String arch) {
        ObjectNode n = json.deepCopy();
        n.put("architecture", arch);
        return new ModelConfig(source + " (architecture overridden to " + arch + ")", n);
    }

    /** Same config with an integer hyper-parameter set (e.g. {@code img_size} for a random-weight model). */
    public ModelConfig withInt(String key, int value) {
        ObjectNode n = json.deepCopy();
        n.put(key, value);
        return new ModelConfig(source + " (" + key + " = " + value + ")", n);
    }

    public String source() {
        return source;
    }

    public String architecture() {
        JsonNode a = json.get("architecture");
        if (a == null || !a.isTextual()) throw new IllegalArgumentException("config " + source + " has no \"architecture\" string");
        return a.asText();
    }

    public int intValue(String key, int def) {
        JsonNode v = json.get(key);
        if (v == null || v.isNull()) return def;
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new IllegalArgumentException("config " + source + ": \"" + key + "\" must be an integer, found " + v);
        }
        int i = v.asInt();
        if (i < 1) throw new IllegalArgumentException("config " + source + ": \"" + key + "\" must be >= 1, found " + i);
        return i;
    }

    public double doubleValue(String key, double def) {
        JsonNode v = json.get(key);
        if (v == null || v.isNull()) return def;
        if (!v.isNumber()) throw new IllegalArgumentException("config " + source + ": \"" + key + "\" must be a number, found " + v);
        return v.asDouble();
    }

    public int[] intArray(String key, int[] def) {
        JsonNode v = json.get(key);
        if (v == null || v.isNull()) return def.clone();
        if (!v.isArray() || v.size() != def.length) {
            throw new IllegalArgumentException("config " + source + ": \"" + key + "\" must be an array of " + def.length
                    + " integers, found " + v);
        }
        int[] out = new int[def.length];
        for (int i = 0; i < out.length; i++) {
            JsonNode e = v.get(i);
            if (!e.isIntegralNumber() || e.asInt() < 0) {
                throw new IllegalArgumentException("config " + source + ": \"" + key + "\"[" + i + "] must be a non-negative integer, found " + e);
            }
            out[i] = e.asInt();
        }
        return out;
    }

    /** @throws IllegalArgumentException if the config has keys outside {@code allowed} (plus generic ones) */
    public void requireOnlyKeys(Set<String> allowed) {
        Set<String> generic = Set.of("architecture", "num_classes", "pretrained_cfg", "label_names", "id2label",
                "model_type", "_comment");
        Set<String> bad = new TreeSet<>();
        json.fieldNames().forEachRemaining(k -> {
            if (!allowed.contains(k) && !generic.contains(k)) bad.add(k);
        });
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException("config " + source + ": unknown key(s) " + bad + " for " + architecture()
                    + " (allowed: " + new TreeSet<>(allowed) + ")");
        }
    }

    public JsonNode raw() {
        return json.deepCopy();
    }
}
