package dev.vitesse.model;

import dev.vitesse.kernels.Parallel;

import java.util.Arrays;

/**
 * Runs a batch with at least as many images as worker threads as independent one-image passes, one task per image
 * on the {@link Parallel} team (the kernels inside a task run inline on the thread that took it); images left over
 * after the last full round (batch mod threads) then run as one batch with every thread inside each kernel.
 *
 * <p>Why: a kernel split over both cores pays a hand-over at every operator (a few hundred per pass) and moves
 * activations between the cores' caches, so 2 threads ran a ViT-B/16 batch of 8 only 1.73x faster than 1 thread;
 * two single-threaded passes side by side lose almost nothing to each other (batch 8 on 2 threads took 825 ms
 * against 815 ms for batch 4 on 1 thread). Tasks are single images rather than one share per thread so that a
 * thread slowed by the host hands its last images to the other. Outputs are identical either way: every row of
 * every kernel is computed in the same order whatever the batch around it.
 */
final class ImageParallel {
    private ImageParallel() {}

    /** A batched pass: [batch][perImage] in, [batch][outputs per image] out. */
    interface Pass {
        float[] run(float[] images, int batch);
    }

    /**
     * {@code pass(x, batch)}, split as described above when {@code x} holds exactly {@code batch} images of
     * {@code perImage} floats; anything else goes to {@code pass} whole (which reports bad input).
     */
    static float[] run(float[] x, int batch, int perImage, Pass pass) {
        int threads = Parallel.threads();
        int split = threads < 2 || batch < 1 ? 0 : batch - batch % threads;
        if (split == 0 || x == null || perImage < 1 || (long) batch * perImage != x.length) return pass.run(x, batch);
        float[][] outs = new float[split][];
        Parallel.forEach(split, i -> outs[i] = pass.run(Arrays.copyOfRange(x, i * perImage, (i + 1) * perImage), 1));
        float[] rest = split == batch ? new float[0]
                : pass.run(Arrays.copyOfRange(x, split * perImage, batch * perImage), batch - split);
        int per = outs[0].length;
        float[] out = new float[split * per + rest.length];
        for (int i = 0; i < split; i++) System.arraycopy(outs[i], 0, out, i * per, per);
        System.arraycopy(rest, 0, out, split * per, rest.length);
        return out;
    }
}
