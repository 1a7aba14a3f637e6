package dev.vitesse.kernels.gemm;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Transposition is exact, so both forms must equal a plain double loop bit for bit, on shapes with full 16 x 16
 * blocks, row and column edges, strides larger than the block and non-zero offsets, and must leave every element
 * outside the destination block untouched. With 256-bit vectors both forms are the scalar loop.
 */
class TransposeTest {
    private static final int[] SIDES = {1, 7, 16, 17, 31, 32, 33, 64, 70, 197};

    @Test
    void matchesTheDefinitionOnAwkwardShapes() {
        Random rnd = new Random(7);
        for (int rows : SIDES) {
            for (int cols : SIDES) {
                int ld = cols + rnd.nextInt(5), ldd = rows + rnd.nextInt(5);
                int s0 = rnd.nextInt(9), d0 = rnd.nextInt(9);
                float[] src = new float[s0 + rows * ld];
                for (int i = 0; i < src.length; i++) src[i] = rnd.nextFloat() - 0.5f;
                float[] expected = new float[d0 + cols * ldd + 3];
                for (int i = 0; i < expected.length; i++) expected[i] = -100f - i; // sentinels outside the block
                float[] fast = expected.clone(), scalar = expected.clone();
                for (int r = 0; r < rows; r++)
                    for (int c = 0; c < cols; c++) expected[d0 + c * ldd + r] = src[s0 + r * ld + c];

                Transpose.transpose(src, s0, ld, rows, cols, fast, d0, ldd);
                Transpose.transposeScalar(src, s0, ld, rows, cols, scalar, d0, ldd);

                String shape = rows + " x " + cols + " (ld " + ld + ", ldd " + ldd + ")";
                assertThat(fast).as("transpose " + shape).containsExactly(expected);
                assertThat(scalar).as("transposeScalar " + shape).containsExactly(expected);
            }
        }
    }

    @Test
    void interleavesEveryPanelShape() { // full panels (rows == width) take the register path
        Random rnd = new Random(11);
        for (int width = 1; width <= 16; width++) {
            for (int rows : java.util.stream.IntStream.of(1, (width + 1) / 2, width).distinct().toArray()) {
                for (int len : new int[] {1, 7, 16, 17, 33, 64, 197}) {
                    int ld = len + rnd.nextInt(4), s0 = rnd.nextInt(5), d0 = rnd.nextInt(5);
                    float[] src = new float[s0 + rows * ld];
                    for (int i = 0; i < src.length; i++) src[i] = rnd.nextFloat() - 0.5f;
                    float[] expected = new float[d0 + len * width + 20];
                    for (int i = 0; i < expected.length; i++) expected[i] = -100f - i; // sentinels; padding is 0
                    float[] got = expected.clone();
                    for (int p = 0; p < len; p++)
                        for (int r = 0; r < width; r++)
                            expected[d0 + p * width + r] = r < rows ? src[s0 + r * ld + p] : 0f;
                    Transpose.interleaveRows(src, s0, ld, rows, width, len, got, d0);
                    assertThat(got).as("rows " + rows + ", width " + width + ", len " + len).containsExactly(expected);
                }
            }
        }
        assertThatThrownBy(() -> Transpose.interleaveRows(new float[64], 0, 4, 17, 17, 4, new float[68], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("found rows 17, width 17");
        assertThatThrownBy(() -> Transpose.interleaveRows(new float[64], 0, 4, 7, 6, 4, new float[68], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("found rows 7, width 6");
    }

    @Test
    void registerBlockIsUsedWith512BitVectors() {
        // guards the test above: with 512-bit vectors it must exercise the register path, not only the scalar one
        if (GemmConfig.L == 16) assertThat(Transpose.BLOCK).isEqualTo(16);
        else assertThat(Transpose.BLOCK).isZero();
    }

    @Test
    void anIndexOutsideTheArrayThrowsInsteadOfReading() {
        float[] src = new float[16 * 16 - 1], dst = new float[16 * 16];
        try {
            Transpose.transpose(src, 0, 16, 16, 16, dst, 0, 16);
            throw new AssertionError("expected an IndexOutOfBoundsException");
        } catch (IndexOutOfBoundsException expected) {
            // the vector loads are bounds-checked like plain array reads
        }
    }
}
