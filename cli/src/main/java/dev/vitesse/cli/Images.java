package dev.vitesse.cli;

import dev.vitesse.kernels.Parallel;
import dev.vitesse.model.preprocess.ImageTransform;
import java.nio.file.Path;
import java.util.List;

/** Preprocessing of a chunk of image files into one NCHW batch (images decoded in parallel). */
final class Images {
    private Images() {}

    static float[] batch(List<Path> files, ImageTransform tf) {
        int per = 3 * tf.cropHeight() * tf.cropWidth();
        float[] x = new float[files.size() * per];
        Parallel.forEach(files.size(), i -> System.arraycopy(tf.apply(files.get(i)), 0, x, i * per, per));
        return x;
    }

    /** Name to print for an image: built-in samples by file name, user files as given. */
    static String displayName(Path p, boolean builtinSample) {
        return builtinSample ? p.getFileName().toString() : p.toString();
    }
}
