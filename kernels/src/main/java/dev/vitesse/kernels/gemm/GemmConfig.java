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
}
