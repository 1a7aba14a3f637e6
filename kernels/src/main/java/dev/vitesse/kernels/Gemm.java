package dev.vitesse.kernels;

import dev.vitesse.kernels.gemm.GemmDriver;

/**
 * Single-precision matrix multiply with BLAS semantics, row-major (as CBLAS with {@code CblasRowMajor}):
 * {@code C = alpha * op(A) * op(B) + beta * C}, where op(X) is X or X^T, op(A) is m x k, op(B) is k x n, C is m x n.
 *
 * <p>Element (r, c) of a stored matrix X is {@code x[xOff + r * ldx + c]}. Stored A is m x k (k x m when
 * transA), stored B is k x n (n x k when transB); the leading dimensions must be at least the stored column count.
 * As in BLAS, when beta == 0 C is not read (NaN/Inf in C do not propagate), and when alpha == 0 or k == 0 A and B
 * are not read.
 *
 * <p>Implementation: Goto/BLIS-style cache blocking over packed operands with a Vector API register-tile
 * micro-kernel, parallel over the {@link Parallel} team. Safe to call from many threads at once (C regions must not
 * overlap). For a B operand reused across calls (e.g. a weight), prefer {@link PackedMatrix}.
 */
public final class Gemm {
    private Gemm() {}

    /**
     * {@code C = alpha * op(A) * op(B) + beta * C}, row-major.
     *
     * @throws IllegalArgumentException for negative sizes or offsets, null arrays, leading dimensions smaller than
     *         the stored row length, arrays too short for the given offsets/leading dimensions, or C overlapping A or B;
     *         checked before any element is read or written
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k,
                             float alpha, float[] a, int aOff, int lda,
                             float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        Checks.nonNegative("m", m);
        Checks.nonNegative("n", n);
        Checks.nonNegative("k", k);
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        Checks.blasMatrix("a", a, aOff, lda, aRows, aCols, "lda");
        Checks.blasMatrix("b", b, bOff, ldb, bRows, bCols, "ldb");
        Checks.blasMatrix("c", c, cOff, ldc, m, n, "ldc");
        long cEnd = Checks.end(cOff, ldc, m, n);
        Checks.noOverlap("a", a, aOff, Checks.end(aOff, lda, aRows, aCols), "c", c, cOff, cEnd);
        Checks.noOverlap("b", b, bOff, Checks.end(bOff, ldb, bRows, bCols), "c", c, cOff, cEnd);

        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f) {
            scale(c, cOff, ldc, m, n, beta);
            return;
        }
        GemmDriver.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /** C = beta * C, writing zeros (not reading C) when beta == 0. */
    private static void scale(float[] c, int cOff, int ldc, int m, int n, float beta) {
        if (beta == 1f) return;
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            if (beta == 0f) java.util.Arrays.fill(c, row, row + n, 0f);
            else for (int j = 0; j < n; j++) c[row + j] *= beta;
        }
    }
}
