package dev.vitesse.cli;

import dev.vitesse.model.analysis.AnalysisCsv;
import dev.vitesse.model.analysis.FeatureTap;
import dev.vitesse.model.analysis.FourierAnalysis;
import dev.vitesse.model.analysis.TappableModels;
import dev.vitesse.model.analysis.VarianceAnalysis;
import dev.vitesse.model.io.Npy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code vitesse analyze fourier|variance}: the feature-map analyses of "How Do Vision Transformers Work?"
 * (Park and Kim, ICLR 2022) on any model that reports per-block feature maps.
 */
@Command(name = "analyze", mixinStandardHelpOptions = true, version = Main.VERSION,
        description = "Feature-map analyses of \"How Do Vision Transformers Work?\": fourier, variance.",
        subcommands = {AnalyzeCommand.Fourier.class, AnalyzeCommand.Variance.class})
public final class AnalyzeCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing analysis: fourier or variance");
    }

    /** Options shared by both analyses. */
    static class Common {
        @Option(names = {"-m", "--model"}, required = true, paramLabel = "PATH",
                description = "Checkpoint folder (config.json + model.safetensors) or .safetensors file.")
        Path model;

        @Option(names = "--arch", paramLabel = "NAME", description = "Architecture, e.g. alternet:dnn_50 (overrides config.json).")
        String arch;

        @Option(names = {"-o", "--out"}, paramLabel = "DIR", defaultValue = ".",
                description = "Output folder for the CSV and PNG files (default: current folder).")
        Path out;

        @Parameters(arity = "1..*", paramLabel = "IMAGE",
                description = "Images (JPEG/PNG, preprocessed like the model's repository) or .npy tensors [3,H,W] / "
                        + "[1,3,H,W] that are already normalised.")
        List<Path> images;

        /** Loads the model and feeds every image through it into {@code tap}; returns the model's name. */
        String run(FeatureTap tap, PrintWriter log) throws IOException {
            if (!Files.exists(model)) throw new IllegalArgumentException(model + ": no such model file or folder");
            if (Files.exists(out) && !Files.isDirectory(out))
                throw new IllegalArgumentException("--out " + out + ": is a file, expected a folder");
            Files.createDirectories(out); // before the analysis, which can take minutes
            TappableModels.Loaded m = TappableModels.load(model, arch);
            int s = m.model().inputSize();
            for (Path img : images) {
                float[] x = AnalysisInputs.read(img, s, m);
                m.model().forward(x, tap);
                log.println("analyzed " + img);
            }
            return m.architecture();
        }
    }

    @Command(name = "fourier", mixinStandardHelpOptions = true, version = Main.VERSION,
            description = {"Relative log amplitude of the 2-D Fourier transform of every block's output feature map "
                    + "(mean over channels and images; diagonal from the center to the highest frequency).",
                    "Writes fourier.csv, fourier.png (highest frequency vs depth, blocks coloured by kind) and "
                            + "fourier_spectra.png (amplitude vs frequency per block)."})
    static final class Fourier extends Common implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            PrintWriter log = spec.commandLine().getOut();
            FourierAnalysis fa = new FourierAnalysis();
            String name = run(fa, log);
            var res = fa.results();
            Path csv = out.resolve("fourier.csv");
            try (Writer w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
                AnalysisCsv.writeFourier(res, w);
            }
            AnalysisCharts.fourierByDepth(res, "Fourier analysis: " + name, out.resolve("fourier.png"));
            AnalysisCharts.fourierSpectra(res, "Relative log amplitude: " + name, out.resolve("fourier_spectra.png"));
            log.println("wrote " + csv + ", " + out.resolve("fourier.png") + ", " + out.resolve("fourier_spectra.png")
                    + " (" + res.size() + " blocks)");
            return 0;
        }
    }

    @Command(name = "variance", mixinStandardHelpOptions = true, version = Main.VERSION,
            description = "Feature-map variance of every block's output (spatial variance per channel, mean over "
                    + "channels and images). Writes variance.csv and variance.png.")
    static final class Variance extends Common implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            PrintWriter log = spec.commandLine().getOut();
            VarianceAnalysis va = new VarianceAnalysis();
            String name = run(va, log);
            var res = va.results();
            Path csv = out.resolve("variance.csv");
            try (Writer w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
                AnalysisCsv.writeVariance(res, w);
            }
            AnalysisCharts.varianceByDepth(res, "Feature map variance: " + name, out.resolve("variance.png"));
            log.println("wrote " + csv + ", " + out.resolve("variance.png") + " (" + res.size() + " blocks)");
            return 0;
        }
    }

    /** Input decoding for the analyses. */
    static final class AnalysisInputs {
        private AnalysisInputs() {}

        static float[] read(Path img, int size, TappableModels.Loaded m) throws IOException {
            if (!Files.exists(img)) throw new IllegalArgumentException(img + ": no such image");
            if (img.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".npy")) {
                Npy.Array a = Npy.read(img);
                int[] sh = a.shape();
                boolean ok = (sh.length == 3 && sh[0] == 3 && sh[1] == size && sh[2] == size)
                        || (sh.length == 4 && sh[0] == 1 && sh[1] == 3 && sh[2] == size && sh[3] == size);
                if (!ok) {
                    throw new IllegalArgumentException(img + ": tensor shape " + java.util.Arrays.toString(sh)
                            + ", expected [3, " + size + ", " + size + "] or [1, 3, " + size + ", " + size + "]");
                }
                return a.data();
            }
            return ImagePreprocessing.load(img, m.preprocess());
        }
    }
}
