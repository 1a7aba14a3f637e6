package dev.vitesse.kernels;

/** Argument checks shared by the kops kernels: every failure names the offending argument. */
final class Checks {
    private Checks() {}

    static void nonNegative(String name, int v) {
        if (v < 0) throw new IllegalArgumentException(name + " must be >= 0, found " + v);
    }

    /** {@code a[off .. off+len)} must exist. */
    static void range(String name, float[] a, int off, int len) {
        if (a == null) throw new IllegalArgumentException(name + " is null");
        nonNegative("length of " + name, len);
        if (off < 0) throw new IllegalArgumentException(name + " offset must be >= 0, found " + off);
        if ((long) off + len > a.length) {
            throw new IllegalArgumentException(name + " too short: offset " + off + " + length " + len
                    + " > array length " + a.length);
        }
    }

    /** A row-major {@code rows x cols} matrix with row stride {@code ld} starting at {@code off} must fit. */
    static void matrix(String name, float[] a, int off, int rows, int cols, int ld) {
        if (a == null) throw new IllegalArgumentException(name + " is null");
        nonNegative("rows of " + name, rows);
        nonNegative("cols of " + name, cols);
        if (off < 0) throw new IllegalArgumentException(name + " offset must be >= 0, found " + off);
        if (rows > 1 && ld < cols) {
            throw new IllegalArgumentException("row stride of " + name + " must be >= cols (" + cols + "), found " + ld);
        }
        if (rows == 0 || cols == 0) return;
        long last = off + (long) (rows - 1) * ld + cols - 1;
        if (last >= a.length) {
            throw new IllegalArgumentException(name + " too short for " + rows + "x" + cols + " with row stride " + ld
                    + " at offset " + off + ": needs " + (last + 1) + " elements, has " + a.length);
        }
    }
}
