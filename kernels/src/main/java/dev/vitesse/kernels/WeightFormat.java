package dev.vitesse.kernels;

import java.util.Locale;

/**
 * How a {@link PackedMatrix} stores its elements. The multiply always computes in f32 (bf16 panels are widened to
 * f32 micro-panel by micro-panel, in L1, right before the micro-kernel); only storage and memory traffic differ.
 */
public enum WeightFormat {
    /** IEEE float32, 4 bytes per element: exact weights. */
    FP32(4),
    /** bfloat16 (f32 rounded to 8 significant bits, ties to even), 2 bytes per element: half the memory. */
    BF16(2);

    private final int bytes;

    WeightFormat(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per stored element. */
    public int bytesPerElement() {
        return bytes;
    }

    /** Lower-case name as used on the command line ({@code fp32}, {@code bf16}). */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@code fp32} / {@code bf16} (case-insensitive; {@code f32} and {@code float32} are accepted for fp32,
     * {@code bfloat16} for bf16).
     *
     * @throws IllegalArgumentException for null or any other value, naming the accepted ones
     */
    public static WeightFormat parse(String s) {
        if (s != null) {
            switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "fp32", "f32", "float32" -> { return FP32; }
                case "bf16", "bfloat16" -> { return BF16; }
                default -> { }
            }
        }
        throw new IllegalArgumentException("weight format must be fp32 or bf16, found '" + s + "'");
    }
}
