package dev.vitesse.kernels;

/**
 * An additive attention bias: for (batch b, head h), the {@code [nq][nkv]} matrix whose element (i, j) is
 * {@code data()[offset(b, h) + i * ld() + j]}, added to {@code scale * q.k} before the softmax.
 * Masks are biases with large negative values (e.g. -100 as Swin, -1e9, or -Infinity).
 *
 * <p>Biases compose: {@code a.plus(b)} adds both (Swin's relative position bias per head plus the
 * shifted-window mask per window), without materialising the sum. {@code ld()} may be 0 to broadcast one
 * row to every query (e.g. a key-padding mask).
 */
public interface AttentionBias {
    /** Backing array. */
    float[] data();

    /** Index of element (0, 0) of the bias for (batch, head); must be >= 0. */
    int offset(int batch, int head);

    /** Row (query) stride, >= 0. */
    int ld();

    /** Further bias term added on top of this one, or null. */
    default AttentionBias next() {
        return null;
    }

    /** This bias plus {@code other}. */
    default AttentionBias plus(AttentionBias other) {
        if (other == null) throw new IllegalArgumentException("other bias is null");
        AttentionBias self = this;
        AttentionBias rest = next() == null ? other : next().plus(other);
        return new AttentionBias() {
            @Override public float[] data() { return self.data(); }
            @Override public int offset(int batch, int head) { return self.offset(batch, head); }
            @Override public int ld() { return self.ld(); }
            @Override public AttentionBias next() { return rest; }
        };
    }

    /** The same {@code [nq][nkv]} bias (row stride ld) for every batch entry and head. */
    static AttentionBias shared(float[] data, int offset, int ld) {
        if (data == null) throw new IllegalArgumentException("bias data is null");
        return simple(data, ld, (b, h) -> offset);
    }

    /** A per-head table {@code [heads][nq][nkv]} contiguous (Swin's relative position bias, gathered). */
    static AttentionBias perHead(float[] table, int nq, int nkv) {
        if (table == null) throw new IllegalArgumentException("bias table is null");
        int plane = plane(nq, nkv);
        return simple(table, nkv, (b, h) -> Checks.fitsInt("bias offset head*nq*nkv", (long) h * plane));
    }

    /**
     * A per-window mask {@code [windows][nq][nkv]} contiguous, where batch entry b is window {@code b % windows}
     * (Swin's shifted-window mask when the batch is {@code images * windows}).
     */
    static AttentionBias perWindow(float[] mask, int windows, int nq, int nkv) {
        if (mask == null) throw new IllegalArgumentException("window mask is null");
        if (windows < 1) throw new IllegalArgumentException("windows must be >= 1, found " + windows);
        int plane = plane(nq, nkv);
        return simple(mask, nkv, (b, h) -> Checks.fitsInt("bias offset window*nq*nkv", (long) (b % windows) * plane));
    }

    /** A full {@code [batch][heads][nq][nkv]} contiguous bias. */
    static AttentionBias perBatchHead(float[] data, int heads, int nq, int nkv) {
        if (data == null) throw new IllegalArgumentException("bias data is null");
        Checks.nonNegative("heads", heads);
        int plane = plane(nq, nkv);
        return simple(data, nkv, (b, h) -> Checks.fitsInt("bias offset (batch*heads+head)*nq*nkv", ((long) b * heads + h) * plane));
    }

    /** {@code nq * nkv}, checked (negative or int-overflowing sizes would give wrapped, plausible offsets). */
    private static int plane(int nq, int nkv) {
        Checks.nonNegative("nq", nq);
        Checks.nonNegative("nkv", nkv);
        return Checks.fitsInt("bias plane nq*nkv", (long) nq * nkv);
    }

    /** Offset function for {@link #simple}. */
    @FunctionalInterface
    interface OffsetFunction {
        int offset(int batch, int head);
    }

    /** A bias over {@code data} with row stride {@code ld} and the given per-(batch, head) offset. */
    static AttentionBias simple(float[] data, int ld, OffsetFunction offsets) {
        if (data == null) throw new IllegalArgumentException("bias data is null");
        return new AttentionBias() {
            @Override public float[] data() { return data; }
            @Override public int offset(int batch, int head) { return offsets.offset(batch, head); }
            @Override public int ld() { return ld; }
        };
    }
}
