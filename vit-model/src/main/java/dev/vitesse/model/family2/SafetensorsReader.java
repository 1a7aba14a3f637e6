package dev.vitesse.model.family2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a whole {@code .safetensors} file (F32, F16, BF16 converted to float) into {@link Tensors}. Validates the
 * header (length, offsets inside the file, sizes matching shapes) and reports problems with the file name.
 */
public final class SafetensorsReader {
    private SafetensorsReader() {}

    /** Maximum header size accepted (the format's own limit is 100 MB). */
    private static final long MAX_HEADER = 100L << 20;

    public static Tensors read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw bad(file, "file too short (" + size + " bytes)");
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > size) {
                throw bad(file, "invalid header length " + headerLen + " (file has " + size + " bytes)");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8);
            JsonNode header;
            try {
                header = new ObjectMapper().readTree(hb.array());
            } catch (IOException e) {
                throw bad(file, "header is not valid JSON: " + e.getMessage());
            }
            if (header == null || !header.isObject()) throw bad(file, "header is not a JSON object");
            long dataStart = 8 + headerLen;
            long dataLen = size - dataStart;
            Map<String, Tensors.Tensor> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                var e = it.next();
                String name = e.getKey();
                if (name.equals("__metadata__")) continue;
                JsonNode info = e.getValue();
                String dtype = info.path("dtype").asText("");
                JsonNode shapeNode = info.path("shape");
                JsonNode offs = info.path("data_offsets");
                if (!shapeNode.isArray() || !offs.isArray() || offs.size() != 2) {
                    throw bad(file, "tensor '" + name + "': missing shape or data_offsets");
                }
                int[] shape = new int[shapeNode.size()];
                long numel = 1;
                for (int i = 0; i < shape.length; i++) {
                    long s = shapeNode.get(i).asLong(-1);
                    if (s < 0 || s > Integer.MAX_VALUE) throw bad(file, "tensor '" + name + "': bad dimension " + shapeNode.get(i));
                    shape[i] = (int) s;
                    numel *= s;
                }
                int elemSize = switch (dtype) {
                    case "F32" -> 4;
                    case "F16", "BF16" -> 2;
                    default -> throw bad(file, "tensor '" + name + "': unsupported dtype " + dtype + " (F32, F16, BF16 supported)");
                };
                long b = offs.get(0).asLong(-1), en = offs.get(1).asLong(-1);
                if (b < 0 || en < b || en > dataLen) {
                    throw bad(file, "tensor '" + name + "': data_offsets [" + b + ", " + en + "] outside the data section of " + dataLen + " bytes");
                }
                if (en - b != numel * elemSize) {
                    throw bad(file, "tensor '" + name + "': " + (en - b) + " bytes for shape " + java.util.Arrays.toString(shape)
                            + " of " + dtype + " (expected " + numel * elemSize + ")");
                }
                if (numel > Integer.MAX_VALUE - 8) throw bad(file, "tensor '" + name + "' too large");
                ByteBuffer buf = ByteBuffer.allocate((int) (en - b)).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, buf, dataStart + b);
                buf.flip();
                float[] data = new float[(int) numel];
                switch (dtype) {
                    case "F32" -> buf.asFloatBuffer().get(data);
                    case "F16" -> {
                        for (int i = 0; i < data.length; i++) data[i] = Float.float16ToFloat(buf.getShort());
                    }
                    default -> {
                        for (int i = 0; i < data.length; i++) data[i] = Float.intBitsToFloat((buf.getShort() & 0xffff) << 16);
                    }
                }
                out.put(name, new Tensors.Tensor(shape, data));
            }
            return new Tensors(file.toString(), out);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) throw new IOException("unexpected end of file");
            pos += n;
        }
    }

    private static IllegalArgumentException bad(Path file, String msg) {
        return new IllegalArgumentException("bad safetensors file " + file + ": " + msg);
    }
}
