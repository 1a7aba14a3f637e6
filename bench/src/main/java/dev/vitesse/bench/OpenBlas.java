package dev.vitesse.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * FFM (java.lang.foreign) binding to OpenBLAS {@code cblas_sgemm} and {@code openblas_set_num_threads}, for
 * side-by-side benchmarks only (the library itself never uses native code).
 *
 * <p>Library search order: {@code $VITESSE_OPENBLAS} (a path), Debian's libopenblas0-pthread locations, then the
 * loader's {@code libopenblas.so.0}. Operands are native segments (allocate them once, outside timed loops).
 */
public final class OpenBlas {
    public static final int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;

    private final String path;
    private final MethodHandle sgemm, setThreads, getThreads, config;

    private OpenBlas(String path, SymbolLookup lib) {
        this.path = path;
        Linker linker = Linker.nativeLinker();
        ValueLayout I = ValueLayout.JAVA_INT, F = ValueLayout.JAVA_FLOAT, P = ValueLayout.ADDRESS;
        sgemm = linker.downcallHandle(find(lib, "cblas_sgemm"),
                FunctionDescriptor.ofVoid(I, I, I, I, I, I, F, P, I, P, I, F, P, I));
        setThreads = linker.downcallHandle(find(lib, "openblas_set_num_threads"), FunctionDescriptor.ofVoid(I));
        getThreads = linker.downcallHandle(find(lib, "openblas_get_num_threads"), FunctionDescriptor.of(I));
        config = lib.find("openblas_get_config")
                .map(s -> linker.downcallHandle(s, FunctionDescriptor.of(P)))
                .orElse(null);
    }

    private static MemorySegment find(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new IllegalStateException("OpenBLAS symbol not found: " + name));
    }

    /** Candidate library paths, most specific first. */
    static List<String> candidates() {
        List<String> c = new ArrayList<>();
        String env = System.getenv("VITESSE_OPENBLAS");
        if (env != null && !env.isBlank()) c.add(env);
        c.add("/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0");
        c.add("/usr/lib/x86_64-linux-gnu/libopenblas.so.0");
        c.add("/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0");
        c.add("/usr/lib/aarch64-linux-gnu/libopenblas.so.0");
        return c;
    }

    /** Loads OpenBLAS, or returns empty with the reason printed to {@code why} if it is not installed. */
    public static Optional<OpenBlas> load(StringBuilder why) {
        for (String p : candidates()) {
            if (!Files.exists(Path.of(p))) continue;
            try {
                return Optional.of(new OpenBlas(p, SymbolLookup.libraryLookup(Path.of(p), Arena.global())));
            } catch (RuntimeException e) {
                why.append(p).append(": ").append(e.getMessage()).append("; ");
            }
        }
        try {
            return Optional.of(new OpenBlas("libopenblas.so.0", SymbolLookup.libraryLookup("libopenblas.so.0", Arena.global())));
        } catch (RuntimeException e) {
            why.append("libopenblas.so.0 not found (install libopenblas0-pthread): ").append(e.getMessage());
        }
        return Optional.empty();
    }

    public String path() {
        return path;
    }

    /** OpenBLAS build configuration string (core type, threading), if the library exports it. */
    public String config() {
        if (config == null) return "?";
        try {
            MemorySegment s = (MemorySegment) config.invokeExact();
            return s.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            return "?";
        }
    }

    public void setThreads(int threads) {
        try {
            setThreads.invokeExact(threads);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public int threads() {
        try {
            return (int) getThreads.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Row-major {@code cblas_sgemm}: C = alpha op(A) op(B) + beta C on native segments. */
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, MemorySegment a, int lda,
                      MemorySegment b, int ldb, float beta, MemorySegment c, int ldc) {
        try {
            sgemm.invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, alpha, a, lda,
                    b, ldb, beta, c, ldc);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
