package dev.vitesse.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fixtures written by numpy: scripts/reference/gen_npy_fixtures.py. */
class NpyTest {

    private static Npy.Array fixture(String name) throws IOException {
        try (InputStream in = NpyTest.class.getResourceAsStream("/npy/" + name)) {
            assertThat(in).as(name).isNotNull();
            return Npy.read(in, name);
        }
    }

    private static byte[] fixtureBytes(String name) throws IOException {
        try (InputStream in = NpyTest.class.getResourceAsStream("/npy/" + name)) {
            return in.readAllBytes();
        }
    }

    /** A version-1 .npy header holding {@code dict} (data to be appended by the caller). */
    private static ByteArrayOutputStream v1Header(String dict) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) dict.length(), 0});
        out.writeBytes(dict.getBytes(StandardCharsets.ISO_8859_1));
        return out;
    }

    private static float[] pattern(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = i * 0.25f - 1;
        return v;
    }

    @Test
    void readsFloat32() throws IOException {
        Npy.Array a = fixture("f4_2x3.npy");
        assertThat(a.shape()).containsExactly(2, 3);
        assertThat(a.data()).containsExactly(pattern(6));
    }

    @Test
    void readsFloat64AsFloat32() throws IOException {
        Npy.Array a = fixture("f8_2x3x4.npy");
        assertThat(a.shape()).containsExactly(2, 3, 4);
        assertThat(a.data()).containsExactly(pattern(24));
    }

    @Test
    void readsScalarVectorAndEmpty() throws IOException {
        Npy.Array s = fixture("f4_scalar.npy");
        assertThat(s.shape()).isEmpty();
        assertThat(s.data()).containsExactly(3.5f);
        Npy.Array v = fixture("f4_vec5.npy");
        assertThat(v.shape()).containsExactly(5);
        assertThat(v.data()).containsExactly(0, 1, 2, 3, 4);
        Npy.Array e = fixture("f4_empty_0x4.npy");
        assertThat(e.shape()).containsExactly(0, 4);
        assertThat(e.data()).isEmpty();
    }

    @Test
    void readsVersion2Header() throws IOException {
        Npy.Array a = fixture("f4_v2_2x3.npy");
        assertThat(a.shape()).containsExactly(2, 3);
        assertThat(a.data()).containsExactly(pattern(6));
    }

    @Test
    void writesExactlyWhatNumpyWrites() throws IOException {
        // numpy's np.save output for the same array is byte-identical (same header text and 64-byte alignment).
        for (String name : new String[] {"f4_2x3.npy", "f4_scalar.npy", "f4_vec5.npy", "f4_empty_0x4.npy"}) {
            Npy.Array a = fixture(name);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Npy.write(out, a.data(), a.shape());
            assertThat(out.toByteArray()).as(name).isEqualTo(fixtureBytes(name));
        }
    }

    @Test
    void roundTripsThroughFile(@TempDir Path dir) throws IOException {
        float[] data = new float[2 * 3 * 5 * 7];
        for (int i = 0; i < data.length; i++) data[i] = (float) Math.sin(i) * 1e3f;
        Path f = dir.resolve("x.npy");
        Npy.write(f, data, 2, 3, 5, 7);
        Npy.Array back = Npy.read(f);
        assertThat(back.shape()).containsExactly(2, 3, 5, 7);
        assertThat(back.data()).containsExactly(data);
        assertThat(Files.size(f) % 64).isEqualTo(data.length * 4L % 64);
    }

    @Test
    void rejectsFortranOrder() {
        assertThatThrownBy(() -> fixture("f4_fortran_2x3.npy"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Fortran");
    }

    @Test
    void rejectsOtherDtypes() {
        assertThatThrownBy(() -> fixture("i4_2x3.npy"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'<i4'");
        assertThatThrownBy(() -> fixture("f4_bigendian_2x3.npy"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("big-endian");
    }

    @Test
    void rejectsTruncatedAndForeignFiles() {
        assertThatThrownBy(() -> fixture("f4_truncated.npy"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated")
                .hasMessageContaining("f4_truncated.npy");
        assertThatThrownBy(() -> fixture("not_npy.npy"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a NumPy");
        byte[] headerCut = java.util.Arrays.copyOf(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 100, 0, '{'}, 11);
        assertThatThrownBy(() -> Npy.read(new ByteArrayInputStream(headerCut), "cut.npy"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated");
    }

    @Test
    void rejectsMalformedHeader() {
        ByteArrayOutputStream out = v1Header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }\n");
        assertThatThrownBy(() -> Npy.read(new ByteArrayInputStream(out.toByteArray()), "bad.npy"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shape");
    }

    @Test
    void rejectsRepeatedHeaderKeys() {
        // numpy keeps the last 'shape' (2 rows), a first-match reader the first (1 row): refuse the ambiguity
        ByteArrayOutputStream out = v1Header("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3), 'shape': (2, 3), }\n");
        out.writeBytes(new byte[24]);
        assertThatThrownBy(() -> Npy.read(new ByteArrayInputStream(out.toByteArray()), "dup.npy"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dup.npy").hasMessageContaining("'shape' twice");
    }

    @Test
    void directoryIsNamed(@TempDir Path dir) throws IOException {
        Path d = Files.createDirectory(dir.resolve("x.npy"));
        assertThatThrownBy(() -> Npy.read(d)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(d.toString()).hasMessageContaining("is a directory");
    }

    @Test
    void writeChecksShape() {
        assertThatThrownBy(() -> Npy.write(new ByteArrayOutputStream(), new float[5], 2, 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[2, 3]");
    }
}
