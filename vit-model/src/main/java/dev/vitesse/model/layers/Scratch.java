package dev.vitesse.model.layers;

import java.lang.ref.SoftReference;
import java.util.Arrays;

/**
 * Activation buffers reused across the blocks of a forward pass and, through {@link #take}, across the passes a
 * thread runs. Allocating fresh arrays per block cost PVT-v2-b2 ~300 MB of zeroed allocation per image (4 young GCs
 * per pass); one Scratch per pass still allocated 110-140 MB per batch-8 pass of Swin-T / PVT-v2-b2 and its young
 * collections took 5-7 % of the time on 2 threads. Each thread now keeps its last Scratch (softly held); a nested
 * pass on the same thread gets a fresh one. Never shared between threads, so a loaded model stays shareable.
 * Contents are not cleared between uses: callers write before they read.
 */
public final class Scratch implements AutoCloseable {
    private static final ThreadLocal<SoftReference<Scratch>> LAST = ThreadLocal.withInitial(() -> new SoftReference<>(null));

    private float[][] slots;
    private boolean inUse;

    public Scratch(int slotCount) {
        slots = new float[slotCount][];
    }

    /** This thread's kept Scratch with at least {@code slotCount} slots (a fresh one if it is in use); close after use. */
    public static Scratch take(int slotCount) {
        Scratch s = LAST.get().get();
        if (s == null || s.inUse) {
            Scratch fresh = new Scratch(slotCount);
            if (s == null) LAST.set(new SoftReference<>(fresh));
            s = fresh;
        } else if (s.slots.length < slotCount) {
            s.slots = Arrays.copyOf(s.slots, slotCount);
        }
        s.inUse = true;
        return s;
    }

    /** A buffer of at least {@code size} floats for {@code slot}, reused while large enough. */
    public float[] get(int slot, int size) {
        float[] b = slots[slot];
        if (b == null || b.length < size) {
            b = new float[size];
            slots[slot] = b;
        }
        return b;
    }

    /** Releases a Scratch obtained from {@link #take} (a no-op for one made with the constructor). */
    @Override
    public void close() {
        inUse = false;
    }
}
