package dev.vitesse.cli;

import dev.vitesse.model.VisionModel;
import dev.vitesse.model.io.Npy;
import dev.vitesse.model.preprocess.ImageTransform;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "embed", mixinStandardHelpOptions = true, version = Main.VERSION, sortOptions = false,
        description = {"Pre-logits embeddings (timm forward_head(pre_logits=True)) of images, or of a preprocessed "
                + ".npy batch, written as float32 .npy [N, features]; with --head, the head's outputs instead (CLIP "
                + "image towers: the projected image embedding)."})
final class EmbedCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ModelOptions model;
    @Mixin PreprocessOptions prep;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE.npy", description = "Output .npy file.")
    Path out;

    @Option(names = "--input", paramLabel = "X.npy", description = "Preprocessed float32 NCHW batch instead of images.")
    Path input;

    @Option(names = "--head", description = "Apply the model's head after pooling and write its outputs [N, outputs]: for a "
            + "CLIP image tower (vit_*_clip_*) the image embedding in the joint image-text space.")
    boolean head;

    @Option(names = "--tokens", description = "Write every token's features [N, tokens, features] (timm forward_features: "
            + "prefix tokens first, then the patch grid row by row), e.g. DINOv2's dense patch features. ViT-family models.")
    boolean tokens;

    @Option(names = "--normalize", description = "Scale every row to unit L2 norm (cosine similarity becomes a dot "
            + "product, as CLIP retrieval uses the embeddings).")
    boolean normalize;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "16", description = "Images per forward pass (default ${DEFAULT-VALUE}).")
    int batch;

    @Parameters(paramLabel = "IMAGE", arity = "0..*", description = "Image files or folders (default with the built-in model: its samples).")
    List<Path> images = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (batch < 1) throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        if (input != null && !images.isEmpty()) throw new IllegalArgumentException("give either --input X.npy or images, not both");
        OutputFiles.checkFile("--out", out);
        VisionModel m = model.load();
        if (head && tokens) throw new IllegalArgumentException("give --head or --tokens, not both");
        if (head && m.numClasses() == 0)
            throw new IllegalArgumentException("--head: " + m.architecture() + " has no head (num_classes 0); drop --head");
        if (tokens && (m.backend() != null || m.family1Model() != null))
            throw new IllegalArgumentException("--tokens: " + m.architecture() + " is not a ViT-family model; drop --tokens");
        int t = tokens ? m.config().numTokens() : 1;   // rows per image
        java.util.function.BiFunction<float[], Integer, float[]> pass = head ? m::forward : tokens ? m::tokens : m::embed;
        int d = (head ? m.numClasses() : m.numFeatures()) * t;
        float[] result;
        int n;
        if (input != null) {
            Npy.Array x = LogitsCommand.readBatch(input, m);
            n = x.dim(0);
            result = pass.apply(x.data(), n);
        } else {
            boolean samples = images.isEmpty();
            if (samples && !model.builtin()) throw new IllegalArgumentException("no images given (embed --model PATH --out e.npy IMAGE...)");
            List<Path> files = samples ? BuiltinModel.samples() : ImageInputs.expand(images);
            ImageTransform tf = prep.transform(m);
            n = files.size();
            result = new float[n * d];
            try (ProgressBar bar = new ProgressBar(spec.commandLine().getErr(), n, ProgressBar.wanted(n))) {
                for (int start = 0; start < n; start += batch) {
                    List<Path> chunk = files.subList(start, Math.min(n, start + batch));
                    float[] e = pass.apply(Images.batch(chunk, tf), chunk.size());
                    System.arraycopy(e, 0, result, start * d, chunk.size() * d);
                    bar.update(start + chunk.size());
                }
            }
        }
        int width = d / t;
        if (normalize) l2NormalizeRows(result, n * t, width);
        if (tokens) {
            Npy.write(out, result, n, t, width);
            spec.commandLine().getOut().printf(Locale.ROOT, "wrote %s: float32 [%d, %d, %d]%n", out, n, t, width);
        } else {
            Npy.write(out, result, n, d);
            spec.commandLine().getOut().printf(Locale.ROOT, "wrote %s: float32 [%d, %d]%n", out, n, d);
        }
        return 0;
    }

    /** Row by row, x / ||x||_2 (summed in double); an all-zero row stays zero. */
    static void l2NormalizeRows(float[] x, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int j = 0; j < cols; j++) s += (double) x[r * cols + j] * x[r * cols + j];
            if (s == 0) continue;
            double inv = 1 / Math.sqrt(s);
            for (int j = 0; j < cols; j++) x[r * cols + j] = (float) (x[r * cols + j] * inv);
        }
    }
}
