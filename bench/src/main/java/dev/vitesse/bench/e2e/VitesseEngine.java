package dev.vitesse.bench.e2e;

import dev.vitesse.kernels.Parallel;
import dev.vitesse.model.VisionModel;
import dev.vitesse.model.fam1.Fam1Models;

import java.nio.file.Path;
import java.util.function.BiFunction;

/** Vitesse in this JVM: the model folder exported by scripts/e2e/export_models.py, loaded once. */
final class VitesseEngine implements Engine {
    private final BiFunction<float[], Integer, float[]> forward;
    /** Load time of the model (read + validate + pack), milliseconds. */
    final double loadMs;

    private VitesseEngine(BiFunction<float[], Integer, float[]> forward, double loadMs) {
        this.forward = forward;
        this.loadMs = loadMs;
    }

    /**
     * Loads {@code folder} (timm-style config.json + model.safetensors).
     *
     * @throws UnsupportedModelException when no Vitesse model family accepts the architecture
     */
    static VitesseEngine load(Path folder, String arch) throws UnsupportedModelException {
        long t0 = System.nanoTime();
        BiFunction<float[], Integer, float[]> f;
        try {
            f = loadForward(folder, arch);
        } catch (UnsupportedModelException e) {
            throw e;
        } catch (Exception e) {
            throw new UnsupportedModelException("Vitesse cannot load " + arch + ": " + e.getMessage(), e);
        }
        return new VitesseEngine(f, (System.nanoTime() - t0) / 1e6);
    }

    private static BiFunction<float[], Integer, float[]> loadForward(Path folder, String arch) throws Exception {
        if (arch.startsWith("vit_") || arch.startsWith("deit") || Fam1Models.handles(arch)) {
            VisionModel m = VisionModel.load(folder); // the public entry point, as users call it
            return m::forward;
        }
        throw new UnsupportedModelException("Vitesse has no loader for " + arch + " on this branch yet", null);
    }

    @Override
    public String name() {
        return "vitesse";
    }

    @Override
    public Timing run(float[] input, int batch, int threads, int warmup, int iterations) {
        Parallel.setThreads(threads);
        float[] y = null;
        for (int i = 0; i < warmup; i++) y = forward.apply(input, batch);
        double[] ms = new double[iterations];
        for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            y = forward.apply(input, batch);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return new Timing(ms, y);
    }
}
