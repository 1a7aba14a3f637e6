package dev.vitesse.bench.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vitesse.model.io.Npy;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * PyTorch in a separate, long-lived Python process (scripts/e2e/torch_worker.py, one JSON request/reply per
 * line). It stays idle (blocked on stdin) while the JVM engines are timed, so the engines never overlap.
 */
final class TorchEngine implements Engine {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Process process;
    private final BufferedWriter toWorker;
    private final BufferedReader fromWorker;
    private final Path scratch;
    private final Map<float[], Path> inputs = new IdentityHashMap<>();
    private String version = "?";

    TorchEngine(String python, Path worker, Path scratch, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(python, worker.toString());
        pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().remove("OPENBLAS_CORETYPE");
        pb.environment().remove("OPENBLAS_L2_SIZE");
        // Idle OpenMP threads sleep instead of spinning, so they do not steal the core OpenBLAS's own threads
        // need (torch 1.13 + OpenBLAS with both at 2 threads: 934 ms vs 291 ms for ViT-B on this VM).
        pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        this.process = pb.start();
        this.toWorker = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        this.fromWorker = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.scratch = scratch;
    }

    @Override
    public String name() {
        return "pytorch";
    }

    String version() {
        return version;
    }

    /** Builds the model in the worker from the exported folder. */
    void load(String arch, Path folder) throws IOException {
        ObjectNode req = JSON.createObjectNode().put("cmd", "load").put("name", arch).put("dir", folder.toString());
        version = request(req).path("torch").asText("?");
        inputs.clear();
    }

    @Override
    public Timing run(float[] input, int batch, int threads, int warmup, int iterations) throws IOException {
        Path in = inputs.get(input);
        if (in == null) {
            in = scratch.resolve("input-" + inputs.size() + ".npy");
            int side = (int) Math.round(Math.sqrt(input.length / batch / 3.0));
            Npy.write(in, input, batch, 3, side, side);
            inputs.put(input, in);
        }
        Path out = scratch.resolve("torch-out.npy");
        ObjectNode req = JSON.createObjectNode().put("cmd", "run").put("threads", threads).put("input", in.toString())
                .put("warmup", warmup).put("iterations", iterations).put("output", out.toString());
        JsonNode r = request(req);
        double[] ms = new double[r.get("ms").size()];
        for (int i = 0; i < ms.length; i++) ms[i] = r.get("ms").get(i).asDouble();
        double cores = r.path("cores_used").asDouble(Double.NaN);
        if (cores > threads + 0.25) // a library thread pool the worker could not cap: the comparison would be unfair
            System.err.printf("warning: PyTorch used %.2f cores with %d thread(s) requested%n", cores, threads);
        return new Timing(ms, Npy.read(out).data());
    }

    private JsonNode request(ObjectNode req) throws IOException {
        toWorker.write(JSON.writeValueAsString(req));
        toWorker.newLine();
        toWorker.flush();
        String line = fromWorker.readLine();
        if (line == null) throw new IOException("PyTorch worker exited (exit code " + waitExit() + "); see its log");
        JsonNode r = JSON.readTree(line);
        if (!r.path("ok").asBoolean()) throw new IOException("PyTorch worker: " + r.path("error").asText());
        return r;
    }

    private int waitExit() {
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            toWorker.write("{\"cmd\": \"quit\"}");
            toWorker.newLine();
            toWorker.flush();
        } catch (IOException ignored) {
            // already gone
        }
        waitExit();
        for (Path p : inputs.values()) Files.deleteIfExists(p);
    }
}
