package dev.vitesse.model.layers;

/**
 * Activation buffers reused across the blocks of one forward pass. Allocating fresh arrays per block cost PVT-v2-b2
 * ~300 MB of zeroed allocation per image (4 young GCs per pass); with one Scratch per call the buffers are allocated
 * once, at the largest size a slot is asked for. Not thread-safe: one instance per call (a loaded model stays
 * immutable and shareable). Contents are not cleared between uses: callers write before they read.
 */
public final class Scratch {
    private final float[][] slots;

    public Scratch(int slotCount) {
        slots = new float[slotCount][];
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
}
