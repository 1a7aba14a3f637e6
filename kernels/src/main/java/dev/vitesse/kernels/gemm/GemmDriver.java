package dev.vitesse.kernels.gemm;

import dev.vitesse.kernels.Parallel;

import java.lang.ref.SoftReference;

/**
 * The Goto/BLIS loop nest: C = tileOp(op(A) * B), B either pre-packed ({@link PackedB}, f32 or bf16 panels) or,
 * when all rows of A form one block, packed micro-panel by micro-panel inside the tasks ({@link RawB}). bf16 panels
 * are widened to f32 micro-panel by micro-panel, so the micro-kernels only ever see f32.
 *
 * <pre>
 * pack op(A) into MR-row micro-panels, per K block, one of three ways:
 *   - one row block on several threads (batch-1 ViT): each thread packs all of A into its own buffer at its
 *     first task (no packing region, no packed A shared between cores);
 *   - tall A (>= 2 row blocks per thread): tasks own whole rows and pack their A block per K block at the top
 *     of loop 3 (BLIS order; the block never leaves L2);
 *   - otherwise: a parallel packing region fills one packed A shared by all tasks
 * then, in parallel over a 2D grid of C tasks (row blocks <= MC x column chunks <= NC):
 *   loop 3  for pc in K blocks of kc <= KC            A block (rows x kc) in L2 (or L3, see GemmConfig.KC)
 *   loop 2    for jr in NR-wide panels of the chunk   B micro-panel (kc x NR) in L1 / L2
 *   loop 1      for ir in MR-high panels of the block
 *                 micro-kernel: MR x NR register tile over kc, combined into C (TileOp)
 *                 after the last K block: the activation on the tile while it is in L1
 * </pre>
 * Every C element is accumulated in the same order whatever the partition, so results do not depend on the
 * thread count. Packing A at most once per thread and call (not once per task) lets the C grid be as fine as load
 * balance needs.
 */
public final class GemmDriver {
    private GemmDriver() {}

    private static final int NR = GemmConfig.NR;
    /** Minimum B panels per task when splitting columns over threads: 64 columns. */
    private static final int MIN_TASK_PANELS = Math.max(1, 64 / NR);

    private static final ThreadLocal<ThreadScratch> A_BUF = ThreadLocal.withInitial(ThreadScratch::new);
    private static final ThreadLocal<ThreadScratch> B_BUF = ThreadLocal.withInitial(ThreadScratch::new);
    /** Per-thread A block (rows of one task x kc) for tasks that pack their own A. */
    private static final ThreadLocal<ThreadScratch> A_BLOCK_BUF = ThreadLocal.withInitial(ThreadScratch::new);
    /** Per-thread 12 x NR tile and kc x NR B micro-panel of {@link #block}. */
    private static final ThreadLocal<ThreadScratch> TILE_BUF = ThreadLocal.withInitial(ThreadScratch::new);
    private static final ThreadLocal<ThreadScratch> PANEL_BUF = ThreadLocal.withInitial(ThreadScratch::new);

    /** Plain sgemm: packs op(B) into a reused per-thread buffer, then runs the loop nest. Validated by the caller. */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff,
                             int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        int mr = GemmConfig.MR;
        if (rowBlocks(m, mr) == 1) {
            // All rows fit one A block: every B micro-panel is used by exactly one task, so each task packs its
            // kc x NR micro-panels right before use (L1-hot) instead of a separate pass over all of B.
            run(m, n, k, transA, a, aOff, lda, null, new RawB(transB, b, bOff, ldb, k, n), c, cOff, ldc,
                    TileOp.blas(alpha, beta), mr);
            return;
        }
        ThreadScratch scratch = B_BUF.get();
        float[] buf = scratch.take(PackedB.size(k, n));
        try {
            PackedB pb = Packing.packB(transB, b, bOff, ldb, k, n, buf);
            run(m, n, k, transA, a, aOff, lda, pb, c, cOff, ldc, TileOp.blas(alpha, beta));
        } finally {
            scratch.give(buf);
        }
    }

    /** Runs with the default tile height {@link GemmConfig#MR}. */
    public static void run(int m, int n, int k, boolean transA, float[] a, int aOff, int lda,
                           PackedB b, float[] c, int cOff, int ldc, TileOp op) {
        run(m, n, k, transA, a, aOff, lda, b, null, c, cOff, ldc, op, GemmConfig.MR);
    }

    /** Runs with tile height {@code mr} (6 or 12; tests drive both). */
    public static void run(int m, int n, int k, boolean transA, float[] a, int aOff, int lda,
                           PackedB b, float[] c, int cOff, int ldc, TileOp op, int mr) {
        run(m, n, k, transA, a, aOff, lda, b, null, c, cOff, ldc, op, mr);
    }

    /** An unpacked B operand, op(B) = B (k x n) or W^T (W = n x k), packed micro-panel by micro-panel. */
    record RawB(boolean trans, float[] b, int off, int ld, int k, int n) {}

    /** Row blocks of at most MC rows (whole MR panels). */
    static int rowBlocks(int m, int mr) {
        int mPanels = (m + mr - 1) / mr, perBlock = Math.max(1, GemmConfig.MC / mr);
        return (mPanels + perBlock - 1) / perBlock;
    }

    /**
     * Arguments are validated by the public entry points; m, n, k > 0. Exactly one of {@code b} (pre-packed) and
     * {@code raw} is non-null; raw requires a single row block. {@code mr} is 6 or 12.
     */
    static void run(int m, int n, int k, boolean transA, float[] a, int aOff, int lda,
                    PackedB b, RawB raw, float[] c, int cOff, int ldc, TileOp op, int mr) {
        if (mr != 6 && mr != 12) throw new IllegalArgumentException("mr must be 6 or 12, found " + mr);
        final int kcMax = GemmConfig.kBlock(k); // every K block but the last is this long
        final int mPanels = (m + mr - 1) / mr, mPad = mPanels * mr;
        final int kBlocks = (k + kcMax - 1) / kcMax;
        final int threads = Parallel.threads();
        final int nPanels = (n + NR - 1) / NR;
        int rowBlocks = rowBlocks(m, mr);
        if (raw != null && rowBlocks != 1) throw new IllegalStateException("raw B needs a single row block");

        if (b != null && rowBlocks >= 2 * threads) {
            // Tall A (e.g. ViT-B at batch 8, M = 1576): enough row blocks to balance the threads on their own, so
            // every task owns whole rows and packs its A block per K block right before use, as in BLIS: the
            // block stays in L2 instead of a separate pass that writes all of packed A to memory and reads it
            // back (19 MB at M = 1576, K = 3072). A multiple of the thread count of blocks, near-equal (share).
            final int rb = roundUp(rowBlocks, threads);
            final OwnA own = new OwnA(transA, a, aOff, lda);
            Parallel.forEach(rb, r -> {
                int p0 = share(mPanels, r, rb), p1 = share(mPanels, r + 1, rb);
                if (p0 < p1) block(m, n, k, kcMax, own, null, 0, p0, p1, b, null, 0, nPanels, c, cOff, ldc, op, mr);
            });
            return;
        }

        // One row block on several threads (batch-1 ViT: M = 197): every thread packs all of A into its own buffer
        // at its first task of the call (PrivateA) instead of the tasks sharing one packed A filled by a parallel
        // packing region. A shared buffer is read by both cores, so the next call's packing first had to take the
        // lines back from the other core: packing ran slower on 2 threads than on 1 (72-132 us against 36-62 us for
        // ViT-B's 197 x 768 A).
        final boolean privateA = threads > 1 && rowBlocks == 1;
        ThreadScratch scratch = privateA ? null : A_BUF.get();
        float[] ap = privateA ? null : scratch.take((long) mPad * k);
        try {
            if (!privateA) packShared(transA, a, aOff, lda, m, k, mr, mPad, kcMax, kBlocks, mPanels, threads, ap);

            // ---- 2D grid of C tasks.
            int colChunks = (nPanels * NR + GemmConfig.NC - 1) / GemmConfig.NC;
            if (threads > 1 && 2L * m * n * k >= 4_000_000) {
                // ~8 tasks per thread for balance, but keep >= 64 columns per task so the B micro-panels' reuse
                // across the A block still pays for reloading the A block.
                int want = 8 * threads;
                int need = (want + rowBlocks - 1) / rowBlocks;
                colChunks = Math.max(colChunks, Math.min(need, Math.max(1, nPanels / MIN_TASK_PANELS)));
                // Narrow C (e.g. PVT's 64-channel spatial-reduction conv: M = 49, N = 64, K = 4096): too few column
                // chunks to feed the threads, so cut the rows finer too. Pre-packed B only (raw B is packed per task
                // and needs a single row block).
                if (raw == null && rowBlocks * colChunks < 2 * threads)
                    rowBlocks = Math.min(mPanels, Math.max(rowBlocks, (2 * threads + colChunks - 1) / colChunks));
            }
            final int rb = rowBlocks, cb = colChunks;
            final Object call = new Object(); // identifies this call to the threads' private packed A
            Parallel.forEach(rb * cb, t -> {
                // row index fastest: the two halves of the task range (one per thread) each get every row block
                int r = t % rb, q = t / rb;
                int p0 = share(mPanels, r, rb), p1 = share(mPanels, r + 1, rb);
                int q0 = share(nPanels, q, cb), q1 = share(nPanels, q + 1, cb);
                if (p0 >= p1 || q0 >= q1) return;
                float[] at = privateA ? PrivateA.packed(call, transA, a, aOff, lda, m, k, mr, mPad, kcMax) : ap;
                block(m, n, k, kcMax, null, at, mPad, p0, p1, b, raw, q0, q1, c, cOff, ldc, op, mr);
            });
        } finally {
            if (scratch != null) scratch.give(ap);
        }
    }

    /**
     * Packs all of op(A) into {@code ap} (K blocks {@code mPad * kc} apart) for tasks that share it. Unit of work =
     * (K block, group of row panels); at least two groups per thread so that a single K block is not packed by one
     * thread while the others wait.
     */
    private static void packShared(boolean transA, float[] a, int aOff, int lda, int m, int k, int mr, int mPad,
                                   int kcMax, int kBlocks, int mPanels, int threads, float[] ap) {
        int minGroups = threads > 1 ? Math.max(1, 2 * threads / kBlocks) : 1;
        final int panelsPerGroup = Math.max(1, Math.min(GemmConfig.MC / mr, (mPanels + minGroups - 1) / minGroups));
        final int groups = (mPanels + panelsPerGroup - 1) / panelsPerGroup;
        final int packTasks = (long) m * k < (1 << 15) ? 1 : kBlocks * groups;
        if (packTasks == 1) {
            packAll(transA, a, aOff, lda, m, k, mr, mPad, kcMax, ap);
        } else {
            Parallel.forEach(packTasks, t -> {
                int pc = (t / groups) * kcMax, kc = Math.min(kcMax, k - pc);
                int i0 = (t % groups) * panelsPerGroup * mr, rows = Math.min(panelsPerGroup * mr, m - i0);
                packRows(transA, a, aOff, lda, i0, rows, m, pc, kc, mr, ap, pc * mPad + i0 * kc);
            });
        }
    }

    /**
     * A thread's own packed copy of all of A for the call it is working on: packed at the thread's first task of a
     * call (identified by a token object), reused by its later tasks. Softly held, like {@link ThreadScratch}; a
     * buffer reclaimed between two tasks is packed again.
     */
    private static final class PrivateA {
        private static final ThreadLocal<PrivateA> OWN = ThreadLocal.withInitial(PrivateA::new);
        private Object call;
        private SoftReference<float[]> ref = new SoftReference<>(null);

        static float[] packed(Object call, boolean transA, float[] a, int aOff, int lda, int m, int k, int mr,
                              int mPad, int kcMax) {
            PrivateA own = OWN.get();
            float[] buf = own.ref.get();
            if (own.call == call && buf != null) return buf;
            if (buf == null || buf.length < (long) mPad * k) {
                buf = new float[Math.multiplyExact(mPad, k)];
                own.ref = new SoftReference<>(buf);
            }
            own.call = null; // not valid until packed (a failed pack must not be reused)
            packAll(transA, a, aOff, lda, m, k, mr, mPad, kcMax, buf);
            own.call = call;
            return buf;
        }
    }

    /** Packs all of op(A) on the calling thread into {@code ap}, K blocks {@code mPad * kc} apart. */
    private static void packAll(boolean transA, float[] a, int aOff, int lda, int m, int k, int mr, int mPad,
                                int kcMax, float[] ap) {
        for (int pc = 0; pc < k; pc += kcMax)
            packRows(transA, a, aOff, lda, 0, m, m, pc, Math.min(kcMax, k - pc), mr, ap, pc * mPad);
    }

    /** The unpacked A of a task that packs its own rows, one K block at a time. */
    private record OwnA(boolean trans, float[] a, int off, int ld) {}

    /**
     * Start of part {@code i} of {@code parts} near-equal parts of {@code count} panels. Rounding the part size up
     * instead gave ViT-B's 132 row panels at M = 1576 blocks of 17 and a last one of 13: on 2 threads one thread
     * ran 68 panels and the other 64.
     */
    static int share(int count, int i, int parts) {
        return (int) ((long) count * i / parts);
    }

    private static int roundUp(int x, int multiple) {
        return (x + multiple - 1) / multiple * multiple;
    }

    /**
     * Packs rows [i0, i0 + rows) of op(A) for one K block. With 12-row panels, a last panel of at most 6 rows (e.g.
     * M = 197 = 16 * 12 + 5) is packed 6 wide and later run by the 6-row kernel: at M = 197 that computes 198 rows
     * instead of 204 (3 % of the work). It fits the 12-row panel's space, so panel offsets stay i0 * kc.
     */
    private static void packRows(boolean transA, float[] a, int aOff, int lda, int i0, int rows, int m, int pc, int kc,
                                 int mr, float[] ap, int off) {
        int lastStart = (m - 1) / mr * mr;
        if (mr == 12 && i0 + rows == m && m - lastStart <= 6) {
            int full = lastStart - i0;
            if (full > 0) Packing.packA(transA, a, aOff, lda, i0, full, pc, kc, mr, ap, off);
            Packing.packA(transA, a, aOff, lda, lastStart, m - lastStart, pc, kc, 6, ap, off + full * kc);
        } else {
            Packing.packA(transA, a, aOff, lda, i0, rows, pc, kc, mr, ap, off);
        }
    }

    /**
     * Loops 3..1 for row panels [p0, p1) x column panels [q0, q1). A is either the call's packed A ({@code ap},
     * K blocks {@code mPad * kc} apart) or, with {@code own}, packed here one K block at a time into this thread's
     * L2-sized buffer.
     */
    private static void block(int m, int n, int k, int kcMax, OwnA own, float[] ap, int mPad, int p0, int p1, PackedB b,
                              RawB raw, int q0, int q1, float[] c, int cOff, int ldc, TileOp op, int mr) {
        // per-thread buffers, reused across tasks and calls (a fresh tile and B micro-panel per task cost the
        // explicit attention path ~0.6 MB of garbage per 12-head call at N = 197)
        final boolean inPlace = raw == null && !b.isBf16();
        ThreadScratch ownScratch = own == null ? null : A_BLOCK_BUF.get();
        ThreadScratch tileScratch = TILE_BUF.get(), panelScratch = inPlace ? null : PANEL_BUF.get();
        float[] aBuf = own == null ? ap : ownScratch.take((long) (p1 - p0) * mr * kcMax);
        float[] tile = tileScratch.take(12 * NR);
        float[] bd = inPlace ? b.data : panelScratch.take((long) kcMax * NR);
        try {
            blockLoops(m, n, k, kcMax, own, aBuf, mPad, p0, p1, b, raw, inPlace, bd, tile, q0, q1, c, cOff, ldc, op, mr);
        } finally {
            if (own != null) ownScratch.give(aBuf);
            tileScratch.give(tile);
            if (!inPlace) panelScratch.give(bd);
        }
    }

    /**
     * {@code tile}: accumulator tile (MR = 12) or edge scratch (MR = 6), 12 x NR. {@code bd}: the packed B data when
     * {@code inPlace}, else a kc x NR buffer that raw B is packed into (or bf16 panels widened into) one
     * micro-panel at a time, right before the A panels stream past it.
     */
    private static void blockLoops(int m, int n, int k, int kcMax, OwnA own, float[] ap, int mPad, int p0, int p1, PackedB b,
                                   RawB raw, boolean inPlace, float[] bd, float[] tile, int q0, int q1, float[] c,
                                   int cOff, int ldc, TileOp op, int mr) {
        for (int pc = 0; pc < k; pc += kcMax) {
            int kc = Math.min(kcMax, k - pc);
            boolean first = pc == 0, last = pc + kc == k;
            int row0 = p0 * mr;
            int aBlock = pc * mPad + row0 * kc;   // where row panel p0 of this K block starts
            if (own != null) {
                packRows(own.trans(), own.a(), own.off(), own.ld(), row0, Math.min(m, p1 * mr) - row0, m, pc, kc, mr,
                        ap, 0);
                aBlock = 0;
            }
            for (int q = q0; q < q1; q++) {
                int j0 = q * NR, nr = Math.min(NR, n - j0);
                int bo = 0;
                if (inPlace)
                    bo = b.index(q, pc);
                else if (raw != null)
                    Packing.packMicroPanel(raw.trans(), raw.b(), raw.off(), raw.ld(), n, j0, pc, kc, bd);
                else
                    Packing.widenBf16(b.bf16, b.index(q, pc), bd, 0, kc * NR);
                for (int pi = p0; pi < p1; pi++) {
                    int i0 = pi * mr, rows = Math.min(mr, m - i0);
                    int ao = aBlock + (i0 - row0) * kc;
                    int co = cOff + i0 * ldc + j0;
                    if (mr == 12 && rows > 6) {
                        // accumulate into the tile buffer, then combine (edges included) with C
                        MicroKernels.tile12x2(kc, ap, ao, bd, bo, tile);
                        MicroKernels.combine(tile, rows, nr, c, co, ldc, op.alpha(), op.beta(), op.scale(), op.add(),
                                j0, first);
                    } else if (rows == mr && nr == NR) {
                        MicroKernels.tile6x2(kc, ap, ao, bd, bo, c, co, ldc, op.alpha(), op.beta(), op.scale(),
                                op.add(), j0, first);
                    } else {
                        // Edge tile: run the 6-row kernel on a scratch tile, copy the valid part. With mr = 12 this is
                        // the last row panel holding <= 6 rows, packed 6 wide (see packRows).
                        boolean readsC = !first || op.beta() != 0f;
                        if (readsC)
                            for (int i = 0; i < rows; i++) System.arraycopy(c, co + i * ldc, tile, i * NR, nr);
                        MicroKernels.tile6x2(kc, ap, ao, bd, bo, tile, 0, NR, op.alpha(), op.beta(), op.scale(),
                                op.add(), j0, first);
                        for (int i = 0; i < rows; i++) System.arraycopy(tile, i * NR, c, co + i * ldc, nr);
                    }
                    if (last && op.act() != null) EpilogueMath.activationTile(c, co, ldc, rows, nr, op.post(), j0, op.act());
                }
            }
        }
    }
}
