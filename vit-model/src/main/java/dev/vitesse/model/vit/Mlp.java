package dev.vitesse.model.vit;

/** timm {@code Mlp}: fc1 + bias + exact GELU (fused), fc2 + bias (+ LayerScale ls2) accumulated into the residual. */
final class Mlp {
    final int dim, hidden;
    private final Linear fc1, fc2;

    Mlp(Linear fc1Gelu, Linear fc2WithResidual) {
        this.dim = fc1Gelu.in;
        this.hidden = fc1Gelu.out;
        this.fc1 = fc1Gelu;
        this.fc2 = fc2WithResidual;
    }

    /** residual += ls2(fc2(gelu(fc1(xNorm)))). */
    void forward(Workspace ws, int rows, float[] residual) {
        fc1.apply(rows, ws.norm, 0, dim, ws.wide, 0, hidden);
        fc2.apply(rows, ws.wide, 0, hidden, residual, 0, dim);
    }

    long params() {
        return fc1.params() + fc2.params();
    }
}
