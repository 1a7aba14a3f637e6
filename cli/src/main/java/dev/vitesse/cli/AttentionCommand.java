package dev.vitesse.cli;

import dev.vitesse.model.AttentionMaps;
import dev.vitesse.model.VisionModel;
import dev.vitesse.model.preprocess.ImageLoader;
import dev.vitesse.model.preprocess.ImageTransform;
import dev.vitesse.model.preprocess.RgbImage;
import dev.vitesse.model.viz.AttentionRollout;
import dev.vitesse.model.viz.HeatmapOverlay;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "attention", mixinStandardHelpOptions = true, version = Main.VERSION, sortOptions = false,
        description = {"Attention rollout heatmap (heads averaged, identity added, rows renormalised, layers multiplied; "
                + "class-token row over the patches) blended over the cropped input image, as PNG."})
final class AttentionCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ModelOptions model;
    @Mixin PreprocessOptions prep;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "HEAT.png", description = "Output PNG.")
    Path out;

    @Option(names = "--alpha", paramLabel = "A", defaultValue = "0.5", description = "Heatmap opacity 0..1 (default ${DEFAULT-VALUE}).")
    float alpha;

    @Option(names = "--scale", paramLabel = "S", defaultValue = "0",
            description = "Upscale the output image by this factor (default: automatic, at least 224 pixels wide).")
    int scale;

    @Parameters(paramLabel = "IMAGE", arity = "1", description = "Image file.")
    Path image;

    @Override
    public Integer call() throws Exception {
        if (!(alpha >= 0 && alpha <= 1)) throw new IllegalArgumentException("--alpha must be in [0, 1], got " + alpha);
        if (scale < 0 || scale > 64) throw new IllegalArgumentException("--scale must be in 0..64, got " + scale);
        OutputFiles.checkFile("--out", out);
        VisionModel m = model.load();
        ImageTransform tf = prep.transform(m);
        RgbImage cropped = tf.resizeAndCrop(ImageLoader.read(image));
        AttentionMaps maps = m.attentionMaps(tf.toTensor(cropped), 1);
        float[][] perLayer = new float[maps.layers()][];
        int hn = maps.heads() * maps.tokens() * maps.tokens();
        for (int l = 0; l < maps.layers(); l++) perLayer[l] = java.util.Arrays.copyOfRange(maps.probs()[l], maps.offset(0, 0), maps.offset(0, 0) + hn);
        float[] rel = AttentionRollout.rollout(perLayer, maps.heads(), maps.tokens(), maps.prefixTokens(),
                m.config().classToken());
        int g = maps.gridSize();
        int s = scale > 0 ? scale : Math.max(1, (224 + cropped.width() - 1) / cropped.width());
        RgbImage base = s == 1 ? cropped : dev.vitesse.model.preprocess.PilResize.resize(cropped, cropped.width() * s,
                cropped.height() * s, dev.vitesse.model.preprocess.Interpolation.NEAREST);
        HeatmapOverlay.writePng(HeatmapOverlay.overlay(base, rel, g, g, alpha), out);
        int best = 0;
        for (int i = 1; i < rel.length; i++) if (rel[i] > rel[best]) best = i;
        spec.commandLine().getOut().printf(Locale.ROOT,
                "wrote %s (%dx%d): rollout over %d layers, %dx%d patches; most attended patch row %d, col %d%n",
                out, base.width(), base.height(), maps.layers(), g, g, best / g, best % g);
        return 0;
    }
}
