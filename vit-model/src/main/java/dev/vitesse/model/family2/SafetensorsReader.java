package dev.vitesse.model.family2;

import dev.vitesse.model.io.SafeTensors;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a whole {@code .safetensors} file into {@link Tensors} through the shared, strictly validating reader
 * ({@link SafeTensors}: header, offsets and sizes checked, F32/F16/BF16 converted to float).
 */
public final class SafetensorsReader {
    private SafetensorsReader() {}

    /**
     * @throws dev.vitesse.model.io.ModelFormatException for a corrupt file or a tensor of a non-float dtype
     */
    public static Tensors read(Path file) throws IOException {
        try (SafeTensors st = SafeTensors.open(file)) {
            Map<String, Tensors.Tensor> out = new LinkedHashMap<>();
            for (String name : st.names()) {
                long[] dims = st.info(name).shape();
                int[] shape = new int[dims.length];
                for (int i = 0; i < dims.length; i++) shape[i] = Math.toIntExact(dims[i]);
                out.put(name, new Tensors.Tensor(shape, st.floats(name)));
            }
            return new Tensors(file.toString(), out);
        }
    }
}
