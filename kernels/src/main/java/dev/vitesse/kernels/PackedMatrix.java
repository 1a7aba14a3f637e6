package dev.vitesse.kernels;

import dev.vitesse.kernels.gemm.GemmConfig;
import dev.vitesse.kernels.gemm.GemmDriver;
import dev.vitesse.kernels.gemm.PackedB;
import dev.vitesse.kernels.gemm.Packing;
import dev.vitesse.kernels.gemm.TileOp;

import java.lang.foreign.MemorySegment;

/**
 * A weight matrix packed once into the GEMM's panel layout, for the "linear layer" product
 * {@code C[m][n] (= or +=) epilogue(X[m][k] * W^T)} with W of shape {@code [n][k]} (PyTorch {@code nn.Linear.weight}).
 * Only the activation side is packed per {@link #multiply} call; bias, GELU, LayerScale and residual add are fused
 * into the tile store (see {@link Epilogue}).
 *
 * <p>Weights are stored as f32 ({@link #packWeight}) or, to halve their memory, as bf16 ({@link #packWeightBf16},
 * {@link #packWeightFromBf16}); the arithmetic is f32 either way.
 *
 * <p>Immutable and thread-safe: one instance can serve many concurrent {@code multiply} calls.
 *
 * <pre>{@code
 * PackedMatrix w1 = PackedMatrix.packWeight(fc1Weight, 0, hidden, dim);          // once, at load time
 * w1.multiply(tokens, x, 0, dim, h, 0, hidden, Epilogue.NONE.withBias(fc1Bias).withGelu());
 * }</pre>
 */
public final class PackedMatrix {
    private final PackedB b;

    private PackedMatrix(PackedB b) {
        this.b = b;
    }

    /**
     * Packs {@code W = w[off ..]} of shape {@code [n][k]} row-major (output features x input features), so that
     * {@link #multiply} computes {@code X * W^T}.
     *
     * @throws IllegalArgumentException if w is null, n/k/off negative, or w too short for {@code off + n*k}
     */
    public static PackedMatrix packWeight(float[] w, int off, int n, int k) {
        Checks.nonNegative("n", n);
        Checks.nonNegative("k", k);
        Checks.blasMatrix("w", w, off, Math.max(1, k), n, k, "k");
        return new PackedMatrix(Packing.packB(true, w, off, Math.max(1, k), k, n));
    }

    /**
     * Packs W of shape {@code [n][k]} stored as little-endian f32 in {@code seg} from {@code byteOffset} (e.g. a
     * memory-mapped safetensors file; any alignment). The data are copied into the packed layout; the segment is
     * not retained.
     *
     * @throws IllegalArgumentException if seg is null, n/k/byteOffset negative or the segment is shorter than
     *         {@code byteOffset + n*k*4} bytes
     */
    public static PackedMatrix packWeight(MemorySegment seg, long byteOffset, int n, int k) {
        checkSegment(seg, byteOffset, n, k, Float.BYTES);
        return new PackedMatrix(Packing.packWeight(seg, byteOffset, n, k));
    }

    /**
     * As {@link #packWeight(float[], int, int, int)} but stored as bf16 (each weight rounded to the nearest bf16,
     * ties to even; see {@link Bf16#fromFloat}): half the memory of f32. {@link #multiply} computes exactly what
     * the f32 path computes for the rounded weights (the panels are widened to f32 in L1; accumulation is f32).
     *
     * @throws IllegalArgumentException as for {@link #packWeight(float[], int, int, int)}
     */
    public static PackedMatrix packWeightBf16(float[] w, int off, int n, int k) {
        Checks.nonNegative("n", n);
        Checks.nonNegative("k", k);
        Checks.blasMatrix("w", w, off, Math.max(1, k), n, k, "k");
        return new PackedMatrix(Packing.packWeightBf16(w, off, n, k));
    }

    /**
     * As {@link #packWeight(MemorySegment, long, int, int)} (little-endian f32 source) but stored as bf16, rounded
     * to nearest even.
     *
     * @throws IllegalArgumentException as for {@link #packWeight(MemorySegment, long, int, int)}
     */
    public static PackedMatrix packWeightBf16(MemorySegment seg, long byteOffset, int n, int k) {
        checkSegment(seg, byteOffset, n, k, Float.BYTES);
        return new PackedMatrix(Packing.packWeightBf16(seg, byteOffset, n, k));
    }

    /**
     * Packs W of shape {@code [n][k]} stored as little-endian <em>bf16</em> in {@code seg} from {@code byteOffset}
     * (e.g. a BF16 tensor in a memory-mapped safetensors file), keeping the bits as they are (no rounding). The
     * segment is not retained.
     *
     * @throws IllegalArgumentException if seg is null, n/k/byteOffset negative or the segment is shorter than
     *         {@code byteOffset + n*k*2} bytes
     */
    public static PackedMatrix packWeightFromBf16(MemorySegment seg, long byteOffset, int n, int k) {
        checkSegment(seg, byteOffset, n, k, 2);
        return new PackedMatrix(Packing.packWeightFromBf16(seg, byteOffset, n, k));
    }

    /**
     * {@link #packWeight(float[], int, int, int)} or {@link #packWeightBf16(float[], int, int, int)} by format.
     *
     * @throws IllegalArgumentException also for a null format
     */
    public static PackedMatrix packWeight(float[] w, int off, int n, int k, WeightFormat format) {
        Checks.notNull("format", format);
        return format == WeightFormat.BF16 ? packWeightBf16(w, off, n, k) : packWeight(w, off, n, k);
    }

    /**
     * {@link #packWeight(MemorySegment, long, int, int)} or {@link #packWeightBf16(MemorySegment, long, int, int)}
     * (f32 source) by format.
     *
     * @throws IllegalArgumentException also for a null format
     */
    public static PackedMatrix packWeight(MemorySegment seg, long byteOffset, int n, int k, WeightFormat format) {
        Checks.notNull("format", format);
        return format == WeightFormat.BF16 ? packWeightBf16(seg, byteOffset, n, k) : packWeight(seg, byteOffset, n, k);
    }

    private static void checkSegment(MemorySegment seg, long byteOffset, int n, int k, int elementBytes) {
        Checks.notNull("seg", seg);
        Checks.nonNegative("n", n);
        Checks.nonNegative("k", k);
        Checks.nonNegative("byteOffset", byteOffset);
        if (!seg.scope().isAlive()) throw new IllegalArgumentException("seg is closed (its arena was closed)");
        long elements = (long) n * k; // < 2^62; times elementBytes could wrap a long: compare in elements
        long need = elements > Long.MAX_VALUE / elementBytes ? Long.MAX_VALUE : elements * elementBytes;
        if (byteOffset > seg.byteSize() || seg.byteSize() - byteOffset < need)
            throw new IllegalArgumentException("seg too short: weight [" + n + "][" + k + "] of " + elementBytes
                    + "-byte elements at byteOffset " + byteOffset + " needs " + (need == Long.MAX_VALUE ? "more than 2^63" : String.valueOf(byteOffset + need))
                    + " bytes, segment has " + seg.byteSize());
    }

    /**
     * Packs a plain GEMM B operand {@code b[off ..]} of shape {@code [k][n]} row-major with leading dimension ldb,
     * so that {@link #multiply} computes {@code X * B}.
     *
     * @throws IllegalArgumentException for null/short arrays, negative sizes or ldb &lt; max(1, n)
     */
    public static PackedMatrix pack(float[] b, int off, int k, int n, int ldb) {
        Checks.nonNegative("k", k);
        Checks.nonNegative("n", n);
        Checks.blasMatrix("b", b, off, ldb, k, n, "ldb");
        return new PackedMatrix(Packing.packB(false, b, off, ldb, k, n));
    }

    /** Output features (columns of the product). */
    public int n() {
        return b.n;
    }

    /** Input features (shared dimension). */
    public int k() {
        return b.k;
    }

    /** Storage format of the packed weights. */
    public WeightFormat format() {
        return b.isBf16() ? WeightFormat.BF16 : WeightFormat.FP32;
    }

    /** Bytes held by the packed weights (including the zero padding of the last column panel). */
    public long bytes() {
        return b.bytes();
    }

    /**
     * {@code C[m][n] (= or +=) epilogue(X[m][k] * W^T)}; element (i, p) of X is {@code x[xOff + i*ldx + p]}, element
     * (i, j) of C is {@code c[cOff + i*ldc + j]}. Runs on the {@link Parallel} team.
     *
     * @throws IllegalArgumentException for negative m, null/short arrays, ldx &lt; max(1, k), ldc &lt; max(1, n),
     *         epilogue arrays whose length is not n, a null epilogue, or C overlapping X
     */
    public void multiply(int m, float[] x, int xOff, int ldx, float[] c, int cOff, int ldc, Epilogue e) {
        int n = b.n, k = b.k;
        Checks.nonNegative("m", m);
        Checks.blasMatrix("x", x, xOff, ldx, m, k, "ldx");
        Checks.blasMatrix("c", c, cOff, ldc, m, n, "ldc");
        Epilogue.requireNonNull(e);
        e.checkColumns(n);
        Checks.noOverlap("x", x, xOff, Checks.end(xOff, ldx, m, k), "c", c, cOff, Checks.end(cOff, ldc, m, n));
        if (m == 0 || n == 0) return;
        if (k == 0) { // empty sum: every element is epilogue(0)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    float v = e.bias() == null ? 0f : e.bias()[j];
                    if (e.activation() != null) v = e.activation().apply(v);
                    if (e.columnScale() != null) v *= e.columnScale()[j];
                    int ci = cOff + i * ldc + j;
                    c[ci] = e.accumulates() ? c[ci] + v : v;
                }
            return;
        }

        if (e.activation() != null && e.accumulates()) {
            // the activation is not linear, so K-blocked partial sums cannot live in C on top of the residual:
            // compute the activation into a scratch block, then add it.
            float[] tmp = new float[Math.multiplyExact(m, n)];
            GemmDriver.run(m, n, k, false, x, xOff, ldx, b, tmp, 0, n, tileOp(e, n, false));
            for (int i = 0; i < m; i++) {
                int row = cOff + i * ldc;
                for (int j = 0; j < n; j++) c[row + j] += tmp[i * n + j];
            }
            return;
        }
        GemmDriver.run(m, n, k, false, x, xOff, ldx, b, c, cOff, ldc, tileOp(e, n, e.accumulates()));
    }

    /** Maps an Epilogue to the driver's per-K-block tile update (see {@link TileOp}). */
    private static TileOp tileOp(Epilogue e, int n, boolean accumulate) {
        float beta = accumulate ? 1f : 0f;
        float[] gamma = e.columnScale();
        if (e.activation() == null) {
            // Linear: C = C0 + gamma*(alpha*acc + bias) = C0 + (alpha*gamma)*acc + gamma*bias, folded into per-column
            // scale/add so every K block can accumulate straight into C.
            float[] scale = gamma == null ? null : TileOp.padded(gamma, null, e.alpha(), n);
            float[] add = e.bias() == null ? null : TileOp.padded(e.bias(), gamma, 1f, n);
            return new TileOp(e.alpha(), beta, scale, add, null, null);
        }
        float[] add = e.bias() == null ? null : TileOp.padded(e.bias(), null, 1f, n);
        float[] post = gamma == null ? null : TileOp.padded(gamma, null, 1f, n);
        return new TileOp(e.alpha(), beta, null, add, e.activation(), post);
    }

    @Override
    public String toString() {
        return "PackedMatrix[n=" + b.n + ", k=" + b.k + ", panel=" + GemmConfig.NR + ", " + format().cliName() + "]";
    }
}
