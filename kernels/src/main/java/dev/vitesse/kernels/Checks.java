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

    /**
     * {@code v} as an int; IllegalArgumentException naming {@code what} when it does not fit (size arithmetic done
     * in long must not wrap into a small, seemingly valid int).
     */
    static int fitsInt(String what, long v) {
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE)
            throw new IllegalArgumentException(what + " = " + v + " does not fit in an int (max " + Integer.MAX_VALUE + ")");
        return (int) v;
    }

    /**
     * Whether the element sets {@code {off1 + r*ld1 + c : r < rows1, c < cols1}} and
     * {@code {off2 + r*ld2 + c : r < rows2, c < cols2}} intersect (exact for non-negative strides; a contiguous range
     * is one row). Costs O(min(rows1, rows2)): meant for the rare call where input and output share an array.
     */
    static boolean rowsOverlap(long off1, long ld1, int rows1, int cols1, long off2, long ld2, int rows2, int cols2) {
        if (rows1 <= 0 || cols1 <= 0 || rows2 <= 0 || cols2 <= 0) return false;
        if (ld1 <= 0) rows1 = 1; // every row at the same place
        if (ld2 <= 0) rows2 = 1;
        if (rows1 > rows2) return rowsOverlap(off2, ld2, rows2, cols2, off1, ld1, rows1, cols1);
        for (int r = 0; r < rows1; r++) {
            long s = off1 + r * ld1;
            // first row of set 2 that ends after s (rows are sorted by start, all of length cols2)
            long first = rows2 == 1 ? 0 : Math.max(0, Math.floorDiv(s - off2 - cols2, ld2) + 1);
            if (rows2 == 1 && off2 + cols2 <= s) continue;
            if (first < rows2 && off2 + first * ld2 < s + cols1) return true;
        }
        return false;
    }

    /**
     * Rejects an output {@code outName} (rows at {@code outOff + r*outLd}) sharing elements with the input
     * {@code inName} in the same array; exact (disjoint interleaved rows are accepted), see {@link #rowsOverlap}.
     */
    static void noRowsOverlap(String inName, float[] in, int inOff, int inLd, int inRows, int inCols,
                              String outName, float[] out, int outOff, int outLd, int outRows, int outCols) {
        if (in == out && rowsOverlap(inOff, inLd, inRows, inCols, outOff, outLd, outRows, outCols))
            throw new IllegalArgumentException(outName + " overlaps " + inName + " in the same array (" + outName + " at offset "
                    + outOff + ", " + inName + " at offset " + inOff + "); the result would be undefined");
    }

    /** {@link #noOverlap} for contiguous ranges given by offset and length. */
    static void noOverlapLen(String inName, float[] in, int inOff, long inLen, String outName, float[] out, int outOff, long outLen) {
        noOverlap(inName, in, inOff, inOff + inLen, outName, out, outOff, outOff + outLen);
    }

    /** Rejects an output range that overlaps an input range of the same array (results would be undefined). */
    static void noOverlap(String inName, float[] in, int inOff, long inEnd, String outName, float[] out, int outOff, long outEnd) {
        if (in == out && inOff < outEnd && outOff < inEnd && inEnd > inOff && outEnd > outOff)
            throw new IllegalArgumentException(outName + " overlaps " + inName + " in the same array ([" + outOff + ", " + outEnd
                    + ") vs [" + inOff + ", " + inEnd + ")); in-place use is not supported");
    }
}
