package dev.vitesse.model.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafeTensorsTest {
    @TempDir
    Path tmp;

    private Path valid() throws IOException {
        return new SafeTensorsWriter()
                .f32("a", new float[] {1, 2, 3, 4, 5, 6}, 2, 3)
                .f32("b", new float[] {-1.5f}, 1)
                .write(tmp.resolve("ok.safetensors"));
    }

    @Test
    void readsF32AndMetadata() throws IOException {
        Path f = SafeTensorsWriter.write(tmp.resolve("m.safetensors"),
                "{\"__metadata__\":{\"format\":\"pt\"},\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}  ",
                bytes(1f, 2f));
        try (SafeTensors st = SafeTensors.open(f)) {
            assertThat(st.names()).containsExactly("x");
            assertThat(st.metadata()).containsEntry("format", "pt");
            assertThat(st.floats("x")).containsExactly(1f, 2f);
        }
        try (SafeTensors st = SafeTensors.open(valid())) {
            assertThat(st.floats("a")).containsExactly(1, 2, 3, 4, 5, 6);
            assertThat(st.info("a").shape()).containsExactly(2, 3);
            assertThat(st.floats("b")).containsExactly(-1.5f);
        }
    }

    @Test
    void convertsF16AndBF16() throws IOException {
        float[] values = {0f, 1f, -2.5f, 65504f, 1e-3f, Float.POSITIVE_INFINITY};
        ByteBuffer h = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer bf = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            h.putShort(Float.floatToFloat16(v));
            bf.putShort((short) (Float.floatToIntBits(v) >>> 16));   // truncation: exact for these values' bf16
        }
        Path f = new SafeTensorsWriter().raw("h", "F16", h.array(), values.length).raw("bf", "BF16", bf.array(), values.length)
                .write(tmp.resolve("half.safetensors"));
        try (SafeTensors st = SafeTensors.open(f)) {
            float[] hf = st.floats("h");
            for (int i = 0; i < values.length; i++) assertThat(hf[i]).isEqualTo(Float.float16ToFloat(Float.floatToFloat16(values[i])));
            float[] b = st.floats("bf");
            for (int i = 0; i < values.length; i++) {
                assertThat(b[i]).isEqualTo(Float.intBitsToFloat(Float.floatToIntBits(values[i]) & 0xffff0000));
            }
            assertThat(b[2]).isEqualTo(-2.5f);
        }
    }

    @Test
    void truncatedFile() throws IOException {
        Path f = valid();
        byte[] all = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(all, all.length - 2));
        assertBad(f, "tensor 'b'", "exceed the data section", "truncated");
        Files.write(f, Arrays.copyOf(all, 5));
        assertBad(f, "shorter than the 8-byte header length");
        Files.write(f, Arrays.copyOf(all, 40));   // cut inside the header
        assertBad(f, "exceeds the file", "truncated");
    }

    @Test
    void headerLengthOutOfBounds() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(1L << 40).putLong(0);
        Path f = Files.write(tmp.resolve("huge.safetensors"), b.array());
        assertBad(f, "header length 1099511627776 is out of bounds");
        b.clear();
        b.putLong(-1L).putLong(0);
        Files.write(f, b.array());
        assertBad(f, "header length 18446744073709551615 is out of bounds");
    }

    @Test
    void badJson() throws IOException {
        assertBad(SafeTensorsWriter.write(tmp.resolve("j1.safetensors"), "{\"a\": {\"dtype\": \"F32\",", new byte[0]),
                "header is not valid JSON");
        assertBad(SafeTensorsWriter.write(tmp.resolve("j2.safetensors"), "[1, 2]", new byte[0]), "not a JSON object");
        assertBad(SafeTensorsWriter.write(tmp.resolve("j3.safetensors"), "{} {}", new byte[0]), "not valid JSON");
        assertBad(SafeTensorsWriter.write(tmp.resolve("j4.safetensors"),
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                new byte[8]), "not valid JSON", "Duplicate");
        assertBad(SafeTensorsWriter.write(tmp.resolve("j5.safetensors"),
                "{\"a\":{\"dtype\":\"F32\",\"shape\":\"1\",\"data_offsets\":[0,4]}}", new byte[4]), "tensor 'a'", "shape");
        assertBad(SafeTensorsWriter.write(tmp.resolve("j6.safetensors"),
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", new byte[4]), "tensor 'a'", "non-negative");
        assertBad(SafeTensorsWriter.write(tmp.resolve("j7.safetensors"),
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", new byte[4]), "tensor 'a'", "data_offsets");
    }

    @Test
    void overlappingOffsets() throws IOException {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        assertBad(SafeTensorsWriter.write(tmp.resolve("o.safetensors"), h, new byte[12]), "'a'", "'b'", "overlap");
    }

    @Test
    void offsetsOutsideData() throws IOException {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}";
        assertBad(SafeTensorsWriter.write(tmp.resolve("out.safetensors"), h, new byte[16]), "tensor 'a'", "exceed the data section");
        String h2 = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}";
        assertBad(SafeTensorsWriter.write(tmp.resolve("rev.safetensors"), h2, new byte[16]), "tensor 'a'", "end before begin");
    }

    @Test
    void sizeMustMatchShapeTimesDtype() throws IOException {
        String h = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}";
        assertBad(SafeTensorsWriter.write(tmp.resolve("s.safetensors"), h, new byte[20]), "tensor 'w'", "byte size 20",
                "= 24");
        String h2 = "{\"w\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,16]}}";
        assertBad(SafeTensorsWriter.write(tmp.resolve("s2.safetensors"), h2, new byte[16]), "tensor 'w'", "overflows");
    }

    @Test
    void unknownDtype() throws IOException {
        String h = "{\"w\":{\"dtype\":\"F13\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        assertBad(SafeTensorsWriter.write(tmp.resolve("d.safetensors"), h, new byte[4]), "tensor 'w'", "unknown dtype 'F13'");
    }

    @Test
    void nonFloatDtypeIsValidatedButNotReadAsFloat() throws IOException {
        Path f = new SafeTensorsWriter().raw("steps", "I64", new byte[8], 1).write(tmp.resolve("i.safetensors"));
        try (SafeTensors st = SafeTensors.open(f)) {
            assertThatThrownBy(() -> st.floats("steps")).isInstanceOf(ModelFormatException.class)
                    .hasMessageContaining("'steps'").hasMessageContaining("I64");
            assertThatThrownBy(() -> st.floats("nope")).hasMessageContaining("no tensor named 'nope'");
        }
    }

    @Test
    void headerThatIsNotUtf8() throws IOException {
        byte[] h = "{\"a\u00ff\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}".getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path f = Files.write(tmp.resolve("utf.safetensors"), b.array());
        assertBad(f, "header is not valid UTF-8");
    }

    @Test
    void dimensionBeyondIntNextToAZeroDimension() throws IOException {
        // [0, 2^40] holds no bytes, so the file is valid, but no loader can index that dimension
        Path f = new SafeTensorsWriter().raw("w", "F32", new byte[0], 0, 1L << 40).write(tmp.resolve("z.safetensors"));
        SafeTensors.open(f).close();
        assertThatThrownBy(() -> TensorMap.read(f).close()).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("tensor 'w'").hasMessageContaining("[0, 1099511627776]");
    }

    @Test
    void closedFileCannotBeRead() throws IOException {
        SafeTensors st = SafeTensors.open(valid());
        st.close();
        assertThatThrownBy(() -> st.floats("a")).isInstanceOf(IllegalStateException.class);
    }

    private static void assertBad(Path f, String... fragments) {
        var a = assertThatThrownBy(() -> SafeTensors.open(f).close()).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(f.toString());
        for (String s : fragments) a.hasMessageContaining(s);
    }

    private static byte[] bytes(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return b.array();
    }
}
