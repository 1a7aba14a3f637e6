package dev.vitesse.bench.e2e;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * ONNX Runtime Java (CPU execution provider) in this JVM. One session per (batch, threads): the intra-op
 * thread count is fixed when a session is created. Sequential execution, inter-op 1 thread, all graph
 * optimisations: ORT's recommended setting for single-request latency.
 */
final class OrtEngine implements Engine {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final Path folder;
    private final Map<String, OrtSession> sessions = new HashMap<>();

    OrtEngine(Path folder) {
        this.folder = folder;
    }

    @Override
    public String name() {
        return "onnxruntime";
    }

    /** The ORT library version, for the report. */
    static String version() {
        return OrtEnvironment.getEnvironment().getVersion();
    }

    private OrtSession session(int batch, int threads) throws OrtException {
        String key = batch + "/" + threads;
        OrtSession s = sessions.get(key);
        if (s == null) {
            Path onnx = folder.resolve("model_b" + batch + ".onnx");
            if (!Files.exists(onnx)) throw new IllegalStateException(onnx + " missing (run scripts/e2e/export_models.py)");
            try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
                o.setIntraOpNumThreads(threads);
                o.setInterOpNumThreads(1);
                o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
                o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                s = env.createSession(onnx.toString(), o);
            }
            sessions.put(key, s);
        }
        return s;
    }

    @Override
    public Timing run(float[] input, int batch, int threads, int warmup, int iterations) throws Exception {
        OrtSession s = session(batch, threads);
        String inputName = s.getInputNames().iterator().next();
        FloatBuffer buf = ByteBuffer.allocateDirect(input.length * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        buf.put(input).flip();
        long[] shape = {batch, 3, input.length / batch / 3 / side(input.length / batch / 3), side(input.length / batch / 3)};
        float[] y = null;
        double[] ms = new double[iterations];
        try (OnnxTensor x = OnnxTensor.createTensor(env, buf, shape)) {
            Map<String, OnnxTensor> in = Map.of(inputName, x);
            for (int i = 0; i < warmup + iterations; i++) {
                long t0 = System.nanoTime();
                try (OrtSession.Result r = s.run(in)) {
                    double t = (System.nanoTime() - t0) / 1e6;
                    if (i >= warmup) ms[i - warmup] = t;
                    if (i == warmup + iterations - 1) y = flatten(r.get(0));
                }
            }
        }
        return new Timing(ms, y);
    }

    private static int side(int pixels) {
        int s = (int) Math.round(Math.sqrt(pixels));
        if (s * s != pixels) throw new IllegalArgumentException("input is not square: " + pixels + " pixels per channel");
        return s;
    }

    private static float[] flatten(OnnxValue v) {
        FloatBuffer fb = ((OnnxTensor) v).getFloatBuffer();
        float[] out = new float[fb.remaining()];
        fb.get(out);
        return out;
    }

    @Override
    public void close() throws OrtException {
        for (OrtSession s : sessions.values()) s.close();
        sessions.clear();
    }
}
