package dev.vitesse.kernels.gemm;

/** Blocked multiply C = tileOp(op(A) * B) over a packed B. (Placeholder: simple loop, replaced by the five-loop driver.) */
public final class GemmDriver {
    private GemmDriver() {}

    public static void run(int m, int n, int k, boolean transA, float[] a, int aOff, int lda,
                           PackedB b, float[] c, int cOff, int ldc, TileOp op) {
        int nr = GemmConfig.NR;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float acc = 0;
                int bi = b.index(j / nr, 0) + j % nr;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    acc += av * b.data[bi + p * nr];
                }
                int ci = cOff + i * ldc + j;
                float v = acc * (op.scale() == null ? op.alpha() : op.scale()[j]);
                if (op.add() != null) v += op.add()[j];
                if (op.beta() != 0f) v += op.beta() * c[ci];
                if (op.gelu()) {
                    v = EpilogueMath.gelu(v);
                    if (op.post() != null) v *= op.post()[j];
                }
                c[ci] = v;
            }
        }
    }
}
