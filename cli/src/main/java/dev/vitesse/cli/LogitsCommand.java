package dev.vitesse.cli;

import dev.vitesse.model.VisionModel;
import dev.vitesse.model.io.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "logits", mixinStandardHelpOptions = true, version = Main.VERSION, sortOptions = false,
        description = {"Runs the model on an already preprocessed float32 NCHW batch (.npy) and writes the logits "
                + "as float32 .npy [batch, classes] — the exact-comparison entry point."})
final class LogitsCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ModelOptions model;

    @Option(names = {"-i", "--input"}, required = true, paramLabel = "X.npy", description = "float32/float64 [N, C, H, W].")
    Path input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "Y.npy", description = "Output logits [N, classes].")
    Path output;

    @Override
    public Integer call() throws Exception {
        OutputFiles.checkFile("--output", output);
        VisionModel m = model.load();
        Npy.Array x = readBatch(input, m);
        int n = x.dim(0);
        float[] logits = m.forward(x.data(), n);
        int classes = n == 0 ? Math.max(m.numClasses(), m.numFeatures()) : logits.length / n;
        Npy.write(output, logits, n, classes);
        spec.commandLine().getOut().printf(Locale.ROOT, "wrote %s: float32 [%d, %d]%n", output, n, classes);
        return 0;
    }

    /** Reads an NCHW batch and checks it against the model's input shape. */
    static Npy.Array readBatch(Path file, VisionModel m) throws java.io.IOException {
        if (!Files.exists(file)) throw new IllegalArgumentException(file + ": no such file");
        Npy.Array x = Npy.read(file);
        int[] s = x.shape();
        int c = m.inChans(), size = m.inputSize();
        if (s.length != 4 || s[1] != c || s[2] != size || s[3] != size) {
            throw new IllegalArgumentException(file + ": expected a float32 NCHW batch of shape [N, " + c + ", " + size + ", "
                    + size + "] for this model, found " + Arrays.toString(s));
        }
        if (s[0] == 0) throw new IllegalArgumentException(file + ": empty batch (N = 0)");
        return x;
    }
}
