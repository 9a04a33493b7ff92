package dev.mambamixer.charts;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYShapeAnnotation;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.Align;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Charts of the vision model (ViM2): an input image with a token map laid over it (Δ or implicit
 * attention per scan direction; the colour scale is passed in, so several panels can share one),
 * the held-out confusion matrix, per-class accuracy, and image thumbnails. Plain arrays in,
 * JFreeChart / Java2D out.
 */
public final class VisionCharts {
    private VisionCharts() {}

    /** Opacity of the token map over the grey image. */
    public static final double OVERLAY_ALPHA = 0.6;

    /**
     * The image (H, W, C) in grey (channel mean, stretched to its own min..max), with the token map
     * (tokens rows × cols, covering the image evenly) in {@code scale}'s colours at {@code alpha};
     * {@code map} null: the image alone. Each image pixel becomes {@code zoom} × {@code zoom}
     * screen pixels (nearest neighbour: tokens stay crisp).
     */
    public static BufferedImage overlayImage(float[] pixels, int h, int w, int c, float[][] map, ColorMap scale,
                                             double alpha, int zoom) {
        float[] grey = grey(pixels, h, w, c);
        int tr = map == null ? 1 : map.length, tc = map == null ? 1 : map[0].length;
        BufferedImage img = new BufferedImage(w * zoom, h * zoom, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int g = Math.round(255 * grey[y * w + x]);
                int r = g, gg = g, b = g;
                if (map != null) {
                    float v = map[Math.min(tr - 1, y * tr / h)][Math.min(tc - 1, x * tc / w)];
                    if (Float.isFinite(v)) {
                        Color col = scale.color(v);
                        r = blend(g, col.getRed(), alpha);
                        gg = blend(g, col.getGreen(), alpha);
                        b = blend(g, col.getBlue(), alpha);
                    }
                }
                int rgb = (r << 16) | (gg << 8) | b;
                for (int dy = 0; dy < zoom; dy++)
                    for (int dx = 0; dx < zoom; dx++) img.setRGB(x * zoom + dx, y * zoom + dy, rgb);
            }
        return img;
    }

    private static int blend(int grey, int colour, double alpha) {
        return (int) Math.round((1 - alpha) * grey + alpha * colour);
    }

    /** Channel mean per pixel, stretched to [0, 1] over the image's own range. */
    static float[] grey(float[] pixels, int h, int w, int c) {
        if (pixels.length != h * w * c)
            throw new IllegalArgumentException("image has " + pixels.length + " values, expected " + h + "x" + w + "x" + c);
        float[] g = new float[h * w];
        float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
        for (int p = 0; p < h * w; p++) {
            float s = 0;
            for (int k = 0; k < c; k++) s += pixels[p * c + k];
            g[p] = s / c;
            min = Math.min(min, g[p]);
            max = Math.max(max, g[p]);
        }
        float span = max > min ? max - min : 1;
        for (int p = 0; p < g.length; p++) g[p] = (g[p] - min) / span;
        return g;
    }

    /**
     * One panel: the image with the token map over it, axes in token units (column j, row i; row 0
     * at the top), the query token outlined when {@code query} = {i, j} is given, and a horizontal
     * colour bar of {@code scale} labelled {@code valueLabel} below (null: no bar, e.g. the plain
     * input image). Token (i, j) covers x in [j, j+1], y in [i, i+1].
     */
    public static JFreeChart overlay(String title, float[] pixels, int h, int w, int c, float[][] map, int tokenRows,
                                     int tokenCols, ColorMap scale, String valueLabel, int[] query) {
        NumberAxis x = tokenAxis("token column j", tokenCols);
        NumberAxis y = tokenAxis("token row i", tokenRows);
        y.setInverted(true);
        XYPlot plot = new XYPlot(new XYSeriesCollection(), x, y, new XYLineAndShapeRenderer(false, false));
        int zoom = Math.max(1, 224 / Math.max(h, w));
        plot.setBackgroundImage(overlayImage(pixels, h, w, c, map, scale, OVERLAY_ALPHA, zoom));
        plot.setBackgroundImageAlignment(Align.FIT);
        plot.setBackgroundImageAlpha(1f);
        if (query != null) {
            XYShapeAnnotation outer = new XYShapeAnnotation(new Rectangle2D.Double(query[1], query[0], 1, 1),
                                                            new BasicStroke(3f), Color.WHITE);
            XYShapeAnnotation inner = new XYShapeAnnotation(new Rectangle2D.Double(query[1], query[0], 1, 1),
                                                            new BasicStroke(1.5f), new Color(0xD6, 0x27, 0x28));
            plot.addAnnotation(outer);
            plot.addAnnotation(inner);
        }
        JFreeChart chart = new JFreeChart(title, Theme.TITLE_FONT, plot, false);
        if (valueLabel != null && scale != null) {
            NumberAxis sa = new NumberAxis(valueLabel);
            sa.setRange(scale.getLowerBound(), scale.getUpperBound());
            sa.setTickUnit(Theme.tickUnit(scale.getLowerBound(), scale.getUpperBound(), 3));
            PaintScaleLegend legend = new PaintScaleLegend(scale, sa);
            legend.setPosition(RectangleEdge.BOTTOM);
            legend.setAxisLocation(AxisLocation.BOTTOM_OR_RIGHT);
            legend.setStripWidth(10);
            legend.setSubdivisionCount(128);
            legend.setMargin(new RectangleInsets(2, 24, 2, 24));   // room for the end tick labels
            legend.setStripOutlineVisible(false);
            chart.addSubtitle(legend);
        } else {
            // as tall as a colour bar, so this panel's plot lines up with the overlay panels beside it
            TextTitle note = new TextTitle("grey: pixel value (own range)",
                                           Theme.SUBTITLE_FONT.deriveFont(12f));
            note.setPosition(RectangleEdge.BOTTOM);
            note.setPadding(new RectangleInsets(14, 4, 16, 4));
            chart.addSubtitle(note);
        }
        Theme.apply(chart);
        chart.getTitle().setFont(Theme.TITLE_FONT.deriveFont(14f));
        plot.setBackgroundPaint(Color.BLACK);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        plot.setAxisOffset(RectangleInsets.ZERO_INSETS);
        return chart;
    }

    /**
     * Pads {@code chart} so that, drawn at width × height, its data area has the aspect ratio
     * {@code aspect} (width / height): images keep their shape whatever the panel's shape.
     * Measures one layout pass off screen.
     */
    public static void fitAspect(JFreeChart chart, int width, int height, double aspect) {
        RectangleInsets base = new RectangleInsets(6, 6, 6, 10);
        chart.setPadding(base);
        if (width < 60 || height < 60 || !(aspect > 0)) return;
        BufferedImage img = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = img.createGraphics();
        org.jfree.chart.ChartRenderingInfo info = new org.jfree.chart.ChartRenderingInfo();
        try {
            chart.draw(g, new Rectangle2D.Double(0, 0, width, height), info);
        } finally {
            g.dispose();
        }
        Rectangle2D a = info.getPlotInfo().getDataArea();
        if (a.getWidth() <= 1 || a.getHeight() <= 1) return;
        if (a.getWidth() > a.getHeight() * aspect) {
            double pad = (a.getWidth() - a.getHeight() * aspect) / 2;
            chart.setPadding(new RectangleInsets(base.getTop(), base.getLeft() + pad, base.getBottom(), base.getRight() + pad));
        } else {
            double pad = (a.getHeight() - a.getWidth() / aspect) / 2;
            chart.setPadding(new RectangleInsets(base.getTop() + pad, base.getLeft(), base.getBottom() + pad, base.getRight()));
        }
    }

    private static NumberAxis tokenAxis(String label, int n) {
        NumberAxis a = new NumberAxis(label);
        a.setRange(0, Math.max(1, n));
        a.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        a.setLabelFont(Theme.AXIS_LABEL_FONT.deriveFont(12f));
        return a;
    }

    /**
     * The token (i, j) under data coordinates (x, y) of an {@link #overlay} chart (x = column,
     * y = row), or null outside the grid.
     */
    public static int[] tokenAt(double x, double y, int tokenRows, int tokenCols) {
        if (!(x >= 0 && y >= 0 && x < tokenCols && y < tokenRows)) return null;
        return new int[] {(int) Math.floor(y), (int) Math.floor(x)};
    }

    /**
     * One colour scale for several maps: sequential viridis over [min, max] of all of them
     * (NaN ignored; a constant map gets a small range around its value).
     */
    public static ColorMap sharedScale(List<float[][]> maps) {
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (float[][] m : maps)
            for (float[] row : m)
                for (float v : row)
                    if (Float.isFinite(v)) {
                        min = Math.min(min, v);
                        max = Math.max(max, v);
                    }
        if (!Double.isFinite(min)) return ColorMap.sequential(0, 1);
        return ColorMap.sequential(min, max);
    }

    /**
     * The confusion matrix (rows = true class, columns = predicted) as a heatmap of image counts with
     * the counts printed, class names on both axes and one colour bar from 0 to the largest count.
     */
    public static Heatmap confusion(int[][] counts, List<String> classNames, String title) {
        int k = counts.length, max = 1;
        float[][] z = new float[k][k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) {
                z[i][j] = counts[i][j];
                max = Math.max(max, counts[i][j]);
            }
        return Heatmap.builder().title(title).xLabel("predicted class").yLabel("true class").valueLabel("images")
            .xTickLabels(classNames).yTickLabels(classNames).colorMap(ColorMap.Kind.SEQUENTIAL).bounds(0, max)
            .cellValues("%.0f").build(z);
    }

    /** Held-out accuracy per true class as bars on a 0–1 axis, the value printed on each bar. */
    public static JFreeChart perClassAccuracy(double[] accuracy, List<String> classNames, String title) {
        DefaultCategoryDataset ds = new DefaultCategoryDataset();
        for (int c = 0; c < accuracy.length; c++)
            ds.addValue(Double.isFinite(accuracy[c]) ? accuracy[c] : null, "accuracy",
                        c < classNames.size() ? classNames.get(c) : Integer.toString(c));
        CategoryAxis x = new CategoryAxis("true class");
        NumberAxis y = new NumberAxis("held-out accuracy");
        y.setRange(0, 1.15);   // room for the value printed above a bar at 1.0
        y.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(0.2, new java.text.DecimalFormat("0.0")));
        BarRenderer r = new BarRenderer();
        r.setBarPainter(new StandardBarPainter());
        r.setShadowVisible(false);
        r.setSeriesPaint(0, Theme.color(0));
        r.setDefaultItemLabelsVisible(true);
        r.setDefaultItemLabelGenerator(new org.jfree.chart.labels.StandardCategoryItemLabelGenerator(
                "{2}", new java.text.DecimalFormat("0.00")));
        r.setDefaultItemLabelFont(Theme.ANNOTATION_FONT);
        r.setMaximumBarWidth(0.08);
        CategoryPlot plot = new CategoryPlot(ds, x, y, r);
        plot.setOrientation(PlotOrientation.VERTICAL);
        JFreeChart chart = new JFreeChart(title, Theme.TITLE_FONT, plot, false);
        Theme.apply(chart);
        plot.setRangeGridlinePaint(Theme.GRID);
        x.setTickLabelFont(Theme.TICK_FONT);
        x.setLabelFont(Theme.AXIS_LABEL_FONT);
        y.setTickLabelFont(Theme.TICK_FONT);
        y.setLabelFont(Theme.AXIS_LABEL_FONT);
        return chart;
    }

    /** A grey thumbnail of an image, each pixel {@code zoom} × {@code zoom}. */
    public static BufferedImage thumbnail(float[] pixels, int h, int w, int c, int zoom) {
        return overlayImage(pixels, h, w, c, null, null, 0, zoom);
    }

    /** "true → predicted (p)" for a wrongly classified image. */
    public static String mistakeLabel(String trueClass, String predicted, double confidence) {
        return String.format(Locale.ROOT, "%s → %s (%.2f)", trueClass, predicted, confidence);
    }

    /** A subtitle line in the theme's font. */
    public static void subtitle(JFreeChart chart, String text) {
        TextTitle t = new TextTitle(text, Theme.SUBTITLE_FONT.deriveFont(Font.PLAIN, 12f));
        t.setPaint(Theme.TEXT);
        chart.addSubtitle(0, t);
    }
}
