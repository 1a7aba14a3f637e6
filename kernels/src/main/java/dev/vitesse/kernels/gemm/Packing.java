package dev.vitesse.kernels.gemm;

import dev.vitesse.kernels.Parallel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Packing of the B operand into NR-wide panels and of A blocks into MR-high micro-panels. */
public final class Packing {
    private Packing() {}

    private static final int NR = GemmConfig.NR;
    private static final ValueLayout.OfFloat F32_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * Packs op(B) ({@code k x n}): B(p, j) = transB ? b[off + j*ldb + p] : b[off + p*ldb + j]. Arguments must be
     * validated by the caller. Panels are packed in parallel on {@link Parallel#pool()} when large.
     */
    public static PackedB packB(boolean transB, float[] b, int off, int ldb, int k, int n) {
        PackedB pb = new PackedB(k, n);
        int panels = pb.panels;
        long work = (long) k * n;
        int tasks = work < (1 << 16) ? 1 : Math.min(panels, Parallel.threads() * 4);
        Parallel.forEach(tasks, t -> {
            int q0 = (int) ((long) panels * t / tasks), q1 = (int) ((long) panels * (t + 1) / tasks);
            for (int q = q0; q < q1; q++) packPanel(pb, q, transB, b, off, ldb);
        });
        return pb;
    }

    private static void packPanel(PackedB pb, int q, boolean transB, float[] b, int off, int ldb) {
        int k = pb.k, j0 = q * NR, w = Math.min(NR, pb.n - j0);
        float[] d = pb.data;
        int base = pb.index(q, 0);
        if (!transB) {
            for (int p = 0; p < k; p++) System.arraycopy(b, off + p * ldb + j0, d, base + p * NR, w);
        } else {
            for (int jj = 0; jj < w; jj++) {
                int src = off + (j0 + jj) * ldb;
                for (int p = 0; p < k; p++) d[base + p * NR + jj] = b[src + p];
            }
        }
    }

    /** Packs W ({@code n x k}, f32 little-endian at byteOffset) as B = W^T. Bounds validated by the caller. */
    public static PackedB packWeight(MemorySegment seg, long byteOffset, int n, int k) {
        PackedB pb = new PackedB(k, n);
        int panels = pb.panels;
        int tasks = (long) k * n < (1 << 16) ? 1 : Math.min(panels, Parallel.threads() * 4);
        Parallel.forEach(tasks, t -> {
            int q0 = (int) ((long) panels * t / tasks), q1 = (int) ((long) panels * (t + 1) / tasks);
            float[] rows = new float[NR * k];
            for (int q = q0; q < q1; q++) {
                int j0 = q * NR, w = Math.min(NR, n - j0);
                MemorySegment.copy(seg, F32_LE, byteOffset + (long) j0 * k * Float.BYTES, rows, 0, w * k);
                packPanel(pb, q, true, rows, -j0 * k, k); // row j of W is rows[(j - j0) * k]
            }
        });
        return pb;
    }

    /**
     * Packs rows [i0, i0+mc) x cols [p0, p0+kc) of op(A) into {@code dst} as micro-panels of mr rows:
     * element (i, p) of the block goes to {@code dst[(i / mr) * mr * kc + p * mr + i % mr]}; rows past mc are zero.
     */
    public static void packA(boolean transA, float[] a, int aOff, int lda, int i0, int mc, int p0, int kc,
                             int mr, float[] dst) {
        for (int ir = 0; ir < mc; ir += mr) {
            int h = Math.min(mr, mc - ir);
            int base = ir * kc;
            if (!transA) {
                for (int ii = 0; ii < h; ii++) {
                    int src = aOff + (i0 + ir + ii) * lda + p0;
                    for (int p = 0; p < kc; p++) dst[base + p * mr + ii] = a[src + p];
                }
            } else {
                for (int p = 0; p < kc; p++)
                    System.arraycopy(a, aOff + (p0 + p) * lda + i0 + ir, dst, base + p * mr, h);
            }
            if (h < mr) {
                for (int p = 0; p < kc; p++)
                    for (int ii = h; ii < mr; ii++) dst[base + p * mr + ii] = 0f;
            }
        }
    }
}
