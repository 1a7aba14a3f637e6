package dev.vitesse.model.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reader and writer for NumPy's {@code .npy} format (versions 1.0, 2.0 and 3.0), restricted to what Vitesse
 * exchanges with Python: little-endian {@code float32} (read and written) and {@code float64} (read, narrowed to
 * float32), C order.
 *
 * <p>Anything else (Fortran order, big-endian, integer dtypes, truncated data) is rejected with an
 * {@link IllegalArgumentException} that names the file and the problem.
 *
 * <pre>{@code
 * Npy.Array x = Npy.read(Path.of("x.npy"));      // x.shape() = [8, 3, 224, 224], x.data() = float[...]
 * Npy.write(Path.of("y.npy"), logits, 8, 1000);
 * }</pre>
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** numpy aligns the end of the header (magic + length + dict) to this many bytes. */
    private static final int HEADER_ALIGN = 64;
    /** Headers are tiny; refuse absurd lengths instead of allocating them. */
    private static final int MAX_HEADER_LEN = 1 << 20;

    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    /**
     * An n-dimensional float32 array in C (row-major) order.
     *
     * @param shape dimensions, outermost first; empty for a scalar
     * @param data  the elements, {@code data.length == product(shape)}
     */
    public record Array(int[] shape, float[] data) {
        public Array {
            long n = elementCount(shape, "array");
            if (n != data.length) {
                throw new IllegalArgumentException("npy array: shape " + Arrays.toString(shape) + " needs " + n
                        + " elements but data has " + data.length);
            }
        }

        /** Number of dimensions. */
        public int rank() {
            return shape.length;
        }

        /** Size of dimension {@code i}. */
        public int dim(int i) {
            return shape[i];
        }

        @Override
        public String toString() {
            return "Npy.Array" + Arrays.toString(shape);
        }
    }

    /** Reads a .npy file; float64 data is narrowed to float32. */
    public static Array read(Path file) throws IOException {
        // (reading a directory fails with an IOException that does not name it)
        if (Files.isDirectory(file)) throw new IllegalArgumentException(file + ": is a directory, not a .npy file");
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        }
    }

    /** Reads .npy content from a stream; {@code name} is used in error messages. */
    public static Array read(InputStream in, String name) throws IOException {
        byte[] magic = in.readNBytes(8);
        if (magic.length < 8 || !Arrays.equals(Arrays.copyOf(magic, 6), MAGIC)) {
            throw new IllegalArgumentException(name + ": not a NumPy .npy file (bad magic bytes)");
        }
        int major = magic[6] & 0xff;
        int headerLen;
        if (major == 1) {
            byte[] len = in.readNBytes(2);
            if (len.length < 2) throw truncated(name, "header length");
            headerLen = (len[0] & 0xff) | (len[1] & 0xff) << 8;
        } else if (major == 2 || major == 3) {
            byte[] len = in.readNBytes(4);
            if (len.length < 4) throw truncated(name, "header length");
            long l = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
            if (l > MAX_HEADER_LEN) {
                throw new IllegalArgumentException(name + ": npy header length " + l + " is implausibly large");
            }
            headerLen = (int) l;
        } else {
            throw new IllegalArgumentException(name + ": unsupported npy format version " + major + "." + (magic[7] & 0xff));
        }
        byte[] headerBytes = in.readNBytes(headerLen);
        if (headerBytes.length < headerLen) throw truncated(name, "header");
        String header = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);

        String descr = field(DESCR, header, "descr", name);
        boolean fortran = "True".equals(field(FORTRAN, header, "fortran_order", name));
        int[] shape = parseShape(field(SHAPE, header, "shape", name), name);
        if (fortran && shape.length > 1) {
            throw new IllegalArgumentException(name + ": Fortran-ordered arrays are not supported; save with "
                    + "np.save(f, np.ascontiguousarray(x))");
        }
        int itemSize = switch (descr) {
            case "<f4" -> 4;
            case "<f8" -> 8;
            case ">f4", ">f8" -> throw new IllegalArgumentException(name + ": big-endian dtype '" + descr
                    + "' is not supported; expected little-endian float32 ('<f4') or float64 ('<f8')");
            default -> throw new IllegalArgumentException(name + ": unsupported dtype '" + descr
                    + "'; expected float32 ('<f4') or float64 ('<f8'), e.g. x.astype(np.float32)");
        };
        long count = elementCount(shape, name);
        long bytes = count * itemSize;
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + ": array of shape " + Arrays.toString(shape) + " is too large ("
                    + bytes + " bytes) for one Java array");
        }
        byte[] raw = in.readNBytes((int) bytes);
        if (raw.length < bytes) {
            throw new IllegalArgumentException(name + ": truncated npy data: shape " + Arrays.toString(shape) + " dtype "
                    + descr + " needs " + bytes + " bytes, file has " + raw.length);
        }
        ByteBuffer buf = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        float[] data = new float[(int) count];
        if (itemSize == 4) {
            buf.asFloatBuffer().get(data);
        } else {
            for (int i = 0; i < data.length; i++) data[i] = (float) buf.getDouble(i * 8);
        }
        return new Array(shape, data);
    }

    /** Writes {@code data} with the given shape as a little-endian float32 C-order .npy (format 1.0, or 2.0 if needed). */
    public static void write(Path file, float[] data, int... shape) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            write(out, data, shape);
        }
    }

    /** Writes an {@link Array}. */
    public static void write(Path file, Array array) throws IOException {
        write(file, array.data(), array.shape());
    }

    /** Writes .npy content to a stream (see {@link #write(Path, float[], int...)}). */
    public static void write(OutputStream out, float[] data, int... shape) throws IOException {
        long n = elementCount(shape, "npy write");
        if (n != data.length) {
            throw new IllegalArgumentException("npy write: shape " + Arrays.toString(shape) + " needs " + n
                    + " elements but data has " + data.length);
        }
        StringBuilder dict = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.length; i++) {
            dict.append(shape[i]);
            if (i < shape.length - 1) dict.append(", ");
        }
        if (shape.length == 1) dict.append(','); // Python's one-element tuple
        dict.append("), }");
        // Version 1 has a 2-byte length field; fall back to version 2 for (absurdly) long headers.
        int version = dict.length() + 1 + 10 + HEADER_ALIGN > 0xffff ? 2 : 1;
        int prefix = version == 1 ? 10 : 12;
        int total = prefix + dict.length() + 1;
        int padded = (total + HEADER_ALIGN - 1) / HEADER_ALIGN * HEADER_ALIGN;
        dict.append(" ".repeat(padded - total)).append('\n');
        byte[] header = dict.toString().getBytes(StandardCharsets.ISO_8859_1);

        ByteBuffer pre = ByteBuffer.allocate(prefix).order(ByteOrder.LITTLE_ENDIAN);
        pre.put(MAGIC).put((byte) version).put((byte) 0);
        if (version == 1) pre.putShort((short) header.length);
        else pre.putInt(header.length);
        out.write(pre.array());
        out.write(header);
        ByteBuffer body = ByteBuffer.allocate(Math.min(data.length, 1 << 16) * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < data.length; ) {
            body.clear();
            int chunk = Math.min(data.length - i, body.capacity() / 4);
            body.asFloatBuffer().put(data, i, chunk);
            out.write(body.array(), 0, chunk * 4);
            i += chunk;
        }
    }

    private static String field(Pattern p, String header, String key, String name) {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new IllegalArgumentException(name + ": npy header has no valid '" + key + "' entry: " + header.strip());
        }
        String value = m.group(1);
        // numpy's literal_eval keeps the last of repeated keys, this reader the first: refuse rather than disagree
        if (m.find()) throw new IllegalArgumentException(name + ": npy header has '" + key + "' twice: " + header.strip());
        return value;
    }

    private static int[] parseShape(String s, String name) {
        List<Integer> dims = new ArrayList<>();
        for (String part : s.split(",")) {
            String t = part.strip();
            if (t.isEmpty()) continue;
            if (t.endsWith("L")) t = t.substring(0, t.length() - 1); // Python 2 longs
            try {
                long d = Long.parseLong(t);
                if (d < 0 || d > Integer.MAX_VALUE) throw new NumberFormatException();
                dims.add((int) d);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + ": bad npy shape entry '" + t + "' in (" + s + ")");
            }
        }
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    private static long elementCount(int[] shape, String name) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException(name + ": negative dimension in shape " + Arrays.toString(shape));
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " has too many elements");
            }
        }
        return n;
    }

    private static IllegalArgumentException truncated(String name, String what) {
        return new IllegalArgumentException(name + ": truncated npy file (ends inside the " + what + ")");
    }
}
