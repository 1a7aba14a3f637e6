package dev.vitesse.kernels.gemm;

import dev.vitesse.kernels.Parallel;
import dev.vitesse.kernels.Bf16;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Packing of the B operand into NR-wide panels and of A blocks into MR-high micro-panels. */
public final class Packing {
    private Packing() {}

    private static final int NR = GemmConfig.NR;
    private static final int L = GemmConfig.L;
    private static final VectorSpecies<Float> S = GemmConfig.SPECIES;
    private static final ValueLayout.OfFloat F32_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort BF16_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** As many shorts as S has floats (128-bit for 256-bit S), widened to S's int shape. */
    private static final VectorSpecies<Short> S16 = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));
    private static final VectorSpecies<Integer> S32 = VectorSpecies.of(int.class, S.vectorShape());

    /**
     * Packs op(B) ({@code k x n}): B(p, j) = transB ? b[off + j*ldb + p] : b[off + p*ldb + j]. Arguments must be
     * validated by the caller. Panels are packed in parallel on the {@link Parallel} team when large.
     */
    public static PackedB packB(boolean transB, float[] b, int off, int ldb, int k, int n) {
        return packB(transB, b, off, ldb, k, n, null);
    }

    /** As {@link #packB(boolean, float[], int, int, int, int)}, into {@code buffer} when it is large enough. */
    public static PackedB packB(boolean transB, float[] b, int off, int ldb, int k, int n, float[] buffer) {
        PackedB pb = new PackedB(k, n, buffer);
        forEachPanel(pb, true, () -> null, (q, j0, width, unused) -> packPanel(pb, q, transB, b, off, ldb));
        return pb;
    }

    private static void packPanel(PackedB pb, int q, boolean transB, float[] b, int off, int ldb) {
        int k = pb.k, j0 = q * NR, w = Math.min(NR, pb.n - j0);
        float[] d = pb.data;
        int base = pb.index(q, 0);
        if (!transB) {
            if (w == NR) {
                for (int p = 0, src = off + j0, dst = base; p < k; p++, src += ldb, dst += NR) {
                    FloatVector.fromArray(S, b, src).intoArray(d, dst);
                    FloatVector.fromArray(S, b, src + L).intoArray(d, dst + L);
                }
            } else {
                for (int p = 0; p < k; p++) System.arraycopy(b, off + p * ldb + j0, d, base + p * NR, w);
            }
        } else {
            Transpose.transpose(b, off + j0 * ldb, ldb, w, k, d, base, NR); // the panel's w rows of W
        }
        if (w < NR) // the buffer may be reused scratch: padding columns must be zero
            for (int p = 0; p < k; p++) java.util.Arrays.fill(d, base + p * NR + w, base + (p + 1) * NR, 0f);
    }

    /**
     * Packs the KC x NR micro-panel of op(B) at rows [p0, p0+kc), columns [j0, j0+NR) into {@code d[0 .. kc*NR)},
     * zero-padding columns past n. B(p, j) = trans ? b[off + j*ldb + p] : b[off + p*ldb + j].
     */
    static void packMicroPanel(boolean trans, float[] b, int off, int ldb, int n, int j0, int p0, int kc, float[] d) {
        int w = Math.min(NR, n - j0);
        if (!trans) {
            if (w == NR) {
                for (int p = 0, src = off + p0 * ldb + j0, dst = 0; p < kc; p++, src += ldb, dst += NR) {
                    FloatVector.fromArray(S, b, src).intoArray(d, dst);
                    FloatVector.fromArray(S, b, src + L).intoArray(d, dst + L);
                }
            } else {
                for (int p = 0; p < kc; p++) System.arraycopy(b, off + (p0 + p) * ldb + j0, d, p * NR, w);
            }
        } else {
            Transpose.transpose(b, off + j0 * ldb + p0, ldb, w, kc, d, 0, NR);
        }
        if (w < NR)
            for (int p = 0; p < kc; p++) java.util.Arrays.fill(d, p * NR + w, (p + 1) * NR, 0f);
    }

    /**
     * k-steps per block of the bf16 panel transposition: the TB x NR destination block and the NR source row
     * segments stay in L1, so neither side is walked with a cache-line-sized stride.
     */
    private static final int TB = 64;

    /** Packs W ({@code n x k}, f32 little-endian at byteOffset) as B = W^T. Bounds validated by the caller. */
    public static PackedB packWeight(MemorySegment seg, long byteOffset, int n, int k) {
        PackedB pb = new PackedB(k, n);
        forEachPanel(pb, sharedAccess(seg), () -> new float[NR * k], (q, j0, width, rows) -> {
            MemorySegment.copy(seg, F32_LE, byteOffset + (long) j0 * k * Float.BYTES, rows, 0, width * k);
            packPanel(pb, q, true, rows, -j0 * k, k); // row j of W is rows[(j - j0) * k]
        });
        return pb;
    }

    // ---------------------------------------------------------------- bf16 storage

    /** Packs W ({@code n x k} row-major f32 from {@code off}) as B = W^T in bf16, rounded to nearest even. */
    public static PackedB packWeightBf16(float[] w, int off, int n, int k) {
        PackedB pb = PackedB.allocateBf16(k, n);
        forEachPanel(pb, true, () -> null, (q, j0, width, unused) -> packPanelBf16(pb, q, w, null, off + j0 * k, k));
        return pb;
    }

    /** As {@link #packWeightBf16(float[], int, int, int)} from little-endian f32 in a segment. Validated by the caller. */
    public static PackedB packWeightBf16(MemorySegment seg, long byteOffset, int n, int k) {
        PackedB pb = PackedB.allocateBf16(k, n);
        forEachPanel(pb, sharedAccess(seg), () -> new float[NR * k], (q, j0, width, rows) -> {
            MemorySegment.copy(seg, F32_LE, byteOffset + (long) j0 * k * Float.BYTES, rows, 0, width * k);
            packPanelBf16(pb, q, rows, null, 0, k);
        });
        return pb;
    }

    /** Packs W ({@code n x k}) stored as little-endian bf16 in a segment (no rounding: bits are kept). */
    public static PackedB packWeightFromBf16(MemorySegment seg, long byteOffset, int n, int k) {
        PackedB pb = PackedB.allocateBf16(k, n);
        forEachPanel(pb, sharedAccess(seg), () -> new short[NR * k], (q, j0, width, rows) -> {
            MemorySegment.copy(seg, BF16_LE, byteOffset + (long) j0 * k * Short.BYTES, rows, 0, width * k);
            packPanelBf16(pb, q, null, rows, 0, k);
        });
        return pb;
    }

    /** Packs one panel (columns [j0, j0+width)) using a scratch owned by the calling task. */
    private interface PanelBody<S> {
        void pack(int q, int j0, int width, S scratch);
    }

    /**
     * True if pool threads may read {@code seg}: a segment of a confined arena may only be read by its owner, so it
     * is packed on the calling thread (probe: an unstarted thread object, never run).
     */
    private static boolean sharedAccess(MemorySegment seg) {
        return seg.isAccessibleBy(Thread.ofVirtual().unstarted(() -> { }));
    }

    /**
     * Runs body for every panel, split over the pool when the matrix is large and {@code parallel}; one scratch
     * per task.
     */
    private static <S> void forEachPanel(PackedB pb, boolean parallel, java.util.function.Supplier<S> scratch,
                                         PanelBody<S> body) {
        int panels = pb.panels, n = pb.n;
        int tasks = (long) pb.k * n < (1 << 16) || !parallel ? 1 : Math.min(panels, Parallel.threads() * 4);
        Parallel.forEach(tasks, t -> {
            int q0 = (int) ((long) panels * t / tasks), q1 = (int) ((long) panels * (t + 1) / tasks);
            S s = scratch.get();
            for (int q = q0; q < q1; q++) body.pack(q, q * NR, Math.min(NR, n - q * NR), s);
        });
    }

    /**
     * Transposes the panel's rows of W into panel q of pb: row jj of the panel starts at {@code off + jj*ld} in f32
     * {@code f} (rounded to bf16) or, when f is null, in bf16 bits {@code h} (copied). Padding columns stay zero.
     */
    private static void packPanelBf16(PackedB pb, int q, float[] f, short[] h, int off, int ld) {
        int k = pb.k, w = Math.min(NR, pb.n - q * NR), base = pb.index(q, 0);
        short[] d = pb.bf16;
        for (int p0 = 0; p0 < k; p0 += TB) {
            int p1 = Math.min(k, p0 + TB);
            for (int jj = 0; jj < w; jj++) {
                int src = off + jj * ld;
                if (f != null) for (int p = p0; p < p1; p++) d[base + p * NR + jj] = Bf16.fromFloat(f[src + p]);
                else for (int p = p0; p < p1; p++) d[base + p * NR + jj] = h[src + p];
            }
        }
    }

    /**
     * Widens {@code len} bf16 values {@code src[srcOff ..]} to f32 {@code dst[dstOff ..]}; len a multiple of
     * {@link GemmConfig#L}. bf16 -> f32 is exact: the 16 bits become the high half of the f32 (shift left by 16).
     */
    public static void widenBf16(short[] src, int srcOff, float[] dst, int dstOff, int len) {
        for (int i = 0; i < len; i += L) {
            ShortVector h = ShortVector.fromArray(S16, src, srcOff + i);
            ((IntVector) h.convertShape(VectorOperators.S2I, S32, 0))
                    .lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats()
                    .intoArray(dst, dstOff + i);
        }
    }

    /** Scalar form of {@link #widenBf16} (reference, and the alternative measured by the benchmark). */
    public static void widenBf16Scalar(short[] src, int srcOff, float[] dst, int dstOff, int len) {
        for (int i = 0; i < len; i++) dst[dstOff + i] = Float.intBitsToFloat(src[srcOff + i] << 16);
    }

    /**
     * Packs rows [i0, i0+mc) x cols [p0, p0+kc) of op(A) into {@code dst} from {@code dstOff} as micro-panels of mr
     * rows: element (i, p) of the block goes to {@code dst[dstOff + (i / mr) * mr * kc + p * mr + i % mr]}; rows of
     * the last panel past mc are zero (so the micro-kernel never needs a row-edge case).
     */
    public static void packA(boolean transA, float[] a, int aOff, int lda, int i0, int mc, int p0, int kc,
                             int mr, float[] dst, int dstOff) {
        for (int ir = 0; ir < mc; ir += mr) {
            int h = Math.min(mr, mc - ir);
            int base = dstOff + ir * kc;
            if (!transA) {
                Transpose.interleaveRows(a, aOff + (i0 + ir) * lda + p0, lda, h, mr, kc, dst, base);
                continue;
            }
            for (int p = 0; p < kc; p++)
                System.arraycopy(a, aOff + (p0 + p) * lda + i0 + ir, dst, base + p * mr, h);
            if (h < mr) {
                for (int p = 0; p < kc; p++)
                    for (int ii = h; ii < mr; ii++) dst[base + p * mr + ii] = 0f;
            }
        }
    }
}
