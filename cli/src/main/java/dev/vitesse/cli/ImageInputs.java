package dev.vitesse.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/** Expands command-line image arguments: files as given, folders to their image files (recursively, sorted). */
final class ImageInputs {
    static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "gif");

    private ImageInputs() {}

    static List<Path> expand(List<Path> args) {
        List<Path> out = new ArrayList<>();
        for (Path p : args) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.walk(p)) {
                    List<Path> found = s.filter(Files::isRegularFile).filter(ImageInputs::isImageName).sorted().toList();
                    if (found.isEmpty()) {
                        throw new IllegalArgumentException(p + ": folder contains no images (" + String.join(", ", EXTENSIONS) + ")");
                    }
                    out.addAll(found);
                } catch (IOException e) {
                    throw new UncheckedIOException(p + ": cannot list folder: " + e.getMessage(), e);
                }
            } else if (!Files.exists(p)) {
                throw new IllegalArgumentException(p + ": no such file or folder");
            } else {
                out.add(p);
            }
        }
        return out;
    }

    static boolean isImageName(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
