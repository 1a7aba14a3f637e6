package dev.vitesse.model;

import dev.vitesse.kernels.Parallel;

import java.util.Arrays;

/**
 * Runs a batch with at least as many images as worker threads as independent passes side by side, one task per
 * group of images on the {@link Parallel} team (the kernels inside a task run inline on the thread that took it);
 * images left over after the last full round (batch mod threads) then run as one batch with every thread inside
 * each kernel.
 *
 * <p>Why: a kernel split over both cores pays a hand-over at every operator (a few hundred per pass) and moves
 * activations between the cores' caches, so 2 threads ran a ViT-B/16 batch of 8 only 1.73x faster than 1 thread;
 * two single-threaded passes side by side lose almost nothing to each other (batch 8 on 2 threads took 825 ms
 * against 815 ms for batch 4 on 1 thread). A task runs up to {@link #MAX_IMAGES_PER_TASK} images as one pass:
 * each weight matrix then streams from memory once per group instead of once per image, which the two threads,
 * each streaming its own weights, notice (in-process A/B against one image per task, 2 threads: ViT-B/16 batch 8
 * 1.038-1.042x, batch 16 1.031x, DeiT-S batch 8 1.019x, Swin-T / PVT-v2 1.00x). The number of tasks is a multiple
 * of the thread count and the images are shared near-equally between them, so the threads get the same work.
 * Outputs are identical either way: every row of every kernel is computed in the same order whatever the batch
 * around it.
 */
final class ImageParallel {
    private ImageParallel() {}

    /** A batched pass: [batch][perImage] in, [batch][outputs per image] out. */
    interface Pass {
        float[] run(float[] images, int batch);
    }

    /**
     * Most images per task: 788 token rows for ViT-B/16, where a larger group measured only ~1 % better (8 images at
     * batch 16) and costs proportionally more activation memory per thread.
     */
    static final int MAX_IMAGES_PER_TASK = 4;

    /**
     * {@code pass(x, batch)}, split as described above when {@code x} holds exactly {@code batch} images of
     * {@code perImage} floats; anything else goes to {@code pass} whole (which reports bad input).
     */
    static float[] run(float[] x, int batch, int perImage, Pass pass) {
        int threads = Parallel.threads();
        int split = threads < 2 || batch < 1 ? 0 : batch - batch % threads;
        if (split == 0 || x == null || perImage < 1 || (long) batch * perImage != x.length) return pass.run(x, batch);
        int perThread = split / threads;
        int tasks = threads * ((perThread + MAX_IMAGES_PER_TASK - 1) / MAX_IMAGES_PER_TASK);
        float[][] outs = new float[tasks][];
        Parallel.forEach(tasks, t -> {
            int i0 = (int) ((long) split * t / tasks), i1 = (int) ((long) split * (t + 1) / tasks);
            outs[t] = pass.run(Arrays.copyOfRange(x, i0 * perImage, i1 * perImage), i1 - i0);
        });
        float[] rest = split == batch ? new float[0]
                : pass.run(Arrays.copyOfRange(x, split * perImage, batch * perImage), batch - split);
        int total = rest.length;
        for (float[] o : outs) total += o.length;
        float[] out = new float[total];
        int at = 0;
        for (float[] o : outs) {
            System.arraycopy(o, 0, out, at, o.length);
            at += o.length;
        }
        System.arraycopy(rest, 0, out, at, rest.length);
        return out;
    }
}
