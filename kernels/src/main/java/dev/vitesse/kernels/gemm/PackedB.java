package dev.vitesse.kernels.gemm;

/**
 * The B operand ({@code k x n}) packed in column panels of {@link GemmConfig#NR} columns: panel {@code q} holds
 * columns {@code [q*NR, q*NR+NR)} as {@code k} consecutive rows of NR floats (zero-padded past n), so the
 * micro-kernel streams it with unit stride and never needs a column-edge case. A K block {@code [pc, pc+kc)} of
 * panel q is the contiguous run starting at {@code q*NR*k + pc*NR}. Immutable once built.
 */
public final class PackedB {
    public final int k, n, panels;
    public final float[] data;

    PackedB(int k, int n) {
        this(k, n, null);
    }

    /** Uses {@code buffer} if it is large enough (a per-call scratch), else allocates. */
    PackedB(int k, int n, float[] buffer) {
        this.k = k;
        this.n = n;
        this.panels = (n + GemmConfig.NR - 1) / GemmConfig.NR;
        long size = size(k, n);
        if (size > Integer.MAX_VALUE - 16)
            throw new IllegalArgumentException("matrix too large to pack: k=" + k + ", n=" + n + " needs " + size + " floats");
        this.data = buffer != null && buffer.length >= size ? buffer : new float[(int) size];
    }

    /** Floats needed for a packed k x n operand. */
    public static long size(int k, int n) {
        return (long) ((n + GemmConfig.NR - 1) / GemmConfig.NR) * GemmConfig.NR * k;
    }

    /** Start of panel q, row p. */
    public int index(int q, int p) {
        return (q * k + p) * GemmConfig.NR;
    }
}
