package dev.vitesse.model.io;

/** safetensors element types. All are validated; F32, F16 and BF16 can be read as floats. */
public enum DType {
    BOOL(1), U8(1), I8(1), F8_E4M3(1), F8_E5M2(1), I16(2), U16(2), F16(2), BF16(2), I32(4), U32(4), F32(4),
    F64(8), I64(8), U64(8);

    /** Bytes per element. */
    public final int size;

    DType(int size) {
        this.size = size;
    }

    /** True for the dtypes {@link SafeTensors#floats} converts. */
    public boolean isFloatReadable() {
        return this == F32 || this == F16 || this == BF16;
    }

    /** Parses a safetensors dtype string; null if unknown. */
    static DType parse(String s) {
        for (DType d : values()) {
            if (d.name().equals(s)) return d;
        }
        return null;
    }
}
