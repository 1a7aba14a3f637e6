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
     * Largest K block; {@link #kBlock} splits K into balanced blocks of at most KC. Each K block makes one
     * read-modify-write pass over C and one pass of the tile buffer, so fewer blocks save C traffic; the B micro-panel
     * (kc x NR) then lives in L1 or L2. Measured, 1 thread:
     * <ul>
     *   <li>AVX2 (NR = 16, Zen 3, L2 512 KiB): KC = 384 (24 KiB B micro-panel in L1) beat 256 and 160 by ~5%.
     *   <li>AVX-512 (NR = 32, Zen 5, L1d 48 KiB, L2 1 MiB), in-process A/B against KC = 768 (alternating 100 ms
     *       blocks, medians of per-round ratios): one K block up to K = 3072 is faster although the A block then
     *       exceeds L2 (ViT-B fc2 197 x 768 x 3072 +6%, 1576 x 768 x 3072 +7%, square 1024 +5%, 2048 +7%); at
     *       K = 8192, blocks of 2048-4096 gave +3% and a single block +1%. Shorter blocks lost (384: -7% on fc2).
     * </ul>
     * Override for experiments with -Dvitesse.gemm.kc=N (a multiple of 8).
     */
    public static final int KC = intProperty("vitesse.gemm.kc", NR >= 32 ? 3072 : 384, 8);

    /** K block for reduction length k: ceil(k / KC) blocks of equal size (the last one may be shorter). */
    public static int kBlock(int k) {
        int blocks = (k + KC - 1) / KC;
        return (k + blocks - 1) / blocks;
    }

    /**
     * Rows per A block: MC x kc of packed A (324 KiB at kc = 384, 648 KiB at 768; more than L2 for longer K
     * blocks, measured faster all the same, see {@link #KC}) is reused while the task sweeps its B panels. A multiple of both tile heights (6, 12), and >= 197 so that a batch-1
     * ViT activation is one block: then every B micro-panel is used by one task only (sgemm packs it on the fly).
     */
    public static final int MC = intProperty("vitesse.gemm.mc", 216, 12);

    /**
     * Max columns per task: a KC x NC block of packed B (3-6 MiB) is streamed from L3 per A block. Override for
     * experiments with -Dvitesse.gemm.nc=N (a multiple of NR). Measured (Zen 5, 1 thread, 197 x 3072 x 768, in-process
     * A/B): NC = 256 0.98x; with KC = 256 or 384 as well (C's K-block passes then stay in L2) 0.92x / 0.95x.
     */
    public static final int NC = intProperty("vitesse.gemm.nc", 2048, NR);

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
