package dev.vitesse.kernels;

/**
 * A strided 4-D view (batch, head, row, channel) over a float array, so attention can read Q/K/V straight
 * out of a fused qkv GEMM output and write its result where the next GEMM wants it, without transposes.
 * Element (b, h, i, c) is {@code data[offset + b*batchStride + i*rowStride + h*headStride + c]}
 * (channels are contiguous).
 *
 * @param data        backing array, not null
 * @param offset      index of element (0, 0, 0, 0), >= 0
 * @param batchStride distance between batch entries, >= 0
 * @param rowStride   distance between rows (tokens), >= 0
 * @param headStride  distance between heads, >= 0
 */
public record AttentionView(float[] data, int offset, int batchStride, int rowStride, int headStride) {

    public AttentionView {
        if (data == null) throw new IllegalArgumentException("AttentionView data is null");
        if (offset < 0) throw new IllegalArgumentException("AttentionView offset must be >= 0, found " + offset);
        if (batchStride < 0 || rowStride < 0 || headStride < 0) {
            throw new IllegalArgumentException("AttentionView strides must be >= 0, found batchStride=" + batchStride
                    + " rowStride=" + rowStride + " headStride=" + headStride);
        }
    }

    /**
     * One of q (part 0), k (1), v (2) inside a timm-style fused qkv activation {@code [B*tokens, 3*heads*headDim]}
     * whose columns are {@code [q | k | v]}, each head-major ({@code heads x headDim}).
     */
    public static AttentionView qkv(float[] qkv, int offset, int tokens, int heads, int headDim, int part) {
        if (part < 0 || part > 2) throw new IllegalArgumentException("part must be 0 (q), 1 (k) or 2 (v), found " + part);
        checkShape(tokens, heads, headDim);
        long dim = (long) heads * headDim;
        return new AttentionView(qkv, Checks.fitsInt("qkv view offset + part*heads*headDim", offset + part * dim),
                Checks.fitsInt("qkv batch stride tokens*3*heads*headDim", tokens * 3 * dim),
                Checks.fitsInt("qkv row stride 3*heads*headDim", 3 * dim), headDim);
    }

    /** Token-major {@code [B*tokens, heads*headDim]} with head-major columns (the input of the proj GEMM). */
    public static AttentionView tokenMajor(float[] data, int offset, int tokens, int heads, int headDim) {
        checkShape(tokens, heads, headDim);
        long dim = (long) heads * headDim;
        return new AttentionView(data, offset, Checks.fitsInt("token-major batch stride tokens*heads*headDim", tokens * dim),
                Checks.fitsInt("token-major row stride heads*headDim", dim), headDim);
    }

    /** Head-major {@code [B][heads][tokens][headDim]} (PyTorch's q/k/v after {@code permute}). */
    public static AttentionView headMajor(float[] data, int offset, int tokens, int heads, int headDim) {
        checkShape(tokens, heads, headDim);
        return new AttentionView(data, offset, Checks.fitsInt("head-major batch stride heads*tokens*headDim", (long) heads * tokens * headDim),
                headDim, Checks.fitsInt("head-major head stride tokens*headDim", (long) tokens * headDim));
    }

    private static void checkShape(int tokens, int heads, int headDim) {
        Checks.nonNegative("tokens", tokens);
        Checks.nonNegative("heads", heads);
        Checks.nonNegative("headDim", headDim);
    }

    /** Index of element (b, h, i, 0). */
    public int index(int b, int h, int i) {
        return offset + b * batchStride + i * rowStride + h * headStride;
    }

    /**
     * Whether the rows (b, h, i) of the given extent, each {@code cols} long, are pairwise disjoint. O(1) for the
     * usual layouts (each stride clears the whole extent of the smaller ones); otherwise exact, by sorting the row
     * starts (a rare layout, so the cost does not matter).
     */
    boolean rowsDisjoint(int batch, int heads, int rows, int cols) {
        if (batch == 0 || heads == 0 || rows == 0 || cols == 0) return true;
        long[][] dims = {{batch, batchStride}, {heads, headStride}, {rows, rowStride}};
        java.util.Arrays.sort(dims, java.util.Comparator.comparingLong(x -> x[1]));
        long extent = cols; // span of one element of the dimensions taken so far
        boolean nested = true;
        for (long[] dim : dims) {
            if (dim[0] == 1) continue;
            if (dim[1] < extent) {
                nested = false;
                break;
            }
            extent += (dim[0] - 1) * dim[1];
        }
        if (nested) return true;
        long[] starts = rowStarts(batch, heads, rows);
        java.util.Arrays.sort(starts);
        for (int i = 1; i < starts.length; i++) if (starts[i] < starts[i - 1] + cols) return false;
        return true;
    }

    /** Whether some element of this extent is also an element of {@code other}'s (same array; exact). */
    boolean sharesElementsWith(AttentionView other, int batch, int heads, int rows, int otherRows, int cols) {
        if (data != other.data || batch == 0 || heads == 0 || rows == 0 || otherRows == 0 || cols == 0) return false;
        long first = offset, last = lastIndex(batch, heads, rows, cols);
        long oFirst = other.offset, oLast = other.lastIndex(batch, heads, otherRows, cols);
        if (last < oFirst || oLast < first) return false; // disjoint spans: the usual case, O(1)
        long[] a = rowStarts(batch, heads, rows), b = other.rowStarts(batch, heads, otherRows);
        java.util.Arrays.sort(a);
        java.util.Arrays.sort(b);
        for (int i = 0, j = 0; i < a.length && j < b.length; ) {
            if (a[i] + cols <= b[j]) i++;
            else if (b[j] + cols <= a[i]) j++;
            else return true;
        }
        return false;
    }

    private long lastIndex(int batch, int heads, int rows, int cols) {
        return offset + (long) (batch - 1) * batchStride + (long) (rows - 1) * rowStride + (long) (heads - 1) * headStride
                + cols - 1;
    }

    private long[] rowStarts(int batch, int heads, int rows) {
        long[] r = new long[Checks.fitsInt("attention rows batch*heads*rows", (long) batch * heads * rows)];
        int n = 0;
        for (int b = 0; b < batch; b++)
            for (int h = 0; h < heads; h++)
                for (int i = 0; i < rows; i++)
                    r[n++] = offset + (long) b * batchStride + (long) h * headStride + (long) i * rowStride;
        return r;
    }

    /** Throws IllegalArgumentException naming {@code name} unless all elements of the given extent are in the array. */
    void check(String name, int batch, int heads, int rows, int cols) {
        if (batch == 0 || heads == 0 || rows == 0 || cols == 0) return;
        long last = lastIndex(batch, heads, rows, cols);
        if (last >= data.length) {
            throw new IllegalArgumentException("attention view " + name + " too short: batch=" + batch + " heads=" + heads
                    + " rows=" + rows + " headDim=" + cols + " with offset=" + offset + " batchStride=" + batchStride
                    + " rowStride=" + rowStride + " headStride=" + headStride + " needs " + (last + 1)
                    + " elements, array has " + data.length);
        }
        if (rows > 1 && rowStride < cols) {
            throw new IllegalArgumentException("attention view " + name + ": rowStride " + rowStride + " < headDim " + cols);
        }
    }
}
