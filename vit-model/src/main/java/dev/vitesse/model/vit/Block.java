package dev.vitesse.model.vit;

import dev.vitesse.model.layers.Norm;

/** Pre-norm transformer block: {@code x += ls1(attn(norm1(x))); x += ls2(mlp(norm2(x)))}. */
final class Block {
    private final Norm norm1, norm2;
    private final MultiHeadAttention attn;
    private final Mlp mlp;

    Block(Norm norm1, MultiHeadAttention attn, Norm norm2, Mlp mlp) {
        this.norm1 = norm1;
        this.attn = attn;
        this.norm2 = norm2;
        this.mlp = mlp;
    }

    /** Updates {@code x} [batch*tokens][dim] in place; probs nullable (attention maps). */
    void forward(float[] x, Workspace ws, int batch, int tokens, float[] probs) {
        forward(x, ws, batch, tokens, probs, null);
    }

    /** As above; {@code afterAttention} (nullable) runs between the attention and MLP residual updates (feature taps). */
    void forward(float[] x, Workspace ws, int batch, int tokens, float[] probs, Runnable afterAttention) {
        int rows = batch * tokens, d = norm1.dim();
        norm1.apply(x, 0, d, ws.norm, 0, d, rows);
        attn.forward(ws, batch, tokens, x, probs);
        if (afterAttention != null) afterAttention.run();
        norm2.apply(x, 0, d, ws.norm, 0, d, rows);
        mlp.forward(ws, rows, x);
    }

    /**
     * The last block when the head reads only the first {@code keep} tokens of each image (class / distillation
     * token pooling): keys and values need every token, but the attention output, both residual updates and the
     * MLP only those rows (for ViT-B/16 at 197 tokens, 9.5 of the block's 12.5 GFLOP-units). Leaves them compacted
     * at the front of {@code x}: row {@code b * keep + j} is token j of image b.
     */
    void forwardPrefix(float[] x, Workspace ws, int batch, int tokens, int keep) {
        int d = norm1.dim();
        norm1.apply(x, 0, d, ws.norm, 0, d, batch * tokens);
        // the attention reads the normalised copy, so the residual rows can move now; a row only moves towards
        // the front, past rows that are no longer needed
        for (int b = 1; b < batch; b++) System.arraycopy(x, b * tokens * d, x, b * keep * d, keep * d);
        attn.forwardQueries(ws, batch, tokens, keep, x);
        norm2.apply(x, 0, d, ws.norm, 0, d, batch * keep);
        mlp.forward(ws, batch * keep, x);
    }

    long params() {
        return norm1.parameterCount() + attn.params() + norm2.parameterCount() + mlp.params();
    }
}
