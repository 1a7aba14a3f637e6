package dev.vitesse.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The built-in demo model: a tiny ViT trained on scikit-learn's digits (scripts/train_digits.py), shipped as a
 * classpath resource folder in the timm hub layout, with sample images. Models are loaded from real files
 * (memory-mapped), so the folder is extracted once to the temp directory, keyed by a hash of its content.
 */
public final class BuiltinModel {
    static final String RESOURCE_DIR = "/dev/vitesse/cli/digits/";
    static final String[] MODEL_FILES = {"config.json", "model.safetensors", "pytorch_eval.json"};

    private static Path extracted;

    private BuiltinModel() {}

    /** Folder with config.json + model.safetensors + samples/ (extracted on first use). */
    public static synchronized Path folder() {
        if (extracted != null && Files.isDirectory(extracted)) return extracted;
        try {
            List<String> files = new ArrayList<>(List.of(MODEL_FILES));
            for (String s : sampleNames()) files.add("samples/" + s);
            List<byte[]> contents = new ArrayList<>();
            long hash = 1125899906842597L;
            for (String f : files) {
                byte[] b = resource(f);
                contents.add(b);
                for (byte x : b) hash = 31 * hash + x;
                for (char c : f.toCharArray()) hash = 31 * hash + c;
            }
            Path dir = Path.of(System.getProperty("java.io.tmpdir"),
                    "vitesse-builtin-digits-" + Long.toHexString(hash) + "-" + System.getProperty("user.name", "user"));
            if (!Files.isRegularFile(dir.resolve("complete"))) {
                // Extract into a private temp folder, then move it into place (concurrent first runs are safe).
                Path tmp = Files.createTempDirectory(dir.getParent(), "vitesse-extract-");
                Files.createDirectories(tmp.resolve("samples"));
                for (int i = 0; i < files.size(); i++) Files.write(tmp.resolve(files.get(i)), contents.get(i));
                Files.writeString(tmp.resolve("complete"), "ok\n");
                try {
                    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException | java.nio.file.DirectoryNotEmptyException e) {
                    deleteTree(tmp); // someone else won the race, or an incomplete folder exists
                    if (!Files.isRegularFile(dir.resolve("complete"))) {
                        throw new IOException("cannot extract the built-in model to " + dir + " (remove that folder and retry)");
                    }
                }
            }
            extracted = dir;
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the built-in model: " + e.getMessage(), e);
        }
    }

    /** The bundled sample images (PNG), sorted by name. */
    public static List<Path> samples() {
        Path dir = folder().resolve("samples");
        return sampleNames().stream().map(dir::resolve).toList();
    }

    static List<String> sampleNames() {
        String index = new String(resource("samples/index.txt"), StandardCharsets.UTF_8);
        return index.lines().map(String::strip).filter(s -> !s.isEmpty()).sorted().toList();
    }

    static byte[] resource(String name) {
        try (InputStream in = BuiltinModel.class.getResourceAsStream(RESOURCE_DIR + name)) {
            if (in == null) throw new IllegalStateException("built-in model resource " + RESOURCE_DIR + name + " is missing from the jar");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        }
    }
}
