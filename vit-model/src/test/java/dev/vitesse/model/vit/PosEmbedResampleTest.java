package dev.vitesse.model.vit;

import dev.vitesse.model.io.SafeTensors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Position-embedding resampling vs PyTorch's F.interpolate on a 5x5 grid, up and down by various factors
 * (fixture from scripts/reference/gen_resample_fixtures.py). Both run in float32 in PyTorch; we use double,
 * so agreement is to a few float ulps (values are O(1); PyTorch computes source coordinates and weights in float32).
 */
class PosEmbedResampleTest {
    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 7, 8, 12, 13})
    void matchesTorchInterpolate(int size) throws Exception {
        Path f = Path.of(PosEmbedResampleTest.class.getResource("/fixtures/vit/resample.safetensors").toURI());
        try (SafeTensors st = SafeTensors.open(f)) {
            float[] src = st.floats("src");
            int dim = (int) st.info("src").shape()[2];
            check(PosEmbedResample.timm(src, 5, 5, size, size, dim), st.floats("timm_" + size), "timm " + size);
            check(PosEmbedResample.hf(src, 5, 5, size, size, dim), st.floats("hf_" + size), "hf " + size);
        }
    }

    private static void check(float[] actual, float[] expected, String what) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i]).as(what + " element " + i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(5e-6));
        }
    }
}
