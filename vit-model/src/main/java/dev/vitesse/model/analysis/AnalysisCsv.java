package dev.vitesse.model.analysis;

import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.Locale;

/** CSV output of the analyses (one header line, comma separated, '.' decimals, block names quoted if needed). */
public final class AnalysisCsv {
    private AnalysisCsv() {}

    /** Normalised depth of block {@code index} among {@code count} blocks (the notebooks' x axis). */
    public static double depth(int index, int count) {
        return count <= 1 ? 0.0 : (double) index / (count - 1);
    }

    /**
     * Long format: one row per block and frequency;
     * {@code frequency} is in units of pi (0 = DC, 1 = the highest frequency on the diagonal).
     */
    public static void writeFourier(List<FourierAnalysis.BlockSpectrum> blocks, Writer out) throws IOException {
        out.write("index,name,kind,normalized_depth,height,width,images,frequency,delta_log_amplitude\n");
        int n = blocks.size();
        for (int b = 0; b < n; b++) {
            var s = blocks.get(b);
            double[] d = s.deltaLogAmplitude();
            for (int k = 0; k < d.length; k++) {
                double f = d.length == 1 ? 0.0 : (double) k / (d.length - 1);
                out.write(String.format(Locale.ROOT, "%d,%s,%s,%.6f,%d,%d,%d,%.6f,%.8g%n", s.index(), quote(s.name()),
                        s.kind(), depth(b, n), s.height(), s.width(), s.images(), f, d[k]));
            }
        }
    }

    public static void writeVariance(List<VarianceAnalysis.BlockVariance> blocks, Writer out) throws IOException {
        out.write("index,name,kind,normalized_depth,channels,height,width,images,variance\n");
        int n = blocks.size();
        for (int b = 0; b < n; b++) {
            var v = blocks.get(b);
            out.write(String.format(Locale.ROOT, "%d,%s,%s,%.6f,%d,%d,%d,%d,%.8g%n", v.index(), quote(v.name()), v.kind(),
                    depth(b, n), v.channels(), v.height(), v.width(), v.images(), v.variance()));
        }
    }

    private static String quote(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
