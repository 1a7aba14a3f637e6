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

    long params() {
        return norm1.parameterCount() + attn.params() + norm2.parameterCount() + mlp.params();
    }
}
