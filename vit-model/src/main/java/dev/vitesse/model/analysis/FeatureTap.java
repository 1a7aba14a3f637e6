package dev.vitesse.model.analysis;

/**
 * Receives each block's output during a forward pass (a hook for the "How Do ViTs Work?" analyses).
 * Called on the inference thread in block order; the map's data is a fresh copy the receiver may keep.
 */
@FunctionalInterface
public interface FeatureTap {
    void accept(FeatureMap map);
}
