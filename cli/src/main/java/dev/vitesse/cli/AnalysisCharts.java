package dev.vitesse.cli;

import dev.vitesse.model.analysis.AnalysisCsv;
import dev.vitesse.model.analysis.BlockKind;
import dev.vitesse.model.analysis.FourierAnalysis;
import dev.vitesse.model.analysis.VarianceAnalysis;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** PNG plots of the analyses (XChart): value per block against normalised depth, blocks coloured by kind. */
final class AnalysisCharts {
    private AnalysisCharts() {}

    static final Map<BlockKind, Color> COLORS = new EnumMap<>(Map.of(
            BlockKind.ATTENTION, new Color(0xd6, 0x27, 0x28),   // red: MSA (the paper's grey bands)
            BlockKind.CONV, new Color(0x1f, 0x77, 0xb4),        // blue: convolution
            BlockKind.MLP, new Color(0x2c, 0xa0, 0x2c),         // green: channel MLP
            BlockKind.TOKEN_MLP, new Color(0x94, 0x67, 0xbd),   // purple: token-mixing MLP
            BlockKind.EMBEDDING, new Color(0x44, 0x44, 0x44)));

    /** Fig. 8: high-frequency relative log amplitude per block. */
    static void fourierByDepth(List<FourierAnalysis.BlockSpectrum> blocks, String title, Path png) throws IOException {
        List<Point> pts = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            var b = blocks.get(i);
            pts.add(new Point(AnalysisCsv.depth(i, blocks.size()), b.highFrequency(), b.kind()));
        }
        byDepth(pts, title, "\u0394 log amplitude (highest frequency)", png);
    }

    /** Fig. 9: feature-map variance per block. */
    static void varianceByDepth(List<VarianceAnalysis.BlockVariance> blocks, String title, Path png) throws IOException {
        List<Point> pts = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            var b = blocks.get(i);
            pts.add(new Point(AnalysisCsv.depth(i, blocks.size()), b.variance(), b.kind()));
        }
        byDepth(pts, title, "Feature map variance", png);
    }

    /** Fig. 2a: relative log amplitude against frequency, one line per block, darker = deeper. */
    static void fourierSpectra(List<FourierAnalysis.BlockSpectrum> blocks, String title, Path png) throws IOException {
        XYChart chart = new XYChartBuilder().width(640).height(520).title(title)
                .xAxisTitle("Frequency (\u00d7\u03c0)").yAxisTitle("\u0394 log amplitude").build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setMarkerSize(0);
        chart.getStyler().setXAxisDecimalPattern("0.0");
        int n = blocks.size();
        for (int i = 0; i < n; i++) {
            double[] d = blocks.get(i).deltaLogAmplitude();
            if (d.length < 2) continue;
            double[] f = new double[d.length];
            for (int k = 0; k < d.length; k++) f[k] = (double) k / (d.length - 1);
            XYSeries s = chart.addSeries(i + " " + blocks.get(i).name(), f, d);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineStyle(SeriesLines.SOLID);
            float t = n <= 1 ? 0f : (float) i / (n - 1);
            s.setLineColor(Color.getHSBColor(0.75f - 0.6f * t, 0.85f, 0.95f - 0.55f * t));
        }
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private record Point(double depth, double value, BlockKind kind) {}

    private static void byDepth(List<Point> pts, String title, String yTitle, Path png) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(500).title(title)
                .xAxisTitle("Normalized depth").yAxisTitle(yTitle).build();
        chart.getStyler().setMarkerSize(9);
        chart.getStyler().setXAxisDecimalPattern("0.0");
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setXAxisMax(1.0);
        double[] xs = pts.stream().mapToDouble(Point::depth).toArray();
        double[] ys = pts.stream().mapToDouble(Point::value).toArray();
        XYSeries line = chart.addSeries("all blocks", xs, ys);
        line.setMarker(SeriesMarkers.NONE);
        line.setLineColor(new Color(0xaa, 0xaa, 0xaa));
        line.setLineStyle(SeriesLines.SOLID);
        for (BlockKind k : BlockKind.values()) {
            List<Point> sel = pts.stream().filter(p -> p.kind() == k).toList();
            if (sel.isEmpty()) continue;
            XYSeries s = chart.addSeries(k.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '),
                    col(sel, Point::depth), col(sel, Point::value));
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setMarkerColor(COLORS.getOrDefault(k, Color.GRAY));
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        }
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static double[] col(List<Point> pts, ToDoubleFunction<Point> f) {
        return pts.stream().mapToDouble(f).toArray();
    }
}
