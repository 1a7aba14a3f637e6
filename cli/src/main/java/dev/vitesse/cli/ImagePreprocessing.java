package dev.vitesse.cli;

import dev.vitesse.model.config.PreprocessConfig;
import dev.vitesse.model.preprocess.ImageTransform;

import java.nio.file.Path;

/** Image file to normalised CHW tensor with the eval transform the analysed checkpoint expects. */
final class ImagePreprocessing {
    private ImagePreprocessing() {}

    static float[] load(Path image, PreprocessConfig preprocess) {
        return ImageTransform.of(preprocess).apply(image);
    }
}
