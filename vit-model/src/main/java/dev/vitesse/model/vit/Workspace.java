package dev.vitesse.model.vit;

/** Per-call activation buffers (never shared between calls, so a model is thread-safe). */
final class Workspace {
    /** LayerNorm output [rows][dim]. */
    final float[] norm;
    /** qkv output [rows][3*dim], reused for the MLP hidden activations [rows][hidden]. */
    final float[] wide;
    /** Attention output [rows][dim], head-major columns. */
    final float[] attnOut;

    Workspace(int rows, int dim, int hidden) {
        norm = new float[rows * dim];
        wide = new float[rows * Math.max(3 * dim, hidden)];
        attnOut = new float[rows * dim];
    }
}
