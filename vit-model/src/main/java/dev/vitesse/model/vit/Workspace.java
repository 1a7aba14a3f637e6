package dev.vitesse.model.vit;

import dev.vitesse.model.layers.Scratch;

/**
 * Activation buffers of one forward call, every one fully written before it is read, taken from the thread's kept
 * {@link Scratch}: a ViT-B/16 pass at batch 8 otherwise allocated ~45 MB of fresh arrays, and the young collections
 * this caused (about one per pass, 15-37 ms each while the workspace of the running pass was copied) took 3 % of
 * the pass. Buffers may be longer than asked for. Large chunks (a batch can be up to 256 MB of activations, see
 * {@link VisionTransformer#chunkSize}) get buffers of their own, so a thread does not keep more than
 * {@link #CACHE_MAX_FLOATS} for ViT between calls.
 */
final class Workspace implements AutoCloseable {
    /** Largest workspace a thread keeps between calls: 16 M floats (64 MB), ViT-B/16 at batch 8 needs 11 M. */
    static final long CACHE_MAX_FLOATS = 1L << 24;

    private static final int COLS = 0, PATCHES = 1, X = 2, NORM = 3, WIDE = 4, ATTN_OUT = 5, SLOTS = 6;

    private final Scratch scratch;
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

    private Workspace(Scratch scratch, int colsLen, int patchesLen, int rowsLen, int wideLen) {
        this.scratch = scratch;
        cols = scratch.get(COLS, colsLen);
        patches = scratch.get(PATCHES, patchesLen);
        x = scratch.get(X, rowsLen);
        norm = scratch.get(NORM, rowsLen);
        wide = scratch.get(WIDE, wideLen);
        attnOut = scratch.get(ATTN_OUT, rowsLen);
    }

    /** Buffers for {@code patchRows} patches of {@code patchLen} values and {@code rows} tokens; close after use. */
    static Workspace take(int patchRows, int patchLen, int rows, int dim, int hidden) {
        int colsLen = Math.multiplyExact(patchRows, patchLen), patchesLen = Math.multiplyExact(patchRows, dim);
        int rowsLen = Math.multiplyExact(rows, dim), wideLen = Math.multiplyExact(rows, Math.max(3 * dim, hidden));
        long floats = (long) colsLen + patchesLen + 3L * rowsLen + wideLen;
        // above the cap: a Scratch of its own, and the one the thread keeps stays as it was
        Scratch s = floats <= CACHE_MAX_FLOATS ? Scratch.take(SLOTS) : new Scratch(SLOTS);
        return new Workspace(s, colsLen, patchesLen, rowsLen, wideLen);
    }

    @Override
    public void close() {
        scratch.close();
    }
}
