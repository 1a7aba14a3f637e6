package dev.vitesse.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Markdown table and JSON for the end-to-end benchmark. */
final class Report {
    private Report() {}

    static final List<String> ENGINES = List.of("vitesse", "onnxruntime", "pytorch");

    static String cellLine(EndToEndBench.Cell c) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "  %s batch %d, %d thread(s):", c.model, c.batch, c.threads));
        for (String e : ENGINES) {
            double m = c.median(e);
            if (!Double.isNaN(m)) sb.append(String.format(Locale.ROOT, " %s %.1f ms", e, m));
        }
        Float err = c.maxRelErrVsOrt.get("vitesse");
        if (err != null) sb.append(String.format(Locale.ROOT, "; vitesse vs ORT max rel err %.1e", err));
        return sb.toString();
    }

    static String table(List<EndToEndBench.Cell> cells, Map<String, Object> meta) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Median latency per batch (ms) and images/s; %s rounds x %s timed passes per engine, "
                        + "engines alternating within each round. %s, %s CPUs, ONNX Runtime %s, PyTorch %s, JDK %s.%n%n",
                meta.get("rounds"), meta.get("iterations_per_round"), meta.get("cpu"), meta.get("cpus"),
                meta.get("onnxruntime"), meta.get("pytorch"), meta.get("java")));
        if (meta.get("fma_peak_before") != null)
            sb.append("Machine ceiling (").append(meta.get("fma_peak_before")).append("; after the run: ")
                    .append(meta.get("fma_peak_after")).append(").\n\n");
        sb.append("| model | batch | thr | Vitesse ms | ORT ms | PyTorch ms | Vitesse img/s | ORT img/s | PyTorch img/s "
                + "| Vitesse/ORT latency | Vitesse/PyTorch latency | max rel err vs ORT (Vitesse / PyTorch) |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (EndToEndBench.Cell c : cells) {
            double v = c.median("vitesse"), o = c.median("onnxruntime"), p = c.median("pytorch");
            sb.append(String.format(Locale.ROOT, "| %s | %d | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s / %s |%n",
                    c.model, c.batch, c.threads, ms(v), ms(o), ms(p), ips(v, c.batch), ips(o, c.batch), ips(p, c.batch),
                    ratio(v, o), ratio(v, p), err(c.maxRelErrVsOrt.get("vitesse")), err(c.maxRelErrVsOrt.get("pytorch"))));
        }
        @SuppressWarnings("unchecked")
        List<String> skipped = (List<String>) meta.get("skipped");
        for (String s : skipped) sb.append("\n").append(s);
        for (EndToEndBench.Cell c : cells) {
            for (var e : c.errors.entrySet()) {
                sb.append(String.format(Locale.ROOT, "%n%s batch %d threads %d: %s failed: %s", c.model, c.batch, c.threads, e.getKey(), e.getValue()));
            }
        }
        sb.append("\nRatios < 1 mean Vitesse is faster. Max rel err = max|y - y_ORT| / max|y_ORT| over all logits of the same input.\n");
        return sb.toString();
    }

    private static String ms(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String ips(double ms, int batch) {
        return Double.isNaN(ms) ? "-" : String.format(Locale.ROOT, "%.2f", batch * 1000.0 / ms);
    }

    private static String ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) ? "-" : String.format(Locale.ROOT, "%.2f", a / b);
    }

    private static String err(Float e) {
        return e == null ? "-" : String.format(Locale.ROOT, "%.1e", e);
    }

    static Map<String, Object> json(List<EndToEndBench.Cell> cells, Map<String, Object> meta) {
        Map<String, Object> root = new LinkedHashMap<>(meta);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (EndToEndBench.Cell c : cells) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("model", c.model);
            r.put("batch", c.batch);
            r.put("threads", c.threads);
            for (String e : ENGINES) {
                if (!c.samples.containsKey(e)) continue;
                Map<String, Object> m = new LinkedHashMap<>();
                double med = c.median(e);
                m.put("median_ms", med);
                m.put("images_per_s", c.batch * 1000.0 / med);
                m.put("samples_ms", c.samples.get(e));
                r.put(e, m);
            }
            double v = c.median("vitesse"), o = c.median("onnxruntime"), p = c.median("pytorch");
            if (!Double.isNaN(v) && !Double.isNaN(o)) r.put("vitesse_over_ort_latency", v / o);
            if (!Double.isNaN(v) && !Double.isNaN(p)) r.put("vitesse_over_pytorch_latency", v / p);
            r.put("max_rel_err_vs_ort", c.maxRelErrVsOrt);
            r.put("top1_agreement_vs_ort", c.top1AgreeVsOrt);
            if (!c.errors.isEmpty()) r.put("errors", c.errors);
            rows.add(r);
        }
        root.put("results", rows);
        return root;
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }
}
