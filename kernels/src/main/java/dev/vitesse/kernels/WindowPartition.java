package dev.vitesse.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Swin-style window partition and merge with a cyclic shift and zero padding, on channels-last
 * token maps {@code [h*w][c]}, in one gather (partition) and one scatter (merge) — the rolled and
 * padded map is never materialised.
 *
 * <p>The padded map is {@code hp x wp} with {@code hp = ceil(h/window)*window}. It is cut into
 * {@code (hp/window) x (wp/window)} windows of {@code window*window} tokens, stored window-major,
 * row-major inside a window: {@code win[(wi*window*window + t)*c + ch]}, exactly PyTorch's
 * {@code window_partition} order. Two orders of roll and pad exist in the wild:
 * <ul>
 *   <li>{@link Order#ROLL_THEN_PAD} (timm): {@code pad(roll(x, -shift))}: padded position
 *       p &lt; h reads source (p + shift) mod h; p &gt;= h is zero.</li>
 *   <li>{@link Order#PAD_THEN_ROLL} (torchvision): {@code roll(pad(x), -shift)}: position p reads
 *       padded position q = (p + shift) mod hp, zero when q &gt;= h.</li>
 * </ul>
 * {@link #merge} is the exact inverse for real tokens (padding positions are dropped) and can add
 * into the destination, which fuses Swin's residual connection into the un-shift.
 * Instances are immutable and thread-safe.
 */
public final class WindowPartition {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** Order of the cyclic shift and the zero padding. */
    public enum Order {
        /** timm: roll the h x w map, then pad bottom/right. */
        ROLL_THEN_PAD,
        /** torchvision: pad bottom/right, then roll the padded map. */
        PAD_THEN_ROLL
    }

    private final int h, w, window, shiftH, shiftW, hp, wp;
    /** Source row (resp. column) for each padded row (column), or -1 for zero padding. */
    private final int[] rowSrc, colSrc;

    private WindowPartition(int h, int w, int window, int shiftH, int shiftW, Order order) {
        this.h = h;
        this.w = w;
        this.window = window;
        this.shiftH = shiftH;
        this.shiftW = shiftW;
        this.hp = ceilDiv(h, window) * window;
        this.wp = ceilDiv(w, window) * window;
        this.rowSrc = sourceMap(h, hp, shiftH, order);
        this.colSrc = sourceMap(w, wp, shiftW, order);
    }

    /**
     * @param h      map height (tokens)
     * @param w      map width
     * @param window window side
     * @param shiftH cyclic shift along height (tokens move up by shiftH before partitioning), 0..window-1
     * @param shiftW cyclic shift along width
     */
    public static WindowPartition of(int h, int w, int window, int shiftH, int shiftW, Order order) {
        if (h < 1 || w < 1 || window < 1 || shiftH < 0 || shiftW < 0 || shiftH >= window || shiftW >= window) {
            throw new IllegalArgumentException("bad window partition: map " + h + "x" + w + " window " + window
                    + " shift " + shiftH + "x" + shiftW + " (need shift < window)");
        }
        Checks.notNull("order", order);
        // the padded map (a multiple of the window) must be indexable: hp, wp and hp*wp tokens fit in an int
        long hp = ((long) h + window - 1) / window * window, wp = ((long) w + window - 1) / window * window;
        Checks.fitsInt("padded window map tokens (" + hp + "x" + wp + ")", hp * wp);
        return new WindowPartition(h, w, window, shiftH, shiftW, order);
    }

    private static int ceilDiv(int a, int b) {
        return (int) (((long) a + b - 1) / b);
    }

    private static int[] sourceMap(int n, int np, int shift, Order order) {
        int[] src = new int[np];
        for (int p = 0; p < np; p++) {
            if (order == Order.ROLL_THEN_PAD) {
                src[p] = p < n ? (p + shift) % n : -1;
            } else {
                int q = (p + shift) % np;
                src[p] = q < n ? q : -1;
            }
        }
        return src;
    }

    public int height() { return h; }
    public int width() { return w; }
    public int window() { return window; }
    public int shiftH() { return shiftH; }
    public int shiftW() { return shiftW; }
    /** Padded height (multiple of the window). */
    public int paddedHeight() { return hp; }
    /** Padded width. */
    public int paddedWidth() { return wp; }
    /** Number of windows = (hp/window) * (wp/window). */
    public int windows() { return (hp / window) * (wp / window); }
    /** Tokens per window = window^2. */
    public int tokensPerWindow() { return window * window; }

    /** Source token index (row-major in the h x w map) of padded position (py, px), or -1 for padding. */
    public int sourceToken(int py, int px) {
        if (py < 0 || py >= hp || px < 0 || px >= wp)
            throw new IllegalArgumentException("padded position (" + py + ", " + px + ") outside the " + hp + "x" + wp + " padded map");
        int r = rowSrc[py], col = colSrc[px];
        return r < 0 || col < 0 ? -1 : r * w + col;
    }

    /**
     * Gathers {@code x [h*w][c]} (row stride {@code c}) into {@code win [windows*window^2][c]};
     * padding positions become zero.
     */
    public void partition(float[] x, int xOff, int c, float[] win, int winOff) {
        Checks.nonNegative("channels c", c);
        Checks.range("window partition input", x, xOff, (long) h * w * c);
        Checks.range("window partition output", win, winOff, (long) hp * wp * c);
        Checks.noOverlapLen("window partition input", x, xOff, (long) h * w * c,
                "window partition output", win, winOff, (long) hp * wp * c);
        int nwx = wp / window;
        Parallel.forEach(hp, py -> {
            int wy = py / window, ty = py % window;
            int r = rowSrc[py];
            for (int px = 0; px < wp; px++) {
                int dst = winOff + (((wy * nwx + px / window) * window + ty) * window + px % window) * c;
                int col = colSrc[px];
                if (r < 0 || col < 0) java.util.Arrays.fill(win, dst, dst + c, 0f);
                else System.arraycopy(x, xOff + (r * w + col) * c, win, dst, c);
            }
        });
    }

    /**
     * Scatters windows back: {@code x[src] (+)= win[p]} for every non-padding position p (each
     * source token receives exactly one value). With {@code accumulate} this is the residual add.
     */
    public void merge(float[] win, int winOff, int c, float[] x, int xOff, boolean accumulate) {
        Checks.nonNegative("channels c", c);
        Checks.range("window merge output", x, xOff, (long) h * w * c);
        Checks.range("window merge input", win, winOff, (long) hp * wp * c);
        Checks.noOverlapLen("window merge input", win, winOff, (long) hp * wp * c,
                "window merge output", x, xOff, (long) h * w * c);
        int nwx = wp / window;
        // Rows of the padded map map to distinct source rows, so parallel rows never write the same token.
        Parallel.forEach(hp, py -> {
            int r = rowSrc[py];
            if (r < 0) return;
            int wy = py / window, ty = py % window;
            for (int px = 0; px < wp; px++) {
                int col = colSrc[px];
                if (col < 0) continue;
                int src = winOff + (((wy * nwx + px / window) * window + ty) * window + px % window) * c;
                int dst = xOff + (r * w + col) * c;
                if (accumulate) {
                    int ch = 0;
                    for (int end = S.loopBound(c); ch < end; ch += S.length()) {
                        FloatVector.fromArray(S, x, dst + ch).add(FloatVector.fromArray(S, win, src + ch)).intoArray(x, dst + ch);
                    }
                    for (; ch < c; ch++) x[dst + ch] += win[src + ch];
                } else {
                    System.arraycopy(win, src, x, dst, c);
                }
            }
        });
    }
}
