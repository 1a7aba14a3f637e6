package dev.vitesse.model.fam1;

import dev.vitesse.model.io.Npy;
import dev.vitesse.model.io.TensorMap;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A PyTorch fixture folder (scripts/reference/gen_fam1_fixtures.py) and the comparisons against it. */
final class Fixture {
    final Path dir;
    final Npy.Array input, logits;
    final TensorMap intermediates;

    Fixture(String resource) throws IOException {
        this(resource, resource);
    }

    /** Model from {@code modelResource}, input/outputs from {@code dataResource}. */
    Fixture(String modelResource, String dataResource) throws IOException {
        this.dir = path(modelResource);
        Path data = path(dataResource);
        this.input = Npy.read(data.resolve("input.npy"));
        this.logits = Npy.read(data.resolve("logits.npy"));
        this.intermediates = TensorMap.read(data.resolve("intermediates.safetensors"));
    }

    static Path path(String resource) {
        try {
            var url = Fixture.class.getResource("/fixtures/" + resource);
            if (url == null) throw new IllegalStateException("missing test resource fixtures/" + resource);
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    int batch() { return input.dim(0); }
    int height() { return input.dim(2); }
    int width() { return input.dim(3); }

    /** Runs the model collecting every block output as [batch][tokens][channels]. */
    Map<String, float[]> run(Fam1Model model, float[][] logitsOut) {
        Map<String, float[]> got = new LinkedHashMap<>();
        int b = batch();
        logitsOut[0] = model.logits(input.data(), b, height(), width(), (name, kind, image, tok, off, prefix, h, w, c) -> {
            int per = (prefix + h * w) * c;
            float[] all = got.computeIfAbsent(name, k -> new float[b * per]);
            System.arraycopy(tok, off, all, image * per, per);
        });
        return got;
    }

    /** Max abs error relative to the reference's max abs value. */
    static double relErr(float[] got, float[] want) {
        assertThat(got).hasSameSizeAs(want);
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < got.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs((double) got[i] - want[i]));
            maxRef = Math.max(maxRef, Math.abs(want[i]));
            if (Float.isNaN(got[i])) return Double.POSITIVE_INFINITY;
        }
        return maxDiff / Math.max(maxRef, 1e-30);
    }

    /** Compares logits and every reference intermediate (which must all be reported by the model). */
    void check(Fam1Model model, double tol) {
        float[][] logitsOut = new float[1][];
        Map<String, float[]> got = run(model, logitsOut);
        for (String name : intermediates.names()) {
            int[] shape = intermediates.shapeOf(name);
            float[] want = intermediates.take(name, shape);
            assertThat(got).as("model did not report block '%s'; it reported %s", name, got.keySet()).containsKey(name);
            assertThat(relErr(got.get(name), want)).as("block %s relative error", name).isLessThanOrEqualTo(tol);
        }
        assertThat(relErr(logitsOut[0], logits.data())).as("logits relative error").isLessThanOrEqualTo(tol);
    }
}
