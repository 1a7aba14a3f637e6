package dev.vitesse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vitesse.kernels.Parallel;
import dev.vitesse.kernels.Profiler;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code vitesse bench --profile}: the per-operator table and its JSON, and that profiling is switched off again. */
class BenchProfileTest {
    private int threads;

    @BeforeEach
    void saveThreads() {
        threads = Parallel.threads();
    }

    @AfterEach
    void restoreThreads() { // --threads sets the shared team for the whole JVM
        Parallel.setThreads(threads);
    }

    @Test
    void profileAttributesViTTimeToOperatorKinds() throws IOException {
        // one thread: a batch of >= threads images runs one image per thread, and the kinds then add up thread time
        CliTest.Result r = CliTest.run("bench", "--arch", "vit_tiny_patch16_224", "--image-size", "32", "--batch", "2",
                "--iterations", "2", "--warmup", "0", "--profile", "--json", "--threads", "1");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("profile over 2 pass(es)").contains("GEMM (+ fused epilogue)")
                .contains("attention").contains("norms").contains("other (not instrumented)");
        List<String> lines = r.out().lines().toList();
        JsonNode j = new ObjectMapper().readTree(lines.get(lines.size() - 1));
        JsonNode p = j.get("profile_ms_per_pass");
        assertThat(p).isNotNull();
        // a ViT forward runs 4 GEMMs per block + patch embed + head, 2 norms per block, 1 attention per block
        assertThat(p.get("gemm").asDouble()).isPositive();
        assertThat(p.get("attention").asDouble()).isPositive();
        assertThat(p.get("norm").asDouble()).isPositive();
        double sum = 0;
        for (String k : List.of("gemm", "attention", "norm", "activation", "data_movement", "conv", "other")) sum += p.get(k).asDouble();
        assertThat(sum).isCloseTo(p.get("total").asDouble(), org.assertj.core.data.Percentage.withPercentage(1e-6));
        assertThat(Profiler.enabled()).isFalse();
    }

    @Test
    void everyFamilyBenchesWithRandomWeightsAndIsProfiled() throws IOException {
        // small configurations: ffvit and Refiner at 64 px, AlterNet needs a multiple of 224, Swin/PVT/Mixer likewise
        for (String[] c : List.of(new String[] {"ffvit:linear_tiny", "64"}, new String[] {"refiner:Refiner_ViT_S", "64"},
                new String[] {"alternet:dnn_18", "224"}, new String[] {"pvt_v2_b0", "64"})) {
            CliTest.Result r = CliTest.run("bench", "--arch", c[0], "--image-size", c[1], "--iterations", "1",
                    "--warmup", "0", "--profile", "--json");
            assertThat(r.code()).as(c[0] + ": " + r.err()).isZero();
            assertThat(r.out()).contains(c[0] + " (random fp32 weights").doesNotContain("no profiling hooks");
            List<String> lines = r.out().lines().toList();
            JsonNode j = new ObjectMapper().readTree(lines.get(lines.size() - 1));
            assertThat(j.get("gflop_per_image").asDouble()).as(c[0]).isPositive();
            JsonNode p = j.get("profile_ms_per_pass");
            assertThat(p.get("gemm").asDouble()).as(c[0]).isPositive();
            assertThat(p.get("norm").asDouble()).as(c[0]).isPositive();
        }
    }

    @Test
    void withoutProfileNoProfileIsReported() throws IOException {
        CliTest.Result r = CliTest.run("bench", "--arch", "vit_tiny_patch16_224", "--image-size", "32",
                "--iterations", "1", "--warmup", "0", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).doesNotContain("profile over");
        List<String> lines = r.out().lines().toList();
        assertThat(new ObjectMapper().readTree(lines.get(lines.size() - 1)).has("profile_ms_per_pass")).isFalse();
    }
}
