package dev.vitesse.model.analysis;

/**
 * A model that can report its per-block feature maps. Implemented by the feed-forward-only ViT,
 * Refiner-ViT and AlterNet; other families add it by calling the tap after each block.
 */
public interface Tappable {
    /** Input side length in pixels (square input) the model expects. */
    int inputSize();

    /**
     * Runs one image and reports every block's output to {@code tap} (null = no tapping).
     *
     * @param image normalised image, planar {@code [3][inputSize][inputSize]}
     * @return logits
     */
    float[] forward(float[] image, FeatureTap tap);
}
