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

    /** Throws IllegalArgumentException naming {@code name} unless all elements of the given extent are in the array. */
    void check(String name, int batch, int heads, int rows, int cols) {
        if (batch == 0 || heads == 0 || rows == 0 || cols == 0) return;
        long last = offset + (long) (batch - 1) * batchStride + (long) (rows - 1) * rowStride
                + (long) (heads - 1) * headStride + cols - 1;
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
