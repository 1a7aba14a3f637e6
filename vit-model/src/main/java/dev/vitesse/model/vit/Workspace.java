package dev.vitesse.model.vit;

import java.lang.ref.SoftReference;

/**
 * Activation buffers of one forward call, every one fully written before it is read. Each thread keeps its last
 * workspace (softly held) and reuses it for its next call when that fits: a ViT-B/16 pass at batch 8 otherwise
 * allocated ~45 MB of fresh arrays, and the young collections this caused (about one per pass, 15-37 ms each while
 * the workspace of the running pass was copied) took 3 % of the pass. A workspace is never shared between
 * threads, so a model stays safe to share; a nested call on the same thread (e.g. from a feature tap) gets a fresh
 * one. Workspaces above {@link #CACHE_MAX_FLOATS} are not kept.
 */
final class Workspace implements AutoCloseable {
    /** Largest workspace a thread keeps between calls: 16 M floats (64 MB), ViT-B/16 at batch 8 needs 11 M. */
    static final long CACHE_MAX_FLOATS = 1L << 24;

    private static final ThreadLocal<SoftReference<Workspace>> LAST = ThreadLocal.withInitial(() -> new SoftReference<>(null));

    /** im2col of the patches [batch*patches][C*p*p]. */
    final float[] cols;
    /** Patch embedding output [batch*patches][dim]. */
    final float[] patches;
    /** The token stream [rows][dim] (residual), rows = batch * tokens. */
    final float[] x;
    /** LayerNorm output [rows][dim]. */
    final float[] norm;
    /** qkv output [rows][3*dim], reused for the MLP hidden activations [rows][hidden]. */
    final float[] wide;
    /** Attention output [rows][dim], head-major columns. */
    final float[] attnOut;
    private boolean inUse;

    private Workspace(int patchRows, int patchLen, int rows, int dim, int hidden) {
        cols = new float[Math.multiplyExact(patchRows, patchLen)];
        patches = new float[Math.multiplyExact(patchRows, dim)];
        x = new float[Math.multiplyExact(rows, dim)];
        norm = new float[rows * dim];
        wide = new float[Math.multiplyExact(rows, Math.max(3 * dim, hidden))];
        attnOut = new float[rows * dim];
    }

    /**
     * Buffers for {@code patchRows} patches of {@code patchLen} values and {@code rows} tokens; release with
     * {@link #close}. Buffers may be longer than asked for.
     */
    static Workspace take(int patchRows, int patchLen, int rows, int dim, int hidden) {
        SoftReference<Workspace> ref = LAST.get();
        Workspace w = ref.get();
        if (w != null && !w.inUse && w.fits(patchRows, patchLen, rows, dim, hidden)) {
            w.inUse = true;
            return w;
        }
        Workspace fresh = new Workspace(patchRows, patchLen, rows, dim, hidden);
        fresh.inUse = true;
        if ((w == null || !w.inUse) && fresh.floats() <= CACHE_MAX_FLOATS) LAST.set(new SoftReference<>(fresh));
        return fresh;
    }

    private boolean fits(int patchRows, int patchLen, int rows, int dim, int hidden) {
        return cols.length >= (long) patchRows * patchLen && patches.length >= (long) patchRows * dim
                && x.length >= (long) rows * dim && norm.length >= (long) rows * dim
                && wide.length >= (long) rows * Math.max(3 * dim, hidden) && attnOut.length >= (long) rows * dim;
    }

    private long floats() {
        return (long) cols.length + patches.length + x.length + norm.length + wide.length + attnOut.length;
    }

    @Override
    public void close() {
        inUse = false;
    }
}
