package dev.vitesse.model.family2;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A checkpoint's float tensors by name, consumed strictly: every {@link #take} checks the expected shape,
 * {@link #requireAllUsed()} rejects tensors the architecture does not have. Error messages name the
 * checkpoint, the tensor, and expected vs found shapes.
 */
public final class Tensors {
    /** One tensor: shape and row-major data. */
    public record Tensor(int[] shape, float[] data) {
        public int numel() {
            int n = 1;
            for (int s : shape) n *= s;
            return n;
        }
    }

    private final String source;
    private final Map<String, Tensor> tensors;
    private final Set<String> used = new TreeSet<>();

    public Tensors(String source, Map<String, Tensor> tensors) {
        this.source = source;
        this.tensors = new LinkedHashMap<>(tensors);
    }

    /** Where the tensors came from (used in messages). */
    public String source() {
        return source;
    }

    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    /** All names (unmodifiable). */
    public Set<String> names() {
        return Collections.unmodifiableSet(tensors.keySet());
    }

    /** Shape of a tensor, or null when absent (does not mark it used). */
    public int[] shapeOf(String name) {
        Tensor t = tensors.get(name);
        return t == null ? null : t.shape().clone();
    }

    /**
     * The data of tensor {@code name}, which must have exactly {@code shape}; marks it used.
     *
     * @throws IllegalArgumentException if it is missing or has another shape
     */
    public float[] take(String name, int... shape) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("missing tensor '" + name + "' (expected shape " + Arrays.toString(shape)
                    + ") in " + source);
        }
        if (!Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException("tensor '" + name + "' in " + source + " has shape "
                    + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(shape));
        }
        used.add(name);
        return t.data();
    }

    /** Elements of every tensor except BatchNorm buffers (running_mean/var, num_batches_tracked): PyTorch's parameter count. */
    public long parameterCount() {
        long n = 0;
        for (var e : tensors.entrySet()) {
            String k = e.getKey();
            if (k.endsWith("running_mean") || k.endsWith("running_var") || k.endsWith("num_batches_tracked")) continue;
            n += e.getValue().numel();
        }
        return n;
    }

    /** Marks a tensor as deliberately ignored (e.g. BatchNorm's num_batches_tracked). */
    public void ignore(String name) {
        if (tensors.containsKey(name)) used.add(name);
    }

    /** @throws IllegalArgumentException listing every tensor that no layer consumed */
    public void requireAllUsed() {
        List<String> extra = new ArrayList<>();
        for (String n : tensors.keySet()) {
            if (!used.contains(n) && !n.endsWith("num_batches_tracked")) extra.add(n);
        }
        if (!extra.isEmpty()) {
            throw new IllegalArgumentException(extra.size() + " unexpected tensor(s) in " + source + " (not part of the"
                    + " architecture; wrong variant or layout?): " + (extra.size() > 12 ? extra.subList(0, 12) + " ..." : extra));
        }
    }
}
