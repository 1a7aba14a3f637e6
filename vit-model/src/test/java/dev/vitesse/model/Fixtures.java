package dev.vitesse.model;

import dev.vitesse.model.io.SafeTensors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Access to the PyTorch reference fixtures written by scripts/reference/gen_vit_fixtures.py. */
final class Fixtures {
    private Fixtures() {}

    static Path dir(String testCase) {
        URL u = Fixtures.class.getResource("/fixtures/vit/" + testCase);
        assertThat(u).as("fixture " + testCase).isNotNull();
        try {
            return Path.of(u.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** All tensors of a case's expected.safetensors as float arrays. */
    static Map<String, float[]> expected(String testCase) {
        try (SafeTensors st = SafeTensors.open(dir(testCase).resolve("expected.safetensors"))) {
            Map<String, float[]> m = new HashMap<>();
            for (String n : st.names()) m.put(n, st.floats(n));
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** PyTorch's parameter count of the case's model (expected.safetensors metadata). */
    static long numParams(String testCase) {
        try (SafeTensors st = SafeTensors.open(dir(testCase).resolve("expected.safetensors"))) {
            return Long.parseLong(st.metadata().get("num_params"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** max |a - b| / max |b|: the relative error of a whole tensor. */
    static double relErr(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        double num = 0, den = 0;
        for (int i = 0; i < expected.length; i++) {
            if (Float.isNaN(actual[i])) return Double.POSITIVE_INFINITY;
            num = Math.max(num, Math.abs((double) actual[i] - expected[i]));
            den = Math.max(den, Math.abs((double) expected[i]));
        }
        return num / den;
    }

    static void assertClose(String what, float[] actual, float[] expected, double tol) {
        double e = relErr(actual, expected);
        assertThat(e).as(what + ": relative error (max|a-b| / max|b|)").isLessThanOrEqualTo(tol);
    }
}
