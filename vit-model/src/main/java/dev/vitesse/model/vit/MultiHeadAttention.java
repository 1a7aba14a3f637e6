package dev.vitesse.model.vit;

import dev.vitesse.kernels.Attention;
import dev.vitesse.kernels.AttentionView;
import dev.vitesse.kernels.Profiler;

/**
 * timm {@code Attention}: qkv = x W_qkv^T (+ b) with columns [q | k | v], each head-major; softmax(q k^T *
 * head_dim^-0.5) v per head, read straight out of the qkv buffer through strided views (no transposes);
 * then {@code proj} whose epilogue adds the bias, applies LayerScale (ls1) and accumulates into the residual.
 */
final class MultiHeadAttention {
    final int dim, heads, headDim;
    final float scale;
    private final Linear qkv, proj;

    MultiHeadAttention(int dim, int heads, Linear qkv, Linear projWithResidual) {
        this.dim = dim;
        this.heads = heads;
        this.headDim = dim / heads;
        // PyTorch computes head_dim ** -0.5 in double and multiplies float32 tensors by it
        this.scale = (float) Math.pow(headDim, -0.5);
        this.qkv = qkv;
        this.proj = projWithResidual;
    }

    /**
     * residual += ls1(proj(attn(xNorm))).
     *
     * @param probs  nullable: receives the probabilities [batch][heads][tokens][tokens] (explicit path)
     */
    void forward(Workspace ws, int batch, int tokens, float[] residual, float[] probs) {
        attend(ws, batch, tokens, tokens, residual, probs);
    }

    /**
     * As {@link #forward} for the first {@code queries} tokens of each image only (keys and values still come from
     * every token): residual row {@code b * queries + i} += the update of token i of image b.
     */
    void forwardQueries(Workspace ws, int batch, int tokens, int queries, float[] residual) {
        attend(ws, batch, tokens, queries, residual, null);
    }

    private void attend(Workspace ws, int batch, int tokens, int queries, float[] residual, float[] probs) {
        qkv.apply(batch * tokens, ws.norm, 0, dim, ws.wide, 0, 3 * dim);
        AttentionView q = AttentionView.qkv(ws.wide, 0, tokens, heads, headDim, 0);
        AttentionView k = AttentionView.qkv(ws.wide, 0, tokens, heads, headDim, 1);
        AttentionView v = AttentionView.qkv(ws.wide, 0, tokens, heads, headDim, 2);
        AttentionView out = AttentionView.tokenMajor(ws.attnOut, 0, queries, heads, headDim);
        long t = Profiler.start();
        if (probs == null) {
            Attention.flash(batch, heads, queries, tokens, headDim, scale, q, k, v, out, null);
        } else {
            Attention.explicit(batch, heads, queries, tokens, headDim, scale, q, k, v, out, null, probs, 0);
        }
        Profiler.stop(Profiler.Kind.ATTENTION, t);
        proj.apply(batch * queries, ws.attnOut, 0, dim, residual, 0, dim);
    }

    long params() {
        return qkv.params() + proj.params();
    }
}
