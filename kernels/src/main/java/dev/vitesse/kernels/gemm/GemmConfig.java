package dev.vitesse.kernels.gemm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector width and block sizes, fixed at class initialisation from {@link FloatVector#SPECIES_PREFERRED}.
 *
 * <p>Register tile MR x NR, NR = 2 vectors: with 16 vector registers (AVX2, 8 floats) a 6 x 16 tile uses
 * 12 accumulators + 2 B vectors + 1 broadcast; with 32 registers (AVX-512, 16 floats) a 12 x 32 tile uses 24
 * accumulators. Cache blocks (Goto/BLIS): a KC x NR micro-panel of B stays in L1 while the MC x KC block of packed
 * A (L2-resident) streams through it; NC columns of B per task.
 */
public final class GemmConfig {
    private GemmConfig() {}

    public static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Floats per vector. */
    public static final int L = SPECIES.length();
    /** Register tile width in floats (2 vectors). Also the packed-B panel width. */
    public static final int NR = 2 * L;

    /**
     * Register tile height: 6 rows (12 accumulators) with 16 vector registers, 12 rows (24 accumulators) when
     * vectors are 512-bit (AVX-512 has 32 registers). Override for experiments with -Dvitesse.gemm.mr=6|12.
     */
    public static final int MR = chooseMr();

    /**
     * K block: a KC x NR micro-panel of B stays in L1 while MC/MR A micro-panels stream past it. Budget 24 KiB of
     * the usual 32-48 KiB L1d (the rest holds the A micro-panel being read and the C tile): KC = 384 at NR = 16
     * (AVX2), 192 at NR = 32 (AVX-512). Measured on Zen 3: 384 beat 256 and 160 by ~5% on ViT shapes.
     */
    public static final int KC = Math.max(64, 24 * 1024 / (NR * Float.BYTES));

    /**
     * Rows per A block: MC x KC of packed A (324 KiB at KC = 384) stays in L2 (>= 512 KiB per core on current x86)
     * while the task sweeps its B panels. A multiple of both tile heights (6, 12), and >= 197 so that a batch-1
     * ViT activation is one block: then every B micro-panel is used by one task only (sgemm packs it on the fly).
     */
    public static final int MC = intProperty("vitesse.gemm.mc", 216, 12);

    /** Max columns per task: a KC x NC block of packed B (3 MiB at KC = 384) is streamed from L3 per A block. */
    public static final int NC = 2048;

    /** Experiment knob: a positive multiple of {@code multiple} from a system property, else the default. */
    private static int intProperty(String name, int def, int multiple) {
        String p = System.getProperty(name);
        if (p == null) return def;
        try {
            int v = Integer.parseInt(p.trim());
            if (v > 0 && v % multiple == 0) return v;
        } catch (NumberFormatException ignored) {
            // fall through
        }
        throw new IllegalArgumentException(name + " must be a positive multiple of " + multiple + ", found '" + p + "'");
    }

    private static int chooseMr() {
        String p = System.getProperty("vitesse.gemm.mr");
        if (p != null) {
            if (p.equals("6")) return 6;
            if (p.equals("12")) return 12;
            throw new IllegalArgumentException("vitesse.gemm.mr must be 6 or 12, found '" + p + "'");
        }
        return L >= 16 ? 12 : 6;
    }
}
