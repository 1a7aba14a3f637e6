package dev.vitesse.model.vit;

import dev.vitesse.kernels.Attention;
import dev.vitesse.kernels.AttentionView;
import dev.vitesse.kernels.Profiler;
import dev.vitesse.model.layers.Norm;

/**
 * timm {@code AttentionPoolLatent}, the {@code 'map'} global pool (SigLIP): one learned latent query attends over
 * every token, then {@code proj}, then {@code x + mlp(norm(x))}; the pooled feature is that single row.
 * The latent's query projection {@code q(latent)} does not depend on the input, so it is computed once at load.
 * Immutable and thread-safe.
 */
final class AttentionPool {
    final int dim, heads;
    private final float[] query;        // q(latent): [dim]
    private final Linear kv, proj;      // kv: [2*dim][dim] with bias; proj: [dim][dim] with bias
    private final Norm norm;
    private final Mlp mlp;              // fc2 accumulates into the row (the residual)
    private final long params;

    AttentionPool(int heads, float[] latent, Linear q, Linear kv, Linear proj, Norm norm, Mlp mlp) {
        this.dim = q.in;
        this.heads = heads;
        this.query = new float[dim];
        q.apply(1, latent, 0, dim, query, 0, dim);
        this.kv = kv;
        this.proj = proj;
        this.norm = norm;
        this.mlp = mlp;
        this.params = latent.length + q.params() + kv.params() + proj.params() + norm.parameterCount() + mlp.params();
    }

    /**
     * Pooled features [batch][dim] from the (normalised) tokens {@code x} [batch*tokens][dim] (ws.x). The keys and
     * values go to ws.wide (then the MLP's hidden rows), the attention output to ws.attnOut, the normalised rows to
     * ws.norm: all free once the blocks are done.
     */
    float[] forward(Workspace ws, float[] x, int batch, int tokens) {
        int d = dim, hd = d / heads, rows = Math.multiplyExact(batch, tokens);
        float[] keysValues = ws.wide;                                      // [rows][2*dim]: columns [k | v], head-major
        kv.apply(rows, x, 0, d, keysValues, 0, 2 * d);
        float[] attended = ws.attnOut;                                     // [batch][dim]
        long t = Profiler.start();
        Attention.flash(batch, heads, 1, tokens, hd, (float) (1.0 / Math.sqrt(hd)),
                new AttentionView(query, 0, 0, d, hd),                             // the same query for every image
                new AttentionView(keysValues, 0, tokens * 2 * d, 2 * d, hd),
                new AttentionView(keysValues, d, tokens * 2 * d, 2 * d, hd),
                new AttentionView(attended, 0, d, d, hd), null);
        Profiler.stop(Profiler.Kind.ATTENTION, t);
        float[] y = new float[batch * d];
        proj.apply(batch, attended, 0, d, y, 0, d);
        norm.apply(y, 0, ws.norm, 0, batch);
        mlp.forward(ws, batch, y);                                               // y += mlp(norm(y))
        return y;
    }

    long params() {
        return params;
    }
}
