package dev.vitesse.kernels;

/**
 * Argument checks shared by every kernel entry point: everything is checked before any array access, and every
 * failure names the offending argument.
 *
 * <p>Two leading-dimension rules coexist because the public APIs document different ones:
 * {@link #blasMatrix} is the BLAS rule ({@code ld >= max(1, cols)}, used by {@link Gemm#sgemm} and
 * {@link PackedMatrix}); {@link #matrix} is the row-kernel rule (the stride only matters when there is a second
 * row, used by {@link LayerNorm}, {@link Softmax}). {@link #range} covers flat buffers (convolutions, pooling,
 * window partition, element-wise kernels).
 */
final class Checks {
    private Checks() {}

    static void nonNegative(String name, long v) {
        if (v < 0) throw new IllegalArgumentException(name + " must be >= 0, found " + v);
    }

    static void notNull(String name, Object o) {
        if (o == null) throw new IllegalArgumentException(name + " must not be null");
    }

    /** {@code a[off .. off+len)} must exist. */
    static void range(String name, float[] a, int off, long len) {
        if (a == null) throw new IllegalArgumentException(name + " is null");
        nonNegative("length of " + name, len);
        if (off < 0) throw new IllegalArgumentException(name + " offset must be >= 0, found " + off);
        if ((long) off + len > a.length) {
            throw new IllegalArgumentException(name + " too short: offset " + off + " + length " + len
                    + " > array length " + a.length);
        }
    }

    /**
     * Row-kernel rule: a row-major {@code rows x cols} matrix with row stride {@code ld} starting at {@code off}
     * must fit; {@code ld >= cols} is only required when there is more than one row.
     */
    static void matrix(String name, float[] a, int off, int rows, int cols, int ld) {
        if (a == null) throw new IllegalArgumentException(name + " is null");
        nonNegative("rows of " + name, rows);
        nonNegative("cols of " + name, cols);
        if (off < 0) throw new IllegalArgumentException(name + " offset must be >= 0, found " + off);
        if (rows > 1 && ld < cols) {
            throw new IllegalArgumentException("row stride of " + name + " must be >= cols (" + cols + "), found " + ld);
        }
        if (rows == 0 || cols == 0) return;
        long need = end(off, ld, rows, cols);
        if (need > a.length) {
            throw new IllegalArgumentException(name + " too short for " + rows + "x" + cols + " with row stride " + ld
                    + " at offset " + off + ": needs " + need + " elements, has " + a.length);
        }
    }

    /**
     * BLAS rule: a row-major {@code rows x cols} matrix stored in {@code arr} from {@code off} with leading dimension
     * {@code ld} (called {@code ldName} in messages): {@code ld >= max(1, cols)} and the last element inside the array.
     */
    static void blasMatrix(String name, float[] arr, int off, int ld, int rows, int cols, String ldName) {
        notNull(name, arr);
        if (off < 0) throw new IllegalArgumentException(name + " offset must be >= 0, found " + off);
        if (ld < Math.max(1, cols))
            throw new IllegalArgumentException(ldName + " must be >= max(1, " + cols + ") for " + name + " stored as "
                    + rows + "x" + cols + ", found " + ld);
        long need = end(off, ld, rows, cols);
        if (need > arr.length)
            throw new IllegalArgumentException(name + " too short: a " + rows + "x" + cols + " matrix at offset " + off
                    + " with " + ldName + "=" + ld + " needs length >= " + need + ", found " + arr.length);
    }

    /** One past the last element of a stored matrix (or off when empty). */
    static long end(int off, int ld, int rows, int cols) {
        if (rows == 0 || cols == 0) return off;
        return (long) off + (long) (rows - 1) * ld + cols;
    }

    /** Rejects an output range that overlaps an input range of the same array (results would be undefined). */
    static void noOverlap(String inName, float[] in, int inOff, long inEnd, String outName, float[] out, int outOff, long outEnd) {
        if (in == out && inOff < outEnd && outOff < inEnd && inEnd > inOff && outEnd > outOff)
            throw new IllegalArgumentException(outName + " overlaps " + inName + " in the same array ([" + outOff + ", " + outEnd
                    + ") vs [" + inOff + ", " + inEnd + ")); in-place products are not supported");
    }
}
