package dev.vitesse.model.family2;

import dev.vitesse.model.analysis.FeatureMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Opt-in check of the full-size configurations written by scripts/reference/check_family2_fullsize.py
 * (skipped unless -Dvitesse.family2.fullsize=DIR): logits and every block output, same bound as the fixtures.
 */
@EnabledIfSystemProperty(named = "vitesse.family2.fullsize", matches = ".+")
class Family2FullSizeCheck {
    @Test
    void fullSizeModelsMatchPyTorch() throws Exception {
        Path root = Path.of(System.getProperty("vitesse.family2.fullsize"));
        List<Path> dirs;
        try (Stream<Path> s = Files.list(root)) {
            dirs = s.filter(p -> Files.exists(p.resolve("expected.safetensors"))).sorted().toList();
        }
        assertThat(dirs).as("checkpoints under " + root).isNotEmpty();
        List<String> failures = new ArrayList<>();
        for (Path dir : dirs) {
            try {
                check(dir);
            } catch (AssertionError e) {
                System.out.println(dir.getFileName() + " FAILED: " + e.getMessage().lines().findFirst().orElse(""));
                failures.add(dir.getFileName() + ": " + e.getMessage());
            }
        }
        assertThat(failures).as("failed configurations").isEmpty();
    }

    private static void check(Path dir) throws Exception {
        {
            long t0 = System.nanoTime();
            Family2Model model = Family2Models.load(dir);
            long t1 = System.nanoTime();
            Tensors exp = SafetensorsReader.read(dir.resolve("expected.safetensors"));
            float[] input = exp.take("input", 1, 3, 224, 224);
            List<FeatureMap> maps = new ArrayList<>();
            float[] logits = model.forward(input, maps::add);
            Family2FixtureTest.assertClose(dir.getFileName() + " logits", logits, exp.take("logits", 1, 1000));
            for (FeatureMap m : maps) {
                int[] shape = exp.shapeOf("tap." + m.name());
                float[] r = exp.take("tap." + m.name(), shape);
                float[] planar = shape.length == 3
                        ? FeatureMap.fromTokens(0, "ref", m.kind(), r, 0, 1, shape[2], m.height(), m.width()).data() : r;
                Family2FixtureTest.assertClose(dir.getFileName() + " " + m.name(), m.data(), planar);
            }
            model.logits(input); // warm
            long t2 = System.nanoTime();
            model.logits(input);
            long t3 = System.nanoTime();
            System.out.printf("%-28s OK  load %.1fs  forward %.0f ms  (%d block outputs compared)%n",
                    model.architecture(), (t1 - t0) / 1e9, (t3 - t2) / 1e6, maps.size());
        }
    }
}
