package dev.vitesse.model.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A memory-mapped <a href="https://github.com/huggingface/safetensors">safetensors</a> file.
 *
 * <p>Format: 8-byte little-endian header length {@code n}, {@code n} bytes of UTF-8 JSON
 * {@code {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}}, then the data section;
 * offsets are relative to the data section. The whole file is validated when opened: header length within
 * bounds and inside the file, JSON well formed, every tensor's dtype known, its byte range inside the data
 * section, ranges not overlapping, and {@code end - begin == product(shape) * dtype size}. Tensor bytes are
 * read through the mapping (a {@link MemorySegment} confined to a shared {@link Arena}), never copied as a
 * whole; all reads are bounds-checked by the segment.
 *
 * <p>Close it to unmap; instances are safe for concurrent reads until then.
 */
public final class SafeTensors implements AutoCloseable {
    /** Headers larger than this are rejected (the reference implementation uses 100 MB). */
    public static final long MAX_HEADER_BYTES = 100L << 20;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** One tensor's header entry; {@code begin}/{@code end} are relative to the data section. */
    public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {
        /** Number of elements. */
        public long numel() {
            long n = 1;
            for (long d : shape) n *= d;
            return n;
        }

        /** Shape as text, e.g. [768, 3, 16, 16]. */
        public String shapeString() {
            return Arrays.toString(shape);
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }
    }

    private final Path path;
    private final Arena arena;
    private final MemorySegment data;   // the data section only
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafeTensors(Path path, Arena arena, MemorySegment data, Map<String, TensorInfo> tensors,
                        Map<String, String> metadata) {
        this.path = path;
        this.arena = arena;
        this.data = data;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /**
     * Maps and validates a file.
     *
     * @throws IOException          if the file cannot be read
     * @throws ModelFormatException if it is not a valid safetensors file (message names the file and tensor)
     */
    public static SafeTensors open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw bad(path, "file is " + size + " bytes, shorter than the 8-byte header length");
            MemorySegment file = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long headerLen = file.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
            if (headerLen < 2 || headerLen > MAX_HEADER_BYTES) {
                throw bad(path, "header length " + Long.toUnsignedString(headerLen) + " is out of bounds (2.."
                        + MAX_HEADER_BYTES + ")");
            }
            if (8 + headerLen > size) {
                throw bad(path, "header length " + headerLen + " exceeds the file (" + size
                        + " bytes): truncated or not a safetensors file");
            }
            byte[] header = file.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE);
            MemorySegment dataSection = file.asSlice(8 + headerLen);
            Map<String, String> meta = new LinkedHashMap<>();
            Map<String, TensorInfo> infos = parseHeader(path, header, dataSection.byteSize(), meta);
            return new SafeTensors(path, arena, dataSection, infos, Collections.unmodifiableMap(meta));
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private static Map<String, TensorInfo> parseHeader(Path path, byte[] header, long dataSize, Map<String, String> meta) {
        JsonNode root;
        String text;
        try {
            // strict decoding: new String(...) would turn invalid bytes into U+FFFD and load tensors under made-up names
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(header)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw bad(path, "header is not valid UTF-8");
        }
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw bad(path, "header is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) throw bad(path, "header is not a JSON object");
        Map<String, TensorInfo> infos = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (name.equals("__metadata__")) {
                if (!v.isObject()) throw bad(path, "__metadata__ is not an object");
                v.fields().forEachRemaining(m -> meta.put(m.getKey(), m.getValue().isTextual()
                        ? m.getValue().asText() : m.getValue().toString()));
                continue;
            }
            infos.put(name, parseEntry(path, name, v, dataSize));
        }
        checkNoOverlap(path, infos.values());
        return Collections.unmodifiableMap(infos);
    }

    private static TensorInfo parseEntry(Path path, String name, JsonNode v, long dataSize) {
        if (!v.isObject()) throw badTensor(path, name, "entry is not an object");
        JsonNode dt = v.get("dtype"), sh = v.get("shape"), off = v.get("data_offsets");
        if (dt == null || !dt.isTextual()) throw badTensor(path, name, "missing or non-string 'dtype'");
        DType dtype = DType.parse(dt.asText());
        if (dtype == null) {
            throw badTensor(path, name, "unknown dtype '" + dt.asText() + "' (known: " + Arrays.toString(DType.values()) + ")");
        }
        if (sh == null || !sh.isArray()) throw badTensor(path, name, "missing or non-array 'shape'");
        long[] shape = new long[sh.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
                throw badTensor(path, name, "shape entry " + i + " is not a non-negative integer: " + d);
            }
            shape[i] = d.asLong();
            try {
                numel = Math.multiplyExact(numel, shape[i]);
            } catch (ArithmeticException ex) {
                throw badTensor(path, name, "shape " + sh + " overflows");
            }
        }
        if (off == null || !off.isArray() || off.size() != 2) throw badTensor(path, name, "'data_offsets' is not [begin, end]");
        for (int i = 0; i < 2; i++) {
            if (!off.get(i).isIntegralNumber() || !off.get(i).canConvertToLong() || off.get(i).asLong() < 0) {
                throw badTensor(path, name, "data_offsets " + off + " are not non-negative integers");
            }
        }
        long begin = off.get(0).asLong(), end = off.get(1).asLong();
        if (end < begin) throw badTensor(path, name, "data_offsets " + off + ": end before begin");
        if (end > dataSize) {
            throw badTensor(path, name, "data_offsets " + off + " exceed the data section (" + dataSize
                    + " bytes): file truncated or corrupt");
        }
        long expected;
        try {
            expected = Math.multiplyExact(numel, (long) dtype.size);
        } catch (ArithmeticException ex) {
            throw badTensor(path, name, "shape " + sh + " overflows");
        }
        if (end - begin != expected) {
            throw badTensor(path, name, "byte size " + (end - begin) + " != shape " + sh + " x " + dtype + " ("
                    + dtype.size + " bytes) = " + expected);
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static void checkNoOverlap(Path path, java.util.Collection<TensorInfo> infos) {
        List<TensorInfo> sorted = new ArrayList<>(infos);
        sorted.removeIf(t -> t.begin == t.end);   // empty tensors occupy no bytes
        sorted.sort(Comparator.comparingLong(TensorInfo::begin));
        for (int i = 1; i < sorted.size(); i++) {
            TensorInfo a = sorted.get(i - 1), b = sorted.get(i);
            if (b.begin < a.end) {
                throw bad(path, "tensors '" + a.name + "' [" + a.begin + ", " + a.end + ") and '" + b.name + "' ["
                        + b.begin + ", " + b.end + ") overlap");
            }
        }
    }

    private static ModelFormatException bad(Path path, String msg) {
        return new ModelFormatException(path + ": invalid safetensors file: " + msg);
    }

    private static ModelFormatException badTensor(Path path, String name, String msg) {
        return new ModelFormatException(path + ": invalid safetensors file: tensor '" + name + "': " + msg);
    }

    /** The file. */
    public Path path() {
        return path;
    }

    /** Tensor names in header order. */
    public List<String> names() {
        return List.copyOf(tensors.keySet());
    }

    /** All entries. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** The {@code __metadata__} map (may be empty). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** True if the file has this tensor. */
    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    /** Header entry of a tensor; throws naming the file if absent. */
    public TensorInfo info(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) throw new ModelFormatException(path + ": no tensor named '" + name + "'");
        return t;
    }

    /** Read-only view of a tensor's raw bytes inside the mapping. */
    public MemorySegment segment(String name) {
        TensorInfo t = info(name);
        return data.asSlice(t.begin, t.end - t.begin);
    }

    /** A tensor converted to float32 (F32, F16, BF16); other dtypes throw naming the tensor. */
    public float[] floats(String name) {
        TensorInfo t = info(name);
        if (!t.dtype.isFloatReadable()) {
            throw new ModelFormatException(path + ": tensor '" + name + "' has dtype " + t.dtype
                    + ", only F32, F16 and BF16 can be loaded as float");
        }
        long n = t.numel();
        if (n > Integer.MAX_VALUE - 16) throw new ModelFormatException(path + ": tensor '" + name + "' is too large: " + n);
        MemorySegment s = segment(name);
        float[] out = new float[(int) n];
        switch (t.dtype) {
            case F32 -> MemorySegment.copy(s, F32_LE, 0, out, 0, out.length);
            case F16 -> {
                for (int i = 0; i < out.length; i++) out[i] = Float.float16ToFloat(s.get(I16_LE, 2L * i));
            }
            case BF16 -> {
                for (int i = 0; i < out.length; i++) out[i] = Float.intBitsToFloat((s.get(I16_LE, 2L * i) & 0xffff) << 16);
            }
            default -> throw new AssertionError(t.dtype);
        }
        // The caller now owns a heap copy: drop the mapped pages from this process's resident set
        // (madvise DONTNEED; they stay in the OS page cache and re-fault if read again). Otherwise the whole
        // file stays resident next to the packed weights until close(), adding its size to peak RSS.
        if (s.isMapped()) s.unload();
        return out;
    }

    /** Unmaps the file. Segments obtained before become inaccessible. */
    @Override
    public void close() {
        arena.close();
    }
}
