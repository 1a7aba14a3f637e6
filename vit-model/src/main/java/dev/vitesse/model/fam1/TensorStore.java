package dev.vitesse.model.fam1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
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
 * <p>Reads F32, F16 and BF16 (converted to float) and validates the header (length, offsets inside the
 * file, shape vs byte size). Integer tensors (e.g. torchvision's {@code relative_position_index}
 * buffers) are kept as shape-only entries that may only be {@linkplain #ignore ignored}.
 */
public final class TensorStore {
    /** One tensor: dtype, shape and row-major float data (null for non-float dtypes). */
    public record Tensor(String dtype, int[] shape, float[] data) {}

    private static final long MAX_HEADER = 100L << 20;

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

    /** Reads a whole safetensors file. */
    public static TensorStore read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            String src = file.toString();
            if (size < 8) throw new IllegalArgumentException(src + ": not a safetensors file (" + size + " bytes)");
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long hlen = lenBuf.flip().getLong();
            if (hlen <= 1 || hlen > MAX_HEADER || 8 + hlen > size) {
                throw new IllegalArgumentException(src + ": bad safetensors header length " + hlen + " (file has " + size + " bytes)");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) hlen);
            readFully(ch, hb, 8);
            JsonNode header;
            try {
                header = new ObjectMapper().readTree(new String(hb.array(), java.nio.charset.StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IllegalArgumentException(src + ": safetensors header is not valid JSON: " + e.getMessage(), e);
            }
            if (header == null || !header.isObject()) throw new IllegalArgumentException(src + ": safetensors header is not a JSON object");
            long dataStart = 8 + hlen, dataLen = size - dataStart;
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String name = e.getKey();
                if (name.equals("__metadata__")) continue;
                JsonNode info = e.getValue();
                String dtype = info.path("dtype").asText("");
                JsonNode shapeNode = info.path("shape"), offs = info.path("data_offsets");
                if (!shapeNode.isArray() || !offs.isArray() || offs.size() != 2) {
                    throw new IllegalArgumentException(src + ": tensor '" + name + "' has a malformed header entry");
                }
                int[] shape = new int[shapeNode.size()];
                long numel = 1;
                for (int i = 0; i < shape.length; i++) {
                    long d = shapeNode.get(i).asLong(-1);
                    if (d < 0 || d > Integer.MAX_VALUE) throw new IllegalArgumentException(src + ": tensor '" + name + "' has bad shape " + shapeNode);
                    shape[i] = (int) d;
                    numel *= d;
                }
                long begin = offs.get(0).asLong(-1), end = offs.get(1).asLong(-1);
                int width = switch (dtype) {
                    case "F32", "I32", "U32" -> 4;
                    case "F16", "BF16", "I16" -> 2;
                    case "F64", "I64", "U64" -> 8;
                    case "I8", "U8", "BOOL" -> 1;
                    default -> throw new IllegalArgumentException(src + ": tensor '" + name + "' has unsupported dtype '" + dtype + "'");
                };
                if (begin < 0 || end < begin || end > dataLen) {
                    throw new IllegalArgumentException(src + ": tensor '" + name + "' data offsets [" + begin + ", " + end
                            + ") outside the data section of " + dataLen + " bytes (truncated file?)");
                }
                if (end - begin != numel * width) {
                    throw new IllegalArgumentException(src + ": tensor '" + name + "' " + dtype + Arrays.toString(shape)
                            + " needs " + numel * width + " bytes, header gives " + (end - begin));
                }
                float[] data = null;
                if (dtype.equals("F32") || dtype.equals("F16") || dtype.equals("BF16")) {
                    if (numel > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(src + ": tensor '" + name + "' too large");
                    ByteBuffer buf = ByteBuffer.allocate((int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
                    readFully(ch, buf, dataStart + begin);
                    buf.flip();
                    data = new float[(int) numel];
                    if (dtype.equals("F32")) {
                        buf.asFloatBuffer().get(data);
                    } else if (dtype.equals("F16")) {
                        for (int i = 0; i < data.length; i++) data[i] = Float.float16ToFloat(buf.getShort());
                    } else {
                        for (int i = 0; i < data.length; i++) data[i] = Float.intBitsToFloat((buf.getShort() & 0xffff) << 16);
                    }
                }
                out.put(name, new Tensor(dtype, shape, data));
            }
            return new TensorStore(src, out);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) throw new IOException("unexpected end of file");
            pos += n;
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
