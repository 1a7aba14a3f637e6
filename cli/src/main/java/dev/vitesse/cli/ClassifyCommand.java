package dev.vitesse.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.vitesse.model.Prediction;
import dev.vitesse.model.VisionModel;
import dev.vitesse.model.preprocess.ImageTransform;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "classify", mixinStandardHelpOptions = true, version = Main.VERSION, sortOptions = false,
        description = {"Top-k classes for images (files or folders).",
                "Without --model and images: the built-in digits model on its bundled samples (no downloads)."})
final class ClassifyCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ModelOptions model;
    @Mixin PreprocessOptions prep;

    @Option(names = {"-k", "--top"}, paramLabel = "K", defaultValue = "5", description = "Classes per image (default ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--json", description = "Print one JSON array instead of text.")
    boolean json;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "16", description = "Images per forward pass (default ${DEFAULT-VALUE}).")
    int batch;

    @Parameters(paramLabel = "IMAGE", arity = "0..*", description = "JPEG/PNG/BMP/GIF files or folders of them.")
    List<Path> images = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (top < 1) throw new IllegalArgumentException("--top must be >= 1, got " + top);
        if (batch < 1) throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        boolean samples = images.isEmpty();
        if (samples && !model.builtin()) throw new IllegalArgumentException("no images given (classify --model PATH IMAGE...)");
        List<Path> files = samples ? BuiltinModel.samples() : ImageInputs.expand(images);
        VisionModel m = model.load();
        if (m.numClasses() == 0) {
            throw new IllegalArgumentException(model.describe() + " has no classification head; use 'vitesse embed'");
        }
        if (m.headIsImageProjection()) {
            throw new IllegalArgumentException(model.describe() + " is a CLIP image tower: its head projects into the "
                    + "image-text embedding space, it does not classify; use 'vitesse embed --head' for the image embeddings");
        }
        ImageTransform tf = prep.transform(m);
        int k = Math.min(top, m.numClasses());
        PrintWriter out = spec.commandLine().getOut();
        if (samples && !json) {
            out.println("# built-in model: tiny ViT trained on scikit-learn's 8x8 digits (scripts/train_digits.py), "
                    + "on its " + files.size() + " bundled test images; file names carry the true digit");
        }
        List<Map<String, Object>> results = new ArrayList<>();
        try (ProgressBar bar = new ProgressBar(spec.commandLine().getErr(), files.size(), ProgressBar.wanted(files.size()))) {
            for (int start = 0; start < files.size(); start += batch) {
                List<Path> chunk = files.subList(start, Math.min(files.size(), start + batch));
                float[] logits = m.forward(Images.batch(chunk, tf), chunk.size());
                for (int i = 0; i < chunk.size(); i++) {
                    List<Prediction> preds = m.topK(logits, i, k);
                    String name = Images.displayName(chunk.get(i), samples);
                    if (json) {
                        Map<String, Object> r = new LinkedHashMap<>();
                        r.put("image", name);
                        List<Map<String, Object>> tops = new ArrayList<>();
                        for (Prediction p : preds) {
                            Map<String, Object> e = new LinkedHashMap<>();
                            e.put("index", p.index());
                            e.put("label", p.label());
                            e.put("probability", p.probability());
                            tops.add(e);
                        }
                        r.put("top", tops);
                        results.add(r);
                    } else {
                        printText(out, name, preds);
                    }
                }
                bar.update(start + chunk.size());
            }
        }
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(results));
        }
        out.flush();
        return 0;
    }

    private static void printText(PrintWriter out, String name, List<Prediction> preds) {
        if (preds.size() == 1) {
            Prediction p = preds.get(0);
            out.printf(Locale.ROOT, "%s: %s (%.2f%%)%n", name, p.label(), 100.0 * p.probability());
            return;
        }
        out.println(name);
        for (Prediction p : preds) {
            out.printf(Locale.ROOT, "  %6.2f%%  %s%n", 100.0 * p.probability(), p.label());
        }
    }
}
