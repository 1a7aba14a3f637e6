package dev.vitesse.bench.e2e;

/** One inference engine under comparison (Vitesse, ONNX Runtime, PyTorch) for one model. */
interface Engine extends AutoCloseable {
    /** Short name used in tables and JSON. */
    String name();

    /**
     * Runs {@code warmup} untimed and {@code iterations} timed forward passes of {@code input} (NCHW, batch
     * images) on {@code threads} threads.
     *
     * @return per-pass milliseconds and the logits of the last pass
     */
    Timing run(float[] input, int batch, int threads, int warmup, int iterations) throws Exception;

    @Override
    default void close() throws Exception {}

    /** Milliseconds of each timed pass plus the last output. */
    record Timing(double[] ms, float[] logits) {}
}
