package dev.vitesse.model.fam1;

import dev.vitesse.model.io.SafeTensors;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * The tensors of one safetensors checkpoint, consumed strictly by a model builder: {@link #take} checks
 * the expected shape, {@link #requireAllUsed()} rejects tensors the architecture does not have. Every
 * error names the file, the tensor, and expected vs found shapes.
 *
 * <p>Reads F32, F16 and BF16 (converted to float) through {@link SafeTensors}, which validates the file.
 * Integer tensors (e.g. torchvision's {@code relative_position_index}
 * buffers) are kept as shape-only entries that may only be {@linkplain #ignore ignored}.
 */
public final class TensorStore {
    /** One tensor: dtype, shape and row-major float data (null for non-float dtypes). */
    public record Tensor(String dtype, int[] shape, float[] data) {}

    private final String source;
    private final Map<String, Tensor> tensors;
    private final Set<String> used = new TreeSet<>();
    /** Non-null for a {@link #random} store. */
    private final Long seed;

    public TensorStore(String source, Map<String, Tensor> tensors) {
        this(source, tensors, null);
    }

    private TensorStore(String source, Map<String, Tensor> tensors, Long seed) {
        this.source = source;
        this.tensors = new LinkedHashMap<>(tensors);
        this.seed = seed;
    }

    /**
     * A store that makes up every tensor a builder asks for (benchmarks and full-size shape checks):
     * LayerNorm-like weights ({@code *norm*.weight}, 1-D) are ones, other 1-D tensors zeros, the rest
     * N(0, 0.02^2), deterministic per (seed, name). It never reports unexpected tensors.
     */
    public static TensorStore random(long seed) {
        return new TensorStore("random weights (seed " + seed + ")", Map.of(), seed);
    }

    /**
     * Reads every float tensor of a safetensors file through the shared, strictly validating reader
     * ({@link SafeTensors}); tensors of other dtypes are kept with null data (an error if a layer asks for them).
     */
    public static TensorStore read(Path file) throws IOException {
        try (SafeTensors st = SafeTensors.open(file)) {
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (String name : st.names()) {
                SafeTensors.TensorInfo info = st.info(name);
                long[] dims = info.shape();
                int[] shape = new int[dims.length];
                for (int i = 0; i < dims.length; i++) shape[i] = Math.toIntExact(dims[i]);
                float[] data = info.dtype().isFloatReadable() ? st.floats(name) : null;
                out.put(name, new Tensor(info.dtype().name(), shape, data));
            }
            return new TensorStore(file.toString(), out);
        }
    }

    /** Where the tensors came from. */
    public String source() { return source; }

    public boolean has(String name) { return tensors.containsKey(name); }

    /** All names (unmodifiable, file order). */
    public Set<String> names() { return Collections.unmodifiableSet(tensors.keySet()); }

    /** Shape of a tensor or null (does not mark it used). */
    public int[] shapeOf(String name) {
        Tensor t = tensors.get(name);
        return t == null ? null : t.shape().clone();
    }

    /** A store with every name rewritten by {@code rename} (names must stay unique). */
    public TensorStore renamed(UnaryOperator<String> rename) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String n = rename.apply(e.getKey());
            if (out.put(n, e.getValue()) != null) {
                throw new IllegalArgumentException(source + ": two tensors map to the same name '" + n + "'");
            }
        }
        return new TensorStore(source, out, seed);
    }

    /**
     * The float data of {@code name}, which must have exactly {@code shape}; marks it used.
     *
     * @throws IllegalArgumentException if missing, of another shape, or not a float tensor
     */
    public float[] take(String name, int... shape) {
        if (seed != null && !tensors.containsKey(name)) return made(name, shape);
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException(source + ": missing tensor '" + name + "' (expected shape "
                    + Arrays.toString(shape) + ")");
        }
        if (!Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException(source + ": tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                    + ", expected " + Arrays.toString(shape));
        }
        if (t.data() == null) {
            throw new IllegalArgumentException(source + ": tensor '" + name + "' has dtype " + t.dtype() + ", expected a float type");
        }
        used.add(name);
        return t.data();
    }

    private float[] made(String name, int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        float[] a = new float[Math.toIntExact(n)];
        if (shape.length == 1) {
            if (name.contains("norm") && name.endsWith(".weight")) Arrays.fill(a, 1f);
            return a;
        }
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode());
        for (int i = 0; i < a.length; i++) {
            // sum of uniforms: cheap, roughly normal, std 0.02
            double g = r.nextDouble() + r.nextDouble() + r.nextDouble() - 1.5;
            a[i] = (float) (g * 0.04);
        }
        return a;
    }

    /** Marks a tensor as deliberately unused (buffers such as {@code relative_position_index}). */
    public void ignore(String name) {
        if (tensors.containsKey(name)) used.add(name);
    }

    /** Ignores every tensor whose name ends with {@code suffix}. */
    public void ignoreSuffix(String suffix) {
        for (String n : tensors.keySet()) if (n.endsWith(suffix)) used.add(n);
    }

    /** @throws IllegalArgumentException listing the tensors no layer consumed (unexpected for the architecture) */
    public void requireAllUsed(String architecture) {
        List<String> extra = new ArrayList<>();
        for (String n : tensors.keySet()) if (!used.contains(n)) extra.add(n);
        if (!extra.isEmpty()) {
            throw new IllegalArgumentException(source + ": " + extra.size() + " unexpected tensor(s) for architecture "
                    + architecture + ": " + (extra.size() > 10 ? extra.subList(0, 10) + " ..." : extra));
        }
    }
}
