package dev.vitesse.kernels.gemm;

/**
 * The B operand ({@code k x n}) packed in column panels of {@link GemmConfig#NR} columns: panel {@code q} holds
 * columns {@code [q*NR, q*NR+NR)} as {@code k} consecutive rows of NR elements (zero-padded past n), so the
 * micro-kernel streams it with unit stride and never needs a column-edge case. A K block {@code [pc, pc+kc)} of
 * panel q is the contiguous run starting at {@code q*NR*k + pc*NR}. Immutable once built.
 *
 * <p>Elements are stored either as f32 ({@link #data}) or as bf16 bits ({@link #bf16}, same layout, half the
 * bytes); exactly one of the two arrays is non-null. bf16 panels are widened to f32 one KC x NR micro-panel at a
 * time by the driver ({@link Packing#widenBf16}).
 */
public final class PackedB {
    public final int k, n, panels;
    /** f32 panels, or null when stored as bf16. */
    public final float[] data;
    /** bf16 panels (upper 16 bits of the f32 values), or null when stored as f32. */
    public final short[] bf16;

    PackedB(int k, int n) {
        this(k, n, (float[]) null);
    }

    /** f32 storage; uses {@code buffer} if it is large enough (a per-call scratch), else allocates. */
    PackedB(int k, int n, float[] buffer) {
        this.k = k;
        this.n = n;
        int size = checkedSize(k, n);
        this.panels = (int) (((long) n + GemmConfig.NR - 1) / GemmConfig.NR);
        this.data = buffer != null && buffer.length >= size ? buffer : new float[size];
        this.bf16 = null;
    }

    /** bf16 storage (zero-filled). */
    private PackedB(int k, int n, short[] bits) {
        this.k = k;
        this.n = n;
        this.panels = (int) (((long) n + GemmConfig.NR - 1) / GemmConfig.NR);
        this.data = null;
        this.bf16 = bits;
    }

    static PackedB allocateBf16(int k, int n) {
        return new PackedB(k, n, new short[checkedSize(k, n)]);
    }

    private static int checkedSize(int k, int n) {
        long size = size(k, n);
        if (size > Integer.MAX_VALUE - 16)
            throw new IllegalArgumentException("matrix too large to pack: k=" + k + ", n=" + n + " needs " + size + " elements");
        return (int) size;
    }

    /** Elements (floats or bf16 values) needed for a packed k x n operand. */
    public static long size(int k, int n) {
        return ((long) n + GemmConfig.NR - 1) / GemmConfig.NR * GemmConfig.NR * k; // long: n + NR - 1 can wrap
    }

    /** Whether the panels are stored as bf16. */
    public boolean isBf16() {
        return bf16 != null;
    }

    /** Bytes held by the packed panels (padding included). */
    public long bytes() {
        return bf16 != null ? 2L * bf16.length : 4L * data.length;
    }

    /** Start of panel q, row p. */
    public int index(int q, int p) {
        return (q * k + p) * GemmConfig.NR;
    }
}
