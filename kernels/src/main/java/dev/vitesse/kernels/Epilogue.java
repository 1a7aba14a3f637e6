package dev.vitesse.kernels;

/**
 * What {@link PackedMatrix#multiply} does with each accumulated output element before it reaches C,
 * applied on the register tile / hot C tile instead of as extra passes over memory.
 *
 * <p>For output element (i, j) with accumulator {@code acc = sum_p X[i][p] * W[j][p]}:
 * <pre>
 *   v = alpha * acc + bias[j]        (bias optional)
 *   v = act(v)                       (optional {@link Activation}: exact GELU, its tanh approximation, or
 *                                     QuickGELU)
 *   v = v * gamma[j]                 (optional column scale, e.g. LayerScale)
 *   C[i][j] = v                      or, with {@link #accumulate()}, C[i][j] += v (residual add)
 * </pre>
 *
 * <p>Immutable: every {@code withX} returns a new instance. The bias and gamma arrays are referenced,
 * not copied; their length must equal the multiplied matrix's {@code n} (checked by {@code multiply}).
 *
 * <pre>{@code
 * Epilogue fc1 = Epilogue.NONE.withBias(b1).withGelu();                       // h = gelu(x W1^T + b1)
 * Epilogue fc2 = Epilogue.NONE.withBias(b2).withColumnScale(ls).accumulate(); // x += ls * (h W2^T + b2)
 * }</pre>
 */
public final class Epilogue {
    /** Plain product: {@code C = X * W^T}. */
    public static final Epilogue NONE = new Epilogue(1f, null, null, null, false);

    private final float alpha;
    private final float[] bias;
    private final Activation activation;   // null: none
    private final float[] columnScale;
    private final boolean accumulate;

    private Epilogue(float alpha, float[] bias, Activation activation, float[] columnScale, boolean accumulate) {
        this.alpha = alpha;
        this.bias = bias;
        this.activation = activation;
        this.columnScale = columnScale;
        this.accumulate = accumulate;
    }

    /** Adds {@code bias[j]} to output column j (after alpha). */
    public Epilogue withBias(float[] bias) {
        if (bias == null) throw new IllegalArgumentException("bias must not be null");
        return new Epilogue(alpha, bias, activation, columnScale, accumulate);
    }

    /** Applies exact (erf) GELU after the bias: {@code withActivation(Activation.GELU)}. */
    public Epilogue withGelu() {
        return withActivation(Activation.GELU);
    }

    /** Applies {@code activation} after the bias (replacing any activation set before). */
    public Epilogue withActivation(Activation activation) {
        if (activation == null) throw new IllegalArgumentException("activation must not be null");
        return new Epilogue(alpha, bias, activation, columnScale, accumulate);
    }

    /** Multiplies output column j by {@code gamma[j]} after the activation (LayerScale). */
    public Epilogue withColumnScale(float[] gamma) {
        if (gamma == null) throw new IllegalArgumentException("gamma (column scale) must not be null");
        return new Epilogue(alpha, bias, activation, gamma, accumulate);
    }

    /** Scales the accumulator by {@code alpha} before the bias. */
    public Epilogue withAlpha(float alpha) {
        return new Epilogue(alpha, bias, activation, columnScale, accumulate);
    }

    /** Adds the result to C ({@code C += v}, e.g. a residual connection) instead of overwriting it. */
    public Epilogue accumulate() {
        return new Epilogue(alpha, bias, activation, columnScale, true);
    }

    /** The accumulator scale (1 unless {@link #withAlpha} was used). */
    public float alpha() { return alpha; }

    /** The per-column bias, or null. */
    public float[] bias() { return bias; }

    /** The activation applied after the bias, or null. */
    public Activation activation() { return activation; }

    /** The per-column scale applied after the activation, or null. */
    public float[] columnScale() { return columnScale; }

    /** Whether the result is added to C instead of stored. */
    public boolean accumulates() { return accumulate; }

    /** Checks the per-column arrays against the output width {@code n}. */
    void checkColumns(int n) {
        if (bias != null && bias.length != n)
            throw new IllegalArgumentException("epilogue bias length must equal n=" + n + ", found " + bias.length);
        if (columnScale != null && columnScale.length != n)
            throw new IllegalArgumentException("epilogue columnScale (gamma) length must equal n=" + n + ", found " + columnScale.length);
    }

    @Override
    public String toString() {
        return "Epilogue[alpha=" + alpha + (bias != null ? ", bias" : "") + (activation != null ? ", " + activation.timmName() : "")
                + (columnScale != null ? ", columnScale" : "") + (accumulate ? ", accumulate" : "") + "]";
    }

    static Epilogue requireNonNull(Epilogue e) {
        if (e == null) throw new IllegalArgumentException("epilogue must not be null (use Epilogue.NONE)");
        return e;
    }
}
