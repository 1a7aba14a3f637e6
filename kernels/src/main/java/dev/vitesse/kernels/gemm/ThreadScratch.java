package dev.vitesse.kernels.gemm;

import java.lang.ref.SoftReference;

/**
 * A reusable float buffer for one thread (hold it in a {@link ThreadLocal}): kernels take it for the duration of a
 * call instead of allocating scratch per call (zeroing, and young-GC pressure in a server). Used for GEMM packing,
 * tiles and B micro-panels, the im2col chunk of {@code Conv2d} (PVT's convolutions: 5-10 % faster than with a
 * fresh 1 MiB chunk per call, under G1 and ParallelGC alike) and explicit attention's score matrix. Internal (not
 * API).
 *
 * <p>Only its owning thread touches it; {@code inUse} makes a re-entrant take on the same thread get a fresh array
 * instead of sharing. Soft reference: an idle large buffer can be reclaimed under memory pressure. Contents are
 * not cleared between uses: callers write before they read.
 */
public final class ThreadScratch {
    private SoftReference<float[]> ref = new SoftReference<>(null);
    private boolean inUse;

    /** A buffer of at least {@code size} floats, this thread's own unless it is already taken. */
    public float[] take(long size) {
        if (size > Integer.MAX_VALUE - 16)
            throw new IllegalArgumentException("scratch buffer too large: " + size + " floats");
        if (inUse) return new float[(int) size];
        inUse = true;
        float[] buf = ref.get();
        if (buf == null || buf.length < size) {
            buf = new float[(int) size];
            ref = new SoftReference<>(buf);
        }
        return buf;
    }

    /** Returns a buffer obtained from {@link #take}. */
    public void give(float[] buf) {
        if (buf == ref.get()) inUse = false;
    }
}
