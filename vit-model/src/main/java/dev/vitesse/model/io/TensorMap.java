package dev.vitesse.model.io;

import dev.vitesse.kernels.WeightFormat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * The tensors of one checkpoint, consumed strictly by a model builder: {@link #take} checks the expected shape,
 * {@link #requireAllUsed} rejects tensors the architecture does not have. Every error names the source (file),
 * the tensor, and expected vs found shapes.
 *
 * <p>{@link #read} opens a safetensors file through {@link SafeTensors}, which validates it, and keeps it mapped
 * until {@link #close}: F32, F16 and BF16 tensors are converted to float when a builder {@linkplain #take takes}
 * them, so loading holds one raw tensor at a time next to the packed weights instead of the whole file on the
 * heap. Tensors of other dtypes (torchvision's {@code relative_position_index} buffers, BatchNorm's
 * {@code num_batches_tracked}) are kept as shape-only entries: taking one is an error, they may only be
 * {@linkplain #ignore ignored}. A {@link #random} map makes up every tensor a builder asks for.
 *
 * <p>Not thread-safe (it records which tensors were taken); a builder uses it from one thread.
 */
public final class TensorMap implements AutoCloseable {
    /**
     * One tensor: dtype name (as in safetensors, e.g. F32), shape, and row-major float data: null for non-float
     * dtypes and for tensors of a {@link #read} map, which are read from the file when taken.
     */
    public record Tensor(String dtype, int[] shape, float[] data) {
        /** A float32 tensor. */
        public Tensor(int[] shape, float[] data) {
            this("F32", shape, data);
        }

        /** Number of elements. */
        public long numel() {
            long n = 1;
            for (int s : shape) n *= s;
            return n;
        }
    }

    private final String source;
    private final Map<String, Tensor> tensors;
    /** The open file of a {@link #read} map (shared by its {@link #renamed} views; closed by the original). */
    private final SafeTensors file;
    /** Map name -> name in the file for a {@link #renamed} view of a file map; null for the original. */
    private final Map<String, String> fileNames;
    private final Set<String> used = new TreeSet<>();
    /** Non-null for a {@link #random} map. */
    private final Long seed;
    /** How builders should store packed GEMM weights taken from this map. */
    private WeightFormat weightFormat = WeightFormat.FP32;

    /** A map over {@code tensors} (copied); {@code source} names them in messages (usually the file). */
    public TensorMap(String source, Map<String, Tensor> tensors) {
        this(source, tensors, null, null, null);
    }

    private TensorMap(String source, Map<String, Tensor> tensors, Long seed, SafeTensors file,
                      Map<String, String> fileNames) {
        this.source = source;
        this.tensors = new LinkedHashMap<>(tensors);
        this.seed = seed;
        this.file = file;
        this.fileNames = fileNames;
    }

    /**
     * A map that makes up every tensor a builder asks for (benchmarks and full-size shape checks), deterministic per
     * (seed, name): 1-D {@code *.weight} tensors of norms ({@code norm}/{@code bn} in the name) and BatchNorm
     * {@code running_var} are ones, other 1-D tensors zeros, the rest roughly N(0, 0.02^2). A made-up tensor is
     * remembered (taking it again gives the same data, {@link #parameterCount} counts it); it never reports
     * unexpected tensors.
     */
    public static TensorMap random(long seed) {
        return new TensorMap("random weights (seed " + seed + ")", Map.of(), seed, null, null);
    }

    /**
     * Opens a safetensors file through the shared, strictly validating reader ({@link SafeTensors}) and lists its
     * tensors; their data is converted when taken. Close the map when the model is built (it unmaps the file).
     *
     * @throws ModelFormatException for a corrupt file (message names the file and tensor)
     */
    public static TensorMap read(Path file) throws IOException {
        SafeTensors st = SafeTensors.open(file);
        try {
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (String name : st.names()) {
                SafeTensors.TensorInfo info = st.info(name);
                long[] dims = info.shape();
                int[] shape = new int[dims.length];
                for (int i = 0; i < dims.length; i++) {
                    // a dimension beyond int can only pass SafeTensors' size check next to a zero dimension
                    if (dims[i] > Integer.MAX_VALUE) {
                        throw new ModelFormatException(file + ": tensor '" + name + "' has shape " + info.shapeString()
                                + ": dimension " + i + " is larger than " + Integer.MAX_VALUE);
                    }
                    shape[i] = (int) dims[i];
                }
                out.put(name, new Tensor(info.dtype().name(), shape, null));
            }
            return new TensorMap(file.toString(), out, null, st, null);
        } catch (RuntimeException e) {
            st.close();
            throw e;
        }
    }

    /** Unmaps the file of a {@link #read} map (tensors taken before stay valid: they are heap copies). */
    @Override
    public void close() {
        if (file != null && fileNames == null) file.close();   // views (fileNames set) leave it to the original
    }

    /**
     * Storage format for the GEMM weights (linear layers, GEMM-lowered convolutions) that builders pack from this
     * map; {@link WeightFormat#FP32} unless set. Returns this map.
     *
     * @throws IllegalArgumentException if {@code format} is null
     */
    public TensorMap useWeightFormat(WeightFormat format) {
        if (format == null) throw new IllegalArgumentException("weight format must not be null");
        this.weightFormat = format;
        return this;
    }

    /** Storage format for packed GEMM weights (see {@link #useWeightFormat}). */
    public WeightFormat weightFormat() {
        return weightFormat;
    }

    /** Where the tensors came from (used in messages). */
    public String source() {
        return source;
    }

    /** True if a random map (see {@link #random}). */
    public boolean isRandom() {
        return seed != null;
    }

    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    /** All names (unmodifiable, file order). */
    public Set<String> names() {
        return Collections.unmodifiableSet(tensors.keySet());
    }

    /** Shape of a tensor, or null when absent (does not mark it used). */
    public int[] shapeOf(String name) {
        Tensor t = tensors.get(name);
        return t == null ? null : t.shape().clone();
    }

    /** A map with every name rewritten by {@code rename} (names must stay unique); nothing is marked used yet. */
    public TensorMap renamed(UnaryOperator<String> rename) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Map<String, String> names = file == null ? null : new HashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String n = rename.apply(e.getKey());
            if (out.put(n, e.getValue()) != null) {
                throw new IllegalArgumentException(source + ": two tensors map to the same name '" + n + "'");
            }
            if (names != null) names.put(n, fileName(e.getKey()));
        }
        return new TensorMap(source, out, seed, file, names).useWeightFormat(weightFormat);
    }

    /**
     * The float data of {@code name}, which must have exactly {@code shape}; marks it used.
     *
     * @throws IllegalArgumentException if missing, of another shape, or not a float tensor
     */
    public float[] take(String name, int... shape) {
        if (seed != null && !tensors.containsKey(name)) tensors.put(name, new Tensor(shape.clone(), made(name, shape)));
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException(source + ": missing tensor '" + name + "' (expected shape "
                    + Arrays.toString(shape) + ")");
        }
        if (!Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException(source + ": tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                    + ", expected " + Arrays.toString(shape));
        }
        if (!isFloat(t)) {
            throw new IllegalArgumentException(source + ": tensor '" + name + "' has dtype " + t.dtype()
                    + ", expected a float type");
        }
        used.add(name);
        // a file's tensor is converted now and not kept here: the builder packs it and drops the copy
        if (t.data() != null) return t.data();
        try {
            return file.floats(fileName(name));
        } catch (IllegalStateException e) { // the arena of a closed map
            throw new IllegalStateException(source + ": tensor '" + name + "' taken after the tensor map was closed", e);
        }
    }

    private float[] made(String name, int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        float[] a = new float[Math.toIntExact(n)];
        if (shape.length == 1) {
            boolean normWeight = (name.contains("norm") || name.contains("bn")) && name.endsWith(".weight");
            if (normWeight || name.endsWith("running_var")) Arrays.fill(a, 1f);
            return a;
        }
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode());
        for (int i = 0; i < a.length; i++) {
            // sum of three uniforms: cheap, roughly normal, std 0.02
            double g = r.nextDouble() + r.nextDouble() + r.nextDouble() - 1.5;
            a[i] = (float) (g * 0.04);
        }
        return a;
    }

    /**
     * Elements of every tensor except BatchNorm buffers ({@code running_mean}, {@code running_var},
     * {@code num_batches_tracked}) and other non-float buffers: PyTorch's parameter count. For a {@link #random} map,
     * the tensors made up so far.
     */
    public long parameterCount() {
        long n = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String k = e.getKey();
            if (k.endsWith("running_mean") || k.endsWith("running_var") || k.endsWith("num_batches_tracked")) continue;
            if (!isFloat(e.getValue())) continue;
            n += e.getValue().numel();
        }
        return n;
    }

    /** Marks a tensor as deliberately unused (buffers such as {@code relative_position_index}). */
    public void ignore(String name) {
        if (tensors.containsKey(name)) used.add(name);
    }

    /** Ignores every tensor whose name ends with {@code suffix}. */
    public void ignoreSuffix(String suffix) {
        for (String n : tensors.keySet()) if (n.endsWith(suffix)) used.add(n);
    }

    /**
     * @throws IllegalArgumentException naming the source, the architecture and the tensors no layer consumed
     *                                  (not part of the architecture: wrong variant or layout)
     */
    public void requireAllUsed(String architecture) {
        List<String> extra = new ArrayList<>();
        for (String n : tensors.keySet()) if (!used.contains(n)) extra.add(n);
        if (!extra.isEmpty()) {
            throw new IllegalArgumentException(source + ": " + extra.size() + " unexpected tensor(s) for architecture "
                    + architecture + " (wrong variant or layout?): "
                    + (extra.size() > 12 ? extra.subList(0, 12) + " ..." : extra));
        }
    }

    private boolean isFloat(Tensor t) {
        if (t.data() != null) return true;
        if (file == null) return false;
        DType d = DType.parse(t.dtype());
        return d != null && d.isFloatReadable();
    }

    /** The name a (possibly renamed) tensor has in the file. */
    private String fileName(String name) {
        return fileNames == null ? name : fileNames.get(name);
    }
}
