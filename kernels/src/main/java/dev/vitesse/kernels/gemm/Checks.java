package dev.vitesse.kernels.gemm;

/** Argument validation shared by the GEMM entry points: everything is checked before any array access. */
public final class Checks {
    private Checks() {}

    public static void nonNegative(String name, long v) {
        if (v < 0) throw new IllegalArgumentException(name + " must be >= 0, found " + v);
    }

    public static void notNull(String name, Object o) {
        if (o == null) throw new IllegalArgumentException(name + " must not be null");
    }

    /**
     * Checks a row-major {@code rows x cols} matrix stored in {@code arr} from {@code off} with leading dimension
     * {@code ld}: ld >= max(1, cols) and the last element inside the array.
     */
    public static void matrix(String name, float[] arr, int off, int ld, int rows, int cols, String ldName) {
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
    public static long end(int off, int ld, int rows, int cols) {
        if (rows == 0 || cols == 0) return off;
        return (long) off + (long) (rows - 1) * ld + cols;
    }

    /** Rejects an output range that overlaps an input range of the same array (results would be undefined). */
    public static void noOverlap(String inName, float[] in, int inOff, long inEnd, String outName, float[] out, int outOff, long outEnd) {
        if (in == out && inOff < outEnd && outOff < inEnd && inEnd > inOff && outEnd > outOff)
            throw new IllegalArgumentException(outName + " overlaps " + inName + " in the same array ([" + outOff + ", " + outEnd
                    + ") vs [" + inOff + ", " + inEnd + ")); in-place products are not supported");
    }
}
