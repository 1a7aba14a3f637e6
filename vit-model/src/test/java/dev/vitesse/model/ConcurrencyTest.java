package dev.vitesse.model;

import dev.vitesse.kernels.Parallel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** One loaded model shared by several request threads gives every thread the single-threaded answer. */
class ConcurrencyTest {
    @ParameterizedTest
    // LayerScale; registers; attention pool; CLIP (pre_norm, QuickGELU, open_clip layout)
    @ValueSource(strings = {"timm_deit3", "timm_reg", "timm_map_gelu_tanh", "open_clip_quickgelu", "hf_siglip"})
    void sharedModelIsThreadSafe(String fixture) throws Exception {
        VisionModel m = VisionModel.load(Fixtures.dir(fixture));
        Map<String, float[]> exp = Fixtures.expected(fixture);
        float[] x = exp.get("input");
        int per = x.length / 2;
        // different inputs per thread: scaled copies of the fixture images, batch sizes 1..3
        List<float[]> inputs = new ArrayList<>();
        List<Integer> batches = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            int b = 1 + t % 3;
            float[] in = new float[b * per];
            for (int i = 0; i < in.length; i++) in[i] = x[i % x.length] * (1 + 0.1f * t);
            inputs.add(in);
            batches.add(b);
        }
        List<float[]> serial = new ArrayList<>();
        for (int t = 0; t < inputs.size(); t++) serial.add(m.forward(inputs.get(t), batches.get(t)));

        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < inputs.size(); t++) {
                int id = t;
                results.add(pool.submit(() -> {
                    for (int rep = 0; rep < 20; rep++) {
                        if (!java.util.Arrays.equals(m.forward(inputs.get(id), batches.get(id)), serial.get(id))) return false;
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : results) assertThat(f.get()).isTrue();
        } finally {
            pool.shutdownNow();
        }
        assertThat(Parallel.requestsInProgress()).as("every pass ended its request").isZero();
        // and the shared model still matches PyTorch afterwards
        Fixtures.assertClose("logits", m.forward(x, 2), exp.get("logits"), ReferenceFixturesTest.TOL);
    }

    @Test
    void everyPassIsOneKernelRequest() throws Exception {
        VisionModel m = VisionModel.load(Fixtures.dir("timm_deit3"));
        float[] x = Fixtures.expected("timm_deit3").get("input");
        List<Integer> seen = new ArrayList<>();
        m.forward(java.util.Arrays.copyOf(x, x.length / 2), map -> seen.add(Parallel.requestsInProgress()));
        assertThat(seen).isNotEmpty().containsOnly(1);
        // a pass inside an application's own request counts once
        Parallel.request(() -> m.forward(java.util.Arrays.copyOf(x, x.length / 2), map -> seen.add(Parallel.requestsInProgress())));
        assertThat(seen).containsOnly(1);
        assertThat(Parallel.requestsInProgress()).isZero();
    }
}
