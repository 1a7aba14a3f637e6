package dev.vitesse.model.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The 1000 ImageNet-1k class names in class-index order, bundled as {@code dev/vitesse/model/imagenet_labels.txt}
 * (generated from torchvision's {@code _IMAGENET_CATEGORIES} by scripts/gen_imagenet_labels.py).
 */
public final class ImageNetLabels {
    /** Classpath location of the label file. */
    public static final String RESOURCE = "/dev/vitesse/model/imagenet_labels.txt";

    private static volatile List<String> labels;

    private ImageNetLabels() {}

    /** Immutable list of 1000 names; {@code get().get(281)} is "tabby". */
    public static List<String> get() {
        List<String> l = labels;
        if (l == null) {
            l = load();
            labels = l;
        }
        return l;
    }

    private static List<String> load() {
        try (InputStream in = ImageNetLabels.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("bundled resource " + RESOURCE + " is missing");
            List<String> l = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList();
            if (l.size() != 1000) throw new IllegalStateException(RESOURCE + " has " + l.size() + " lines, expected 1000");
            return l;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
