package dev.vitesse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vitesse.model.VisionModel;
import dev.vitesse.model.preprocess.ImageTransform;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "info", mixinStandardHelpOptions = true, version = Main.VERSION,
        description = "Architecture, parameter count and the preprocessing the CLI will use.")
final class InfoCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ModelOptions model;
    @Mixin PreprocessOptions prep;

    /** "weights: bf16, 173.3 MB in memory" (bytes only where the family reports them). */
    static String weightsLine(VisionModel m) {
        long bytes = m.weightBytes();
        return "weights: " + m.weightFormat().cliName() + (bytes < 0 ? ""
                : String.format(Locale.ROOT, ", %.1f MB in memory (%,d bytes: packed GEMM weights at %d bytes each, "
                        + "other parameters fp32)", bytes / 1e6, bytes, m.weightFormat().bytesPerElement()));
    }

    @Override
    public Integer call() throws Exception {
        VisionModel m = model.load();
        ImageTransform tf = prep.transform(m);
        PrintWriter out = spec.commandLine().getOut();
        out.println(m.info());
        out.println("image pipeline: " + tf);
        out.println(weightsLine(m));
        double flops = m.family1Model() != null ? m.family1Model().flopsPerImage() : Flops.perImageOrNaN(m);
        if (!Double.isNaN(flops)) out.printf(Locale.ROOT, "compute: %.3f GFLOP per image%n", flops / 1e9);
        if (model.builtin()) {
            JsonNode eval = new ObjectMapper().readTree(BuiltinModel.folder().resolve("pytorch_eval.json").toFile());
            out.printf(Locale.ROOT, "built-in: tiny ViT trained on scikit-learn digits (scripts/train_digits.py); PyTorch test accuracy %.2f%% (%d/%d)%n",
                    100 * eval.get("accuracy").asDouble(), eval.get("correct").asInt(), eval.get("test_size").asInt());
        }
        out.flush();
        return 0;
    }
}
