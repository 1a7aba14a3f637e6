package dev.vitesse.kernels.gemm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Out-of-place float matrix transposition for the packing routines (GEMM B panels from a transposed operand,
 * flash attention's Q^T and its output): {@code dst[d0 + c*ldd + r] = src[s0 + r*ld + c]}.
 *
 * <p>With 512-bit vectors, 16 x 16 blocks are transposed in registers: 16 row loads, four butterfly stages of
 * two-vector permutes ({@code selectFrom}, one {@code vpermt2ps} each; stage s swaps the off-diagonal
 * 2^(3-s)-sized sub-blocks), 16 row stores. Measured on Zen 5: ViT-B's per-head Q^T (197 x 64 out of the fused
 * qkv activation) took 1.7 us against 5.4 us for the scalar loop, whose stores are strided. Edges and other
 * vector widths take the scalar loop ({@link #transposeScalar}, also the test oracle): two-vector permutes are
 * single instructions only with AVX-512, and C2 may not intrinsify them on AVX2-only hardware.
 */
public final class Transpose {
    private Transpose() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Side of the register block; 0 when the vector width has no register path. */
    static final int BLOCK = S.length() == 16 ? 16 : 0;

    // Lane-index vectors of the butterfly stages: lane l of the low output takes x[l] or y[l - b], lane l of the
    // high output x[l + b] or y[l], depending on bit b of l (an index >= 16 selects from the second vector).
    private static final FloatVector LO0 = stage(8, false), HI0 = stage(8, true);
    private static final FloatVector LO1 = stage(4, false), HI1 = stage(4, true);
    private static final FloatVector LO2 = stage(2, false), HI2 = stage(2, true);
    private static final FloatVector LO3 = stage(1, false), HI3 = stage(1, true);

    private static FloatVector stage(int b, boolean high) {
        int n = S.length();
        float[] idx = new float[n];
        for (int l = 0; l < n; l++) {
            boolean low = (l & b) == 0;
            idx[l] = high ? (low ? l + b : n + l) : (low ? l : n + l - b);
        }
        return FloatVector.fromArray(S, idx, 0);
    }

    /**
     * {@code dst[d0 + c*ldd + r] = src[s0 + r*ld + c]} for r &lt; rows, c &lt; cols. Arguments are validated by the
     * callers; an index outside an array still throws (every access is bounds-checked).
     */
    public static void transpose(float[] src, int s0, int ld, int rows, int cols, float[] dst, int d0, int ldd) {
        if (BLOCK == 0) {
            transposeScalar(src, s0, ld, rows, cols, dst, d0, ldd);
            return;
        }
        int rFull = rows - rows % BLOCK, cFull = cols - cols % BLOCK;
        for (int c = 0; c < cFull; c += BLOCK)
            for (int r = 0; r < rFull; r += BLOCK)
                block16(src, s0 + r * ld + c, ld, BLOCK, dst, d0 + c * ldd + r, ldd);
        if (cFull < cols) transposeScalar(src, s0 + cFull, ld, rFull, cols - cFull, dst, d0 + cFull * ldd, ldd);
        if (rFull < rows) transposeScalar(src, s0 + rFull * ld, ld, rows - rFull, cols, dst, d0 + rFull, ldd);
    }

    /**
     * The scalar form, in blocks of {@link #CB} columns so the destination rows being filled stay in L1; rows are
     * read four at a time, so each destination row gets four adjacent stores.
     */
    public static void transposeScalar(float[] src, int s0, int ld, int rows, int cols, float[] dst, int d0, int ldd) {
        for (int c0 = 0; c0 < cols; c0 += CB) {
            int c1 = Math.min(cols, c0 + CB);
            int r = 0;
            for (; r + 4 <= rows; r += 4) {
                int a0 = s0 + r * ld, a1 = a0 + ld, a2 = a1 + ld, a3 = a2 + ld;
                for (int c = c0; c < c1; c++) {
                    int o = d0 + c * ldd + r;
                    dst[o] = src[a0 + c];
                    dst[o + 1] = src[a1 + c];
                    dst[o + 2] = src[a2 + c];
                    dst[o + 3] = src[a3 + c];
                }
            }
            for (; r < rows; r++)
                for (int c = c0, a = s0 + r * ld; c < c1; c++) dst[d0 + c * ldd + r] = src[a + c];
        }
    }

    /** Columns per block of the scalar form. */
    private static final int CB = 64;

    /**
     * Interleaves {@code rows} rows into a micro-panel {@code width} floats wide, zero-padded:
     * {@code dst[d0 + p*width + r] = r < rows ? src[s0 + r*ld + p] : 0} for r &lt; width, p &lt; len, with
     * 1 &lt;= rows &lt;= width &lt;= 16 (the GEMM's A panels, flash attention's K panels). With 512-bit vectors, 16
     * columns of a full panel at a time go through the 16 x 16 register block and are stored {@code width} floats
     * apart; the last 16 to 31 columns, and partial panels, take the scalar loop (row by row).
     */
    public static void interleaveRows(float[] src, int s0, int ld, int rows, int width, int len, float[] dst, int d0) {
        if (rows < 1 || rows > width || width > 16)
            throw new IllegalArgumentException("need 1 <= rows <= width <= 16, found rows " + rows + ", width " + width);
        int p = 0;
        if (BLOCK != 0 && rows == width) { // a partial panel (once per call) stays scalar: no zero lanes to blend
            for (; p + 2 * BLOCK <= len; p += BLOCK) block16(src, s0 + p, ld, width, dst, d0 + p * width, width);
        }
        // row by row: each source row is read in order (column by column, every step touched `rows` cache lines:
        // the 5-row edge panel of ViT-B's 197 x 3072 fc2 input took ~60 of the 187 us to pack the whole A)
        for (int r = 0; r < width; r++) {
            int d = d0 + p * width + r, a = s0 + r * ld;
            if (r < rows) for (int q = p; q < len; q++, d += width) dst[d] = src[a + q];
            else for (int q = p; q < len; q++, d += width) dst[d] = 0f;
        }
    }

    /**
     * The 16 x 16 register block (512-bit vectors only): {@code dst[d0 + q*ldd + r] = src[s0 + r*ld + q]} for
     * r &lt; rows, q &lt; 16. Rows past {@code rows} re-load the last row (always in bounds) and land in lanes past
     * {@code rows} of every stored vector, which the caller must overwrite or not need: a plain transposition uses
     * 16 rows; {@link #interleaveRows} stores {@code rows}-wide panel rows (ldd = rows) in ascending order, each
     * overwriting the previous one's spare lanes, and leaves at least 16 more columns after the block. Straight line
     * on purpose: with a branch per load and store, or with blends and masked stores, C1 ran out of virtual
     * registers ("COMPILE SKIPPED", which {@code JitHealthTest} catches).
     */
    private static void block16(float[] src, int s0, int ld, int rows, float[] dst, int d0, int ldd) {
        int last = rows - 1;
        FloatVector v0 = FloatVector.fromArray(S, src, s0 + Math.min(0, last) * ld);
        FloatVector v1 = FloatVector.fromArray(S, src, s0 + Math.min(1, last) * ld);
        FloatVector v2 = FloatVector.fromArray(S, src, s0 + Math.min(2, last) * ld);
        FloatVector v3 = FloatVector.fromArray(S, src, s0 + Math.min(3, last) * ld);
        FloatVector v4 = FloatVector.fromArray(S, src, s0 + Math.min(4, last) * ld);
        FloatVector v5 = FloatVector.fromArray(S, src, s0 + Math.min(5, last) * ld);
        FloatVector v6 = FloatVector.fromArray(S, src, s0 + Math.min(6, last) * ld);
        FloatVector v7 = FloatVector.fromArray(S, src, s0 + Math.min(7, last) * ld);
        FloatVector v8 = FloatVector.fromArray(S, src, s0 + Math.min(8, last) * ld);
        FloatVector v9 = FloatVector.fromArray(S, src, s0 + Math.min(9, last) * ld);
        FloatVector v10 = FloatVector.fromArray(S, src, s0 + Math.min(10, last) * ld);
        FloatVector v11 = FloatVector.fromArray(S, src, s0 + Math.min(11, last) * ld);
        FloatVector v12 = FloatVector.fromArray(S, src, s0 + Math.min(12, last) * ld);
        FloatVector v13 = FloatVector.fromArray(S, src, s0 + Math.min(13, last) * ld);
        FloatVector v14 = FloatVector.fromArray(S, src, s0 + Math.min(14, last) * ld);
        FloatVector v15 = FloatVector.fromArray(S, src, s0 + Math.min(15, last) * ld);
        { FloatVector x = v0, y = v8; v0 = LO0.selectFrom(x, y); v8 = HI0.selectFrom(x, y); }
        { FloatVector x = v1, y = v9; v1 = LO0.selectFrom(x, y); v9 = HI0.selectFrom(x, y); }
        { FloatVector x = v2, y = v10; v2 = LO0.selectFrom(x, y); v10 = HI0.selectFrom(x, y); }
        { FloatVector x = v3, y = v11; v3 = LO0.selectFrom(x, y); v11 = HI0.selectFrom(x, y); }
        { FloatVector x = v4, y = v12; v4 = LO0.selectFrom(x, y); v12 = HI0.selectFrom(x, y); }
        { FloatVector x = v5, y = v13; v5 = LO0.selectFrom(x, y); v13 = HI0.selectFrom(x, y); }
        { FloatVector x = v6, y = v14; v6 = LO0.selectFrom(x, y); v14 = HI0.selectFrom(x, y); }
        { FloatVector x = v7, y = v15; v7 = LO0.selectFrom(x, y); v15 = HI0.selectFrom(x, y); }
        { FloatVector x = v0, y = v4; v0 = LO1.selectFrom(x, y); v4 = HI1.selectFrom(x, y); }
        { FloatVector x = v1, y = v5; v1 = LO1.selectFrom(x, y); v5 = HI1.selectFrom(x, y); }
        { FloatVector x = v2, y = v6; v2 = LO1.selectFrom(x, y); v6 = HI1.selectFrom(x, y); }
        { FloatVector x = v3, y = v7; v3 = LO1.selectFrom(x, y); v7 = HI1.selectFrom(x, y); }
        { FloatVector x = v8, y = v12; v8 = LO1.selectFrom(x, y); v12 = HI1.selectFrom(x, y); }
        { FloatVector x = v9, y = v13; v9 = LO1.selectFrom(x, y); v13 = HI1.selectFrom(x, y); }
        { FloatVector x = v10, y = v14; v10 = LO1.selectFrom(x, y); v14 = HI1.selectFrom(x, y); }
        { FloatVector x = v11, y = v15; v11 = LO1.selectFrom(x, y); v15 = HI1.selectFrom(x, y); }
        { FloatVector x = v0, y = v2; v0 = LO2.selectFrom(x, y); v2 = HI2.selectFrom(x, y); }
        { FloatVector x = v1, y = v3; v1 = LO2.selectFrom(x, y); v3 = HI2.selectFrom(x, y); }
        { FloatVector x = v4, y = v6; v4 = LO2.selectFrom(x, y); v6 = HI2.selectFrom(x, y); }
        { FloatVector x = v5, y = v7; v5 = LO2.selectFrom(x, y); v7 = HI2.selectFrom(x, y); }
        { FloatVector x = v8, y = v10; v8 = LO2.selectFrom(x, y); v10 = HI2.selectFrom(x, y); }
        { FloatVector x = v9, y = v11; v9 = LO2.selectFrom(x, y); v11 = HI2.selectFrom(x, y); }
        { FloatVector x = v12, y = v14; v12 = LO2.selectFrom(x, y); v14 = HI2.selectFrom(x, y); }
        { FloatVector x = v13, y = v15; v13 = LO2.selectFrom(x, y); v15 = HI2.selectFrom(x, y); }
        { FloatVector x = v0, y = v1; v0 = LO3.selectFrom(x, y); v1 = HI3.selectFrom(x, y); }
        { FloatVector x = v2, y = v3; v2 = LO3.selectFrom(x, y); v3 = HI3.selectFrom(x, y); }
        { FloatVector x = v4, y = v5; v4 = LO3.selectFrom(x, y); v5 = HI3.selectFrom(x, y); }
        { FloatVector x = v6, y = v7; v6 = LO3.selectFrom(x, y); v7 = HI3.selectFrom(x, y); }
        { FloatVector x = v8, y = v9; v8 = LO3.selectFrom(x, y); v9 = HI3.selectFrom(x, y); }
        { FloatVector x = v10, y = v11; v10 = LO3.selectFrom(x, y); v11 = HI3.selectFrom(x, y); }
        { FloatVector x = v12, y = v13; v12 = LO3.selectFrom(x, y); v13 = HI3.selectFrom(x, y); }
        { FloatVector x = v14, y = v15; v14 = LO3.selectFrom(x, y); v15 = HI3.selectFrom(x, y); }
        v0.intoArray(dst, d0 + 0 * ldd);
        v1.intoArray(dst, d0 + 1 * ldd);
        v2.intoArray(dst, d0 + 2 * ldd);
        v3.intoArray(dst, d0 + 3 * ldd);
        v4.intoArray(dst, d0 + 4 * ldd);
        v5.intoArray(dst, d0 + 5 * ldd);
        v6.intoArray(dst, d0 + 6 * ldd);
        v7.intoArray(dst, d0 + 7 * ldd);
        v8.intoArray(dst, d0 + 8 * ldd);
        v9.intoArray(dst, d0 + 9 * ldd);
        v10.intoArray(dst, d0 + 10 * ldd);
        v11.intoArray(dst, d0 + 11 * ldd);
        v12.intoArray(dst, d0 + 12 * ldd);
        v13.intoArray(dst, d0 + 13 * ldd);
        v14.intoArray(dst, d0 + 14 * ldd);
        v15.intoArray(dst, d0 + 15 * ldd);
    }
}
