package dev.vitesse.kernels;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WindowPartitionTest {
    /** Literal torch.roll on a [h][w][c] map. */
    static float[] roll(float[] x, int h, int w, int c, int sh, int sw) {
        float[] y = new float[x.length];
        for (int i = 0; i < h; i++) for (int j = 0; j < w; j++) {
            int di = Math.floorMod(i + sh, h), dj = Math.floorMod(j + sw, w);
            System.arraycopy(x, (i * w + j) * c, y, (di * w + dj) * c, c);
        }
        return y;
    }

    /** Literal F.pad bottom/right with zeros. */
    static float[] pad(float[] x, int h, int w, int c, int hp, int wp) {
        float[] y = new float[hp * wp * c];
        for (int i = 0; i < h; i++) System.arraycopy(x, i * w * c, y, i * wp * c, w * c);
        return y;
    }

    /** timm window_partition: [hp][wp][c] -> [nW][ws*ws][c]. */
    static float[] partition(float[] x, int hp, int wp, int c, int ws) {
        float[] y = new float[x.length];
        int o = 0;
        for (int wy = 0; wy < hp / ws; wy++) for (int wx = 0; wx < wp / ws; wx++)
            for (int ty = 0; ty < ws; ty++) for (int tx = 0; tx < ws; tx++, o += c)
                System.arraycopy(x, ((wy * ws + ty) * wp + wx * ws + tx) * c, y, o, c);
        return y;
    }

    private static void check(int h, int w, int c, int ws, int shift, WindowPartition.Order order) {
        Random rnd = new Random(h * 31 + w);
        float[] x = ConvReference.random(rnd, h * w * c);
        WindowPartition wp = WindowPartition.of(h, w, ws, shift, shift, order);
        int hp = wp.paddedHeight(), wpd = wp.paddedWidth();
        assertThat(hp % ws).isZero();
        assertThat(hp - h).isBetween(0, ws - 1);
        float[] expected;
        if (order == WindowPartition.Order.ROLL_THEN_PAD) {
            expected = partition(pad(roll(x, h, w, c, -shift, -shift), h, w, c, hp, wpd), hp, wpd, c, ws);
        } else {
            expected = partition(roll(pad(x, h, w, c, hp, wpd), hp, wpd, c, -shift, -shift), hp, wpd, c, ws);
        }
        float[] win = new float[2 + hp * wpd * c];
        java.util.Arrays.fill(win, Float.NaN);
        wp.partition(x, 0, c, win, 2);
        assertThat(java.util.Arrays.copyOfRange(win, 2, win.length)).as("partition %dx%d ws=%d shift=%d %s", h, w, ws, shift, order)
                .containsExactly(expected);
        assertThat(wp.windows() * wp.tokensPerWindow() * c).isEqualTo(expected.length);

        // merge is the inverse: overwrite restores x, accumulate adds
        float[] back = new float[x.length];
        wp.merge(win, 2, c, back, 0, false);
        assertThat(back).containsExactly(x);
        float[] acc = x.clone();
        wp.merge(win, 2, c, acc, 0, true);
        for (int i = 0; i < x.length; i++) assertThat(acc[i]).isEqualTo(x[i] + x[i]);
    }

    @Test
    void matchesRollPadPartitionLiterally() {
        for (WindowPartition.Order order : WindowPartition.Order.values()) {
            check(14, 14, 5, 7, 3, order);   // multiple of the window
            check(14, 14, 5, 7, 0, order);
            check(10, 9, 3, 7, 3, order);    // padding, different in the two orders
            check(8, 8, 4, 7, 3, order);
            check(5, 6, 2, 4, 2, order);
            check(3, 3, 1, 7, 0, order);     // map smaller than the window
        }
    }

    @Test
    void sourceTokenMarksPadding() {
        WindowPartition wp = WindowPartition.of(3, 2, 2, 1, 1, WindowPartition.Order.ROLL_THEN_PAD);
        assertThat(wp.sourceToken(0, 0)).isEqualTo(1 * 2 + 1);
        assertThat(wp.sourceToken(3, 0)).isEqualTo(-1);
    }

    @Test
    void rejectsShiftNotSmallerThanWindow() {
        assertThatThrownBy(() -> WindowPartition.of(8, 8, 4, 4, 0, WindowPartition.Order.ROLL_THEN_PAD))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shift < window");
    }

    @Test
    void badSizesPositionsAndOverlapAreRejected() {
        // ceil(h / window) * window overflowed: NegativeArraySizeException
        assertThatThrownBy(() -> WindowPartition.of(Integer.MAX_VALUE, 1, 2, 0, 0, WindowPartition.Order.ROLL_THEN_PAD))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("padded window map");
        assertThatThrownBy(() -> WindowPartition.of(65536, 65536, 1, 0, 0, WindowPartition.Order.ROLL_THEN_PAD))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("padded window map");
        assertThatThrownBy(() -> WindowPartition.of(4, 4, 2, 0, 0, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("order must not be null");
        WindowPartition wp = WindowPartition.of(5, 5, 3, 1, 1, WindowPartition.Order.PAD_THEN_ROLL);
        assertThatThrownBy(() -> wp.sourceToken(6, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside");
        assertThatThrownBy(() -> wp.sourceToken(0, -1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside");
        assertThatThrownBy(() -> wp.partition(new float[50], 0, -2, new float[72], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("channels c");
        float[] shared = new float[200];
        assertThatThrownBy(() -> wp.partition(shared, 0, 2, shared, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlaps");
        assertThatThrownBy(() -> wp.merge(shared, 0, 2, shared, 71, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlaps");
        wp.partition(shared, 0, 2, shared, 50);
        wp.merge(shared, 0, 2, shared, 72, true);
    }
}
