package dev.vitesse.model.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** Test helper: writes well-formed (or deliberately broken) safetensors files. */
public final class SafeTensorsWriter {
    public record Tensor(String dtype, long[] shape, byte[] bytes) {}

    private final Map<String, Tensor> tensors = new LinkedHashMap<>();

    public SafeTensorsWriter f32(String name, float[] data, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : data) b.putFloat(f);
        tensors.put(name, new Tensor("F32", shape, b.array()));
        return this;
    }

    public SafeTensorsWriter raw(String name, String dtype, byte[] bytes, long... shape) {
        tensors.put(name, new Tensor(dtype, shape, bytes));
        return this;
    }

    /** Copies every tensor of an existing file, renaming/dropping via the map (value null = drop). */
    public static SafeTensorsWriter copyOf(SafeTensors st, Map<String, String> rename) {
        SafeTensorsWriter w = new SafeTensorsWriter();
        for (String n : st.names()) {
            String to = rename.containsKey(n) ? rename.get(n) : n;
            if (to == null) continue;
            SafeTensors.TensorInfo t = st.info(n);
            w.raw(to, t.dtype().name(), st.segment(n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), t.shape());
        }
        return w;
    }

    public Map<String, Tensor> tensors() {
        return tensors;
    }

    /** Header JSON with consecutive offsets. */
    public String header() {
        long off = 0;
        StringBuilder sb = new StringBuilder("{");
        for (var e : tensors.entrySet()) {
            Tensor t = e.getValue();
            if (sb.length() > 1) sb.append(',');
            sb.append('"').append(e.getKey()).append("\":{\"dtype\":\"").append(t.dtype).append("\",\"shape\":[")
                    .append(Arrays.stream(t.shape).mapToObj(Long::toString).collect(Collectors.joining(",")))
                    .append("],\"data_offsets\":[").append(off).append(',').append(off + t.bytes.length).append("]}");
            off += t.bytes.length;
        }
        return sb.append('}').toString();
    }

    public byte[] data() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Tensor t : tensors.values()) out.writeBytes(t.bytes);
        return out.toByteArray();
    }

    public Path write(Path file) throws IOException {
        return write(file, header(), data());
    }

    /** Writes an arbitrary header + data with a correct length prefix. */
    public static Path write(Path file, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Files.write(file, b.array());
        return file;
    }
}
