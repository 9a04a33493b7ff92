package dev.mambamixer.charts;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.IntervalXYDataset;
import org.jfree.data.xy.XYDataset;
import org.jfree.data.xy.XYZDataset;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * Off-screen output of charts: PNG images (works with {@code java.awt.headless=true}) and the
 * plotted data as CSV.
 *
 * <p>CSV layout, one row per data item: {@code dataset,series,x,y} plus {@code z} when some
 * dataset is an XYZ dataset (heatmaps) and {@code low,high} when some dataset carries y intervals
 * (percentile bands). {@code dataset} numbers the chart's XY datasets in plot order (subplots of
 * a combined plot in turn). Numbers are written with {@link Double#toString}, so they read back
 * exactly; missing values are {@code NaN}, absent columns empty. A {@link CurveChart}'s series are
 * written in full (every appended point, raw and smoothed), not thinned as drawn.
 */
public final class ChartImages {
    private ChartImages() {}

    /** Renders the chart into a new ARGB image of w × h pixels. */
    public static BufferedImage toImage(JFreeChart chart, int w, int h) { return toImage(chart, w, h, null); }

    /**
     * As {@link #toImage(JFreeChart, int, int)}, also filling {@code info} with where things were
     * drawn (the plot's data area), so pixels on the image can be mapped back to data; {@code info} may be null.
     */
    public static BufferedImage toImage(JFreeChart chart, int w, int h, org.jfree.chart.ChartRenderingInfo info) {
        if (w <= 0 || h <= 0) throw new IllegalArgumentException("image size must be positive, got " + w + "x" + h);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            chart.draw(g, new Rectangle2D.Double(0, 0, w, h), info);
        } finally {
            g.dispose();
        }
        return img;
    }

    /** Writes the chart as a w × h PNG (parent folders are created). */
    public static void writePng(JFreeChart chart, int w, int h, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        try (OutputStream out = Files.newOutputStream(file)) {
            writePng(chart, w, h, out);
        }
    }

    /** Writes the chart as PNG bytes to a stream (e.g. a notebook display buffer). */
    public static void writePng(JFreeChart chart, int w, int h, OutputStream out) throws IOException {
        if (!ImageIO.write(toImage(chart, w, h), "png", out)) throw new IOException("no PNG writer available");
    }

    /** The chart as PNG bytes. */
    public static byte[] pngBytes(JFreeChart chart, int w, int h) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            writePng(chart, w, h, out);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes every XY dataset of the chart (all subplots) as CSV. */
    public static void writeCsv(JFreeChart chart, Path file) throws IOException {
        writeCsv(datasets(chart.getPlot()), file);
    }

    /** Writes one dataset as CSV. */
    public static void writeCsv(XYDataset dataset, Path file) throws IOException {
        writeCsv(List.of(dataset), file);
    }

    /** Writes datasets as CSV (see the class comment for the columns). */
    public static void writeCsv(List<? extends XYDataset> datasets, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            writeCsv(datasets, w);
        }
    }

    /** Writes datasets as CSV to a writer (not closed). */
    public static void writeCsv(List<? extends XYDataset> datasets, Writer w) throws IOException {
        boolean anyZ = false, anyInterval = false;
        for (XYDataset d : datasets) {
            anyZ |= d instanceof XYZDataset;
            anyInterval |= isYInterval(d);
        }
        w.write("dataset,series,x,y" + (anyZ ? ",z" : "") + (anyInterval ? ",low,high" : "") + "\n");
        for (int di = 0; di < datasets.size(); di++) {
            XYDataset d = datasets.get(di);
            for (int s = 0; s < d.getSeriesCount(); s++) {
                String key = quote(String.valueOf(d.getSeriesKey(s)));
                // Curve charts draw long series thinned; the file gets every point.
                CurveData.Dataset full = d instanceof CurveData.Dataset c ? c : null;
                int items = full != null ? full.fullCount(s) : d.getItemCount(s);
                for (int i = 0; i < items; i++) {
                    StringBuilder row = new StringBuilder();
                    row.append(di).append(',').append(key).append(',')
                       .append(full != null ? full.fullX(s, i) : d.getXValue(s, i)).append(',')
                       .append(full != null ? full.fullY(s, i) : d.getYValue(s, i));
                    if (anyZ) row.append(',').append(d instanceof XYZDataset z ? Double.toString(z.getZValue(s, i)) : "");
                    if (anyInterval) {
                        if (isYInterval(d)) {
                            IntervalXYDataset iv = (IntervalXYDataset) d;
                            row.append(',').append(iv.getStartYValue(s, i)).append(',').append(iv.getEndYValue(s, i));
                        } else {
                            row.append(",,");
                        }
                    }
                    w.write(row.append('\n').toString());
                }
            }
        }
    }

    /** Datasets whose y interval means something (bands), not XY series that merely implement the interface. */
    private static boolean isYInterval(XYDataset d) { return d instanceof YIntervalSeriesCollection; }

    /** Every non-null XY dataset of a plot, subplots included, in drawing-index order. */
    public static List<XYDataset> datasets(Plot plot) {
        List<XYDataset> out = new ArrayList<>();
        if (plot instanceof CombinedDomainXYPlot c) {
            for (XYPlot sub : c.getSubplots()) out.addAll(datasets(sub));
        } else if (plot instanceof XYPlot xy) {
            for (int i = 0; i < xy.getDatasetCount(); i++) if (xy.getDataset(i) != null) out.add(xy.getDataset(i));
        }
        return out;
    }

    private static String quote(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0) return s;
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
