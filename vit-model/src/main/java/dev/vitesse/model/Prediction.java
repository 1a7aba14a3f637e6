package dev.vitesse.model;

/**
 * One top-k entry.
 *
 * @param index       class index
 * @param label       class name (id2label / label_names / bundled ImageNet-1k labels, else the index as text)
 * @param probability softmax probability over all classes
 */
public record Prediction(int index, String label, float probability) {
}
