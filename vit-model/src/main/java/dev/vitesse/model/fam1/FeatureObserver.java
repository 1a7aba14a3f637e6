package dev.vitesse.model.fam1;

/**
 * Receives block outputs during a forward pass (fixture comparisons, feature-map analyses). Called on
 * the calling thread in block order, once per image; the array is the model's live buffer, valid only
 * during the call (copy what you keep).
 */
@FunctionalInterface
public interface FeatureObserver {
    /** What a block is, for analyses that colour blocks by kind. */
    enum Kind { EMBEDDING, ATTENTION, MLP, TOKEN_MLP, NORM, DOWNSAMPLE }

    /**
     * @param name      checkpoint-style name of the block, e.g. {@code layers.1.blocks.0}
     * @param image     index of the image in the batch
     * @param tokens    channels-last token rows {@code [prefix + height*width][channels]} at {@code offset}
     * @param prefix    leading non-spatial tokens (PVT v1's class token), 0 otherwise
     */
    void block(String name, Kind kind, int image, float[] tokens, int offset, int prefix, int height, int width, int channels);
}
