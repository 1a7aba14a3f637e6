package dev.vitesse.model;

import dev.vitesse.kernels.Parallel;
import dev.vitesse.model.family2.Family2FixtureTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class ImageParallelTest {
    private int threads;

    @BeforeEach
    void saveThreads() {
        threads = Parallel.threads();
    }

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(threads);
    }

    /** A fake pass: 3 floats per image, image i is filled with i; outputs per image are (10 i, 10 i + 1). */
    private static final class Recorder implements ImageParallel.Pass {
        final List<Integer> batches = Collections.synchronizedList(new ArrayList<>());
        final List<float[]> inputs = Collections.synchronizedList(new ArrayList<>());

        @Override
        public float[] run(float[] images, int batch) {
            batches.add(batch);
            inputs.add(images);
            float[] out = new float[2 * batch];
            for (int b = 0; b < batch; b++) {
                out[2 * b] = 10 * images[3 * b];
                out[2 * b + 1] = 10 * images[3 * b] + 1;
            }
            return out;
        }
    }

    private static float[] images(int batch) {
        float[] x = new float[3 * batch];
        for (int i = 0; i < x.length; i++) x[i] = i / 3;
        return x;
    }

    private static float[] expectedOutputs(int batch) {
        float[] y = new float[2 * batch];
        for (int b = 0; b < batch; b++) {
            y[2 * b] = 10 * b;
            y[2 * b + 1] = 10 * b + 1;
        }
        return y;
    }

    @Test
    void fullRoundsRunAsTasksAndTheRestAsOneBatch() {
        Parallel.setThreads(3);
        Recorder r = new Recorder();
        float[] out = ImageParallel.run(images(8), 8, 3, r);
        assertThat(out).containsExactly(expectedOutputs(8));
        // 6 images (two rounds of 3 threads) as one task of 2 per thread, then the last 2 together
        assertThat(r.batches).hasSize(4);
        assertThat(r.batches.subList(0, 3)).containsOnly(2);
        assertThat(r.batches.get(3)).isEqualTo(2);
        assertThat(r.inputs.get(3)).containsExactly(6, 6, 6, 7, 7, 7);
    }

    @Test
    void tasksHoldAtMostFourImagesAndEveryThreadGetsTheSameShare() {
        Parallel.setThreads(2);
        int[][] cases = {{2, 1, 1}, {4, 2, 2}, {8, 4, 4}, {10, 2, 3, 2, 3}, {16, 4, 4, 4, 4}, {18, 3, 3, 3, 3, 3, 3}};
        for (int[] c : cases) {
            int batch = c[0];
            Recorder r = new Recorder();
            assertThat(ImageParallel.run(images(batch), batch, 3, r)).as("batch " + batch).containsExactly(expectedOutputs(batch));
            assertThat(r.batches).as("batch " + batch).containsExactlyInAnyOrder(
                    java.util.Arrays.stream(c, 1, c.length).boxed().toArray(Integer[]::new));
            assertThat(r.batches).allMatch(b -> b <= ImageParallel.MAX_IMAGES_PER_TASK);
        }
    }

    @Test
    void fewerImagesThanThreadsOrOneThreadRunWhole() {
        Parallel.setThreads(3);
        Recorder r = new Recorder();
        float[] x = images(2);
        assertThat(ImageParallel.run(x, 2, 3, r)).containsExactly(expectedOutputs(2));
        assertThat(r.batches).containsExactly(2);
        assertThat(r.inputs.get(0)).isSameAs(x);

        Parallel.setThreads(1);
        Recorder one = new Recorder();
        assertThat(ImageParallel.run(images(5), 5, 3, one)).containsExactly(expectedOutputs(5));
        assertThat(one.batches).containsExactly(5);
    }

    @Test
    void inputOfAnotherSizeGoesWholeToThePassThatReportsIt() {
        Parallel.setThreads(2);
        Recorder r = new Recorder();
        float[] x = new float[7]; // not 2 images of 3 floats
        ImageParallel.run(x, 2, 3, r);
        assertThat(r.batches).containsExactly(2);
        assertThat(r.inputs.get(0)).isSameAs(x);
    }

    @Test
    void badBatchStillNamesTheProblem() throws Exception {
        Parallel.setThreads(2);
        VisionModel m = VisionModel.load(Family2FixtureTest.fixture("vit/timm_deit3"));
        int per = m.inChans() * m.inputSize() * m.inputSize();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> m.forward(new float[2 * per + 5], 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(String.valueOf(2 * per + 5));
    }

    /**
     * Every family gives the same logits and embeddings, bit for bit, when the batch runs as tasks (2 threads: two
     * tasks of 2 images, then the fifth alone; 3 threads: three of 1, then 2 together) as when the whole batch runs
     * on 1 thread.
     */
    @Test
    void modelsGiveTheSameOutputsSplitOrWhole() throws Exception {
        for (String name : new String[] {"vit/timm_deit3", "swin/timm_64_pad", "pvt_v2/timm_b0", "ffvit/tiny",
                "alternet/basic_w7", "refiner/small"}) {
            VisionModel m = VisionModel.load(Family2FixtureTest.fixture(name));
            int batch = 5, per = m.inChans() * m.inputSize() * m.inputSize();
            SplittableRandom rnd = new SplittableRandom(name.hashCode());
            float[] x = new float[batch * per];
            for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
            Parallel.setThreads(1);
            float[] logits = m.forward(x, batch), features = m.embed(x, batch);
            assertThat(logits).as(name).hasSize(batch * m.numClasses());
            for (int t : new int[] {2, 3}) {
                Parallel.setThreads(t);
                assertThat(m.forward(x, batch)).as(name + ", " + t + " threads").containsExactly(logits);
                assertThat(m.embed(x, batch)).as(name + ", " + t + " threads, embed").containsExactly(features);
            }
        }
    }
}
