package dev.vitesse.kernels;

/**
 * Scalar double-accumulating GEMM oracle. Besides C it returns, per element, the error scale
 * {@code |alpha| * sum_p |A(i,p) * B(p,j)| + |beta * C0(i,j)|}.
 *
 * <p>Error bound used by the tests: a float dot product of length k accumulated with FMAs in any blocked order has
 * |error| <= k * u * sum|a_p b_p| (u = 2^-24, Higham's gamma_k bound for recursive summation; blocked summation
 * only tightens it), and the alpha/beta update adds a few more roundings. We allow
 * {@code 2 * (k + 4) * u * scale}, twice the worst case, so a kernel bug (a missing or doubled product is of order
 * |a b|, i.e. ~scale/k on random data, far above k*u*scale) cannot pass while correct rounding cannot fail.
 */
final class GemmReference {
    private GemmReference() {}

    static final double U = Math.ulp(1.0f) / 2; // unit roundoff of float, 2^-24

    static double[][] sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff,
                            int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        double[] out = new double[m * n];
        double[] scale = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0, abs = 0;
                for (int p = 0; p < k; p++) {
                    double av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    double bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    s += av * bv;
                    abs += Math.abs(av * bv);
                }
                double c0 = beta == 0 ? 0 : (double) beta * c[cOff + i * ldc + j];
                out[i * n + j] = alpha * s + c0;
                scale[i * n + j] = Math.abs(alpha) * abs + Math.abs(c0);
            }
        return new double[][] {out, scale};
    }

    static double tolerance(int k, double scale) {
        return 2.0 * (k + 4) * U * scale + Float.MIN_NORMAL;
    }

    /** Double-precision erf (series erf(x) = 2/sqrt(pi) e^{-x^2} sum x^{2n+1} 2^n / (2n+1)!!, all terms positive). */
    static double erf(double x) {
        double ax = Math.abs(x);
        if (ax > 6) return Math.signum(x);
        double term = ax, sum = ax;
        for (int n = 1; n < 500; n++) {
            term *= 2 * ax * ax / (2 * n + 1);
            sum += term;
            if (term < 1e-17 * sum) break;
        }
        double r = 2 / Math.sqrt(Math.PI) * Math.exp(-ax * ax) * sum;
        return Math.copySign(Math.min(r, 1.0), x);
    }

    static double gelu(double x) {
        return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
    }
}
