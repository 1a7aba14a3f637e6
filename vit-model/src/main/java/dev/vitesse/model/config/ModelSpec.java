package dev.vitesse.model.config;

import java.nio.file.Path;
import java.util.List;

/**
 * A resolved model description: architecture, preprocessing, labels and the weights file.
 *
 * @param config     architecture at the run resolution
 * @param preprocess preprocessing the checkpoint expects
 * @param labels     class names from the checkpoint's config (id2label / label_names), or null
 * @param weights    the .safetensors file
 * @param source     human-readable description of where this came from
 */
public record ModelSpec(VitConfig config, PreprocessConfig preprocess, List<String> labels, Path weights, String source) {
}
