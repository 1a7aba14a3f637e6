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
        float[] x = nchw(files.size(), per);
        Parallel.forEach(files.size(), i -> System.arraycopy(tf.apply(files.get(i)), 0, x, i * per, per));
        return x;
    }

    /**
     * A zeroed NCHW input of {@code images} images of {@code per} floats each, or a clear error when that is more than
     * one Java array holds (before: the int product wrapped, and {@code bench --batch 1000000} printed
     * "vitesse: -1222967296").
     */
    static float[] nchw(int images, int per) {
        long floats = (long) images * per;
        if (floats > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(images + " images of " + per + " floats each (3 x H x W) are " + floats
                    + " floats, more than one Java array holds (2^31 - 1): use a smaller --batch");
        }
        return new float[(int) floats];
    }

    /** Name to print for an image: built-in samples by file name, user files as given. */
    static String displayName(Path p, boolean builtinSample) {
        return builtinSample ? p.getFileName().toString() : p.toString();
    }
}
