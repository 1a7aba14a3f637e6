package dev.vitesse.kernels;

import jdk.incubator.vector.FloatVector;

/**
 * The element-wise non-linearity of a transformer MLP, as applied by a GEMM epilogue
 * ({@link Epilogue#withActivation}). The math lives in {@link Gelu}; vector and scalar forms give the same bits.
 */
public enum Activation {
    /** Exact (erf) GELU, PyTorch's {@code nn.GELU()}: {@link Gelu#gelu}. */
    GELU,
    /** GELU's tanh approximation, {@code nn.GELU(approximate='tanh')} (timm {@code gelu_tanh}): {@link Gelu#geluTanh}. */
    GELU_TANH,
    /** {@code x * sigmoid(1.702 x)}, OpenAI CLIP's QuickGELU (timm {@code quick_gelu}): {@link Gelu#quickGelu}. */
    QUICK_GELU;

    /** Lane-wise; small enough to inline into the callers' loops (a vector passed to a call that is not inlined is boxed). */
    public FloatVector apply(FloatVector x) {
        return this == GELU ? Gelu.gelu(x) : this == GELU_TANH ? Gelu.geluTanh(x) : Gelu.quickGelu(x);
    }

    /** Scalar, the same formula as the vector form. */
    public float apply(float x) {
        return this == GELU ? Gelu.gelu(x) : this == GELU_TANH ? Gelu.geluTanh(x) : Gelu.quickGelu(x);
    }

    /** The name timm and this library's configs use: {@code gelu}, {@code gelu_tanh}, {@code quick_gelu}. */
    public String timmName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
