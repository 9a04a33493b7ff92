package dev.mambamixer.charts;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.awt.geom.Rectangle2D;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.annotations.XYShapeAnnotation;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYZDataset;

/**
 * A matrix {@code z[row][col]} as a JFreeChart heatmap: column index on the x axis (left → right),
 * row index on the y axis (row 0 at the top, like a printed matrix), one block per cell coloured
 * by a {@link ColorMap} with a titled colour legend on the right. NaN cells are left empty (the
 * plot background shows). Tooltips give (row, column, value).
 *
 * <p>The object stays bound to its chart: {@link #setData} replaces the matrix (and, unless fixed
 * bounds were given, the colour scale) and the chart redraws itself.
 *
 * <pre>{@code
 * Heatmap h = Heatmap.builder().title("Δ").xLabel("position").yLabel("channel").valueLabel("Δ")
 *                    .marks(List.of(new Heatmap.Mark(3, "remember", Color.RED))).build(z);
 * JFreeChart chart = h.chart();   ... h.setData(z2);
 * }</pre>
 */
public final class Heatmap {
    /** A highlighted column (a position), e.g. a token to remember, drawn as an outlined band with a label. */
    public record Mark(double position, String label, Color color) {
        public Mark {
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(color, "color");
        }
    }

    /** Beyond this many names an axis shows numbers (names would overprint); tooltips keep the names. */
    static final int MAX_NAMED_TICKS = 40;

    private final Builder options;
    private final DefaultXYZDataset dataset = new DefaultXYZDataset();
    private final XYBlockRenderer renderer = new XYBlockRenderer();
    private final XYPlot plot;
    private final JFreeChart chart;
    private final PaintScaleLegend legend;
    private final List<XYTextAnnotation> cellTexts = new ArrayList<>();
    private final List<XYShapeAnnotation> outlines = new ArrayList<>();
    private final LegendItemCollection keys = new LegendItemCollection();
    private LegendTitle keyLegend;
    private float[][] raw, data;                 // as set, and as coloured (after the colour scale)
    private ColourScale scale = ColourScale.LINEAR;
    private TextTitle rangeNote;                  // shown while the colour scale spans a narrow range
    private ColorMap colorMap;

    private Heatmap(Builder o, float[][] z) {
        this.options = o;
        NumberAxis x = axis(o.xLabel, o.xTickLabels);
        NumberAxis y = axis(o.yLabel, o.yTickLabels);
        y.setInverted(true);   // row 0 at the top
        renderer.setBlockAnchor(RectangleAnchor.CENTER);
        renderer.setBlockWidth(1);
        renderer.setBlockHeight(1);
        renderer.setDefaultToolTipGenerator((ds, series, item) -> tooltip((XYZDataset) ds, series, item));
        plot = new XYPlot(dataset, x, y, renderer);
        chart = new JFreeChart(o.title, Theme.TITLE_FONT, plot, false);
        if (o.subtitle != null && !o.subtitle.isEmpty()) chart.addSubtitle(new TextTitle(o.subtitle));
        NumberAxis scaleAxis = new NumberAxis(o.valueLabel);
        scaleAxis.setAutoRangeIncludesZero(false);
        legend = new PaintScaleLegend(ColorMap.sequential(0, 1), scaleAxis);
        legend.setPosition(RectangleEdge.RIGHT);
        legend.setAxisLocation(AxisLocation.BOTTOM_OR_RIGHT);
        legend.setStripWidth(14);
        legend.setSubdivisionCount(256);
        legend.setMargin(new RectangleInsets(4, 10, 4, 4));
        legend.setStripOutlineVisible(false);
        chart.addSubtitle(legend);
        for (Mark m : o.marks) addMark(m);
        if (o.valueLabel.length() <= 3) scaleAxis.setLabelAngle(-Math.PI / 2);   // short symbols read upright
        restyle();
        setData(z);
    }

    private static NumberAxis axis(String label, String[] ticks) {
        NumberAxis a;
        if (ticks != null && ticks.length <= MAX_NAMED_TICKS) {
            SymbolAxis s = new SymbolAxis(label, ticks);
            s.setGridBandsVisible(false);
            a = s;
        } else {
            a = new NumberAxis(label);
            a.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        }
        a.setAutoRange(false);
        a.setLowerMargin(0);
        a.setUpperMargin(0);
        return a;
    }

    /**
     * Highlights one more column: an outlined band in the mark's colour. Its label goes into the
     * key under the plot (once per label), not onto the band, where neighbouring labels and the
     * top rows would overprint each other.
     */
    public void addMark(Mark m) {
        IntervalMarker band = new IntervalMarker(m.position() - 0.5, m.position() + 0.5);
        band.setPaint(Theme.withAlpha(m.color(), 0.10));
        band.setOutlinePaint(m.color());
        band.setOutlineStroke(new BasicStroke(2f));
        plot.addDomainMarker(band, Layer.FOREGROUND);
        if (!m.label().isEmpty())
            addKey(m.label(), m.color(), new java.awt.geom.Rectangle2D.Double(-5, -5, 10, 10), true);
    }

    /** The theme, then what a heatmap does differently. Call after adding titles. */
    public void restyle() {
        Theme.apply(chart);
        chart.setAntiAlias(false);   // anti-aliased blocks leave light seams between cells
        plot.setBackgroundPaint(Theme.HEATMAP_BACKGROUND);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
    }

    public static Builder builder() { return new Builder(); }

    /**
     * Values whose colour scale spans less than this fraction of their magnitude get a note under
     * the title: colours then stretch differences of a few percent over the whole palette.
     */
    public static final double NARROW_RANGE = 0.05;

    /** Replaces the matrix (rows may change size); the colour scale follows the data unless fixed. */
    public void setData(float[][] z) {
        int rows = z.length, cols = rows == 0 ? 0 : z[0].length;
        for (float[] r : z)
            if (r.length != cols) throw new IllegalArgumentException("heatmap rows differ in length: " + r.length + " vs " + cols);
        float[][] copy = new float[rows][];
        for (int i = 0; i < rows; i++) copy[i] = z[i].clone();
        float[][] shown = scale.apply(copy);
        // (rows, cols) -> three flat arrays of rows*cols, index k = row*cols + col
        double[] xs = new double[rows * cols], ys = new double[rows * cols], zs = new double[rows * cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) {
                int k = r * cols + c;
                xs[k] = c;
                ys[k] = r;
                zs[k] = shown[r][c];
            }
        boolean notify = chart.isNotify();
        chart.setNotify(false);
        try {
            raw = copy;
            data = shown;
            colorMap = colourMapFor(shown);
            renderer.setPaintScale(colorMap);
            legend.setScale(colorMap);
            legend.getAxis().setRange(colorMap.getLowerBound(), colorMap.getUpperBound());
            ((NumberAxis) legend.getAxis()).setTickUnit(Theme.tickUnit(colorMap.getLowerBound(), colorMap.getUpperBound(), 8));
            plot.getDomainAxis().setRange(-0.5, Math.max(cols, 1) - 0.5);
            plot.getRangeAxis().setRange(-0.5, Math.max(rows, 1) - 0.5);
            if (dataset.getSeriesCount() > 0) dataset.removeSeries(dataset.getSeriesKey(0));
            dataset.addSeries(options.valueLabel, new double[][] {xs, ys, zs});
            updateCellTexts();
            updateRangeNote();
        } finally {
            chart.setNotify(notify);
        }
    }

    /** Fixed bounds apply to linear colours; log colours follow the data; row-scaled ones span [0, 1] (or ±1). */
    private ColorMap colourMapFor(float[][] shown) {
        if (scale == ColourScale.LOG) return ColorMap.forData(shown, ColorMap.Kind.SEQUENTIAL);
        if (scale == ColourScale.ROWS) {
            ColorMap m = ColorMap.forData(shown, options.kind);
            return m.kind() == ColorMap.Kind.DIVERGING ? ColorMap.diverging(1) : ColorMap.sequential(0, 1);
        }
        if (options.fixedLower != null)
            return options.kind == ColorMap.Kind.DIVERGING || options.kind == ColorMap.Kind.AUTO && options.fixedLower < 0
                   ? ColorMap.diverging(Math.max(Math.abs(options.fixedLower), Math.abs(options.fixedUpper)))
                   : ColorMap.sequential(options.fixedLower, options.fixedUpper);
        return ColorMap.forData(shown, options.kind);
    }

    private void updateRangeNote() {
        String note = narrowRangeNote();
        if (rangeNote != null && (note == null || !note.equals(rangeNote.getText()))) {
            chart.removeSubtitle(rangeNote);
            rangeNote = null;
        }
        if (note != null && rangeNote == null) {
            rangeNote = new TextTitle(note, Theme.ANNOTATION_FONT.deriveFont(java.awt.Font.BOLD));
            rangeNote.setPaint(new Color(0xB0, 0x4A, 0x00));
            chart.addSubtitle(rangeNote);
        }
    }

    /**
     * A warning when the linear colour scale spans less than {@link #NARROW_RANGE} of the values'
     * magnitude (e.g. 0.0210–0.0220), or null.
     */
    public String narrowRangeNote() {
        if (scale != ColourScale.LINEAR || colorMap.kind() == ColorMap.Kind.DIVERGING) return null;
        double lo = colorMap.getLowerBound(), hi = colorMap.getUpperBound(), big = Math.max(Math.abs(lo), Math.abs(hi));
        if (!(hi > lo) || !(hi - lo < NARROW_RANGE * big)) return null;
        return String.format(Locale.ROOT, "narrow range: all colours lie within %s (%.1f %% of the largest value) — "
                             + "small differences look large", ColourScale.range(lo, hi), 100 * (hi - lo) / big);
    }

    /** Colours by {@code s} from now on (the legend's title says how); the values stay as set. */
    public void setColourScale(ColourScale s) {
        scale = Objects.requireNonNull(s);
        legend.getAxis().setLabel(s.valueLabel(options.valueLabel));
        setData(raw);
    }

    public ColourScale colourScale() { return scale; }

    /** Fixes the linear colour bounds (e.g. one scale for panels that are compared) and redraws. */
    public void setBounds(double lower, double upper) {
        options.bounds(lower, upper);
        setData(raw);
    }

    /**
     * One linear colour scale for all of {@code maps} (the union of their ranges; diverging maps
     * ±the largest |value|), so panels shown side by side compare by colour.
     */
    public static void shareScale(List<Heatmap> maps) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (Heatmap h : maps) {
            for (float[] row : h.raw)
                for (float v : row)
                    if (Float.isFinite(v)) {
                        lo = Math.min(lo, v);
                        hi = Math.max(hi, v);
                    }
        }
        if (!(hi >= lo)) return;   // no finite value anywhere
        for (Heatmap h : maps) h.setBounds(lo, hi == lo ? lo + Math.max(1e-12, Math.abs(lo) * 1e-6) : hi);
    }

    private void updateCellTexts() {
        for (XYTextAnnotation a : cellTexts) plot.removeAnnotation(a, false);
        cellTexts.clear();
        if (options.cellFormat == null) return;
        for (int r = 0; r < data.length; r++)
            for (int c = 0; c < data[r].length; c++) {
                float v = data[r][c];
                if (Float.isNaN(v)) continue;
                String text = String.format(Locale.ROOT, options.cellFormat, v);
                if (text.matches("-0(\\.0*)?")) text = text.substring(1);   // -0.00 reads as a sign error
                XYTextAnnotation t = new XYTextAnnotation(text, c, r);
                t.setFont(Theme.ANNOTATION_FONT);
                Color cell = colorMap.color(v);
                double luminance = 0.299 * cell.getRed() + 0.587 * cell.getGreen() + 0.114 * cell.getBlue();
                t.setPaint(luminance < 140 ? Color.WHITE : Color.BLACK);
                t.setTextAnchor(TextAnchor.CENTER);
                cellTexts.add(t);
                plot.addAnnotation(t, false);
            }
    }

    /** Outlines one cell (e.g. a marked position of one example, or the identity initialisation). */
    public void outlineCell(int row, int col, Color color) { outlineCell(row, col, color, new BasicStroke(2f)); }

    /** Outlines one cell with a given stroke (dashed for a "ghost" outline). */
    public void outlineCell(int row, int col, Color color, java.awt.Stroke stroke) {
        double inset = 0.06;   // keeps neighbouring outlines apart
        XYShapeAnnotation a = new XYShapeAnnotation(
            new Rectangle2D.Double(col - 0.5 + inset, row - 0.5 + inset, 1 - 2 * inset, 1 - 2 * inset), stroke, color, null);
        outlines.add(a);
        outlineStrokes.put(color, stroke);   // the key shows the same stroke
        plot.addAnnotation(a);
    }

    private final java.util.Map<Color, java.awt.Stroke> outlineStrokes = new java.util.HashMap<>();

    private java.awt.Stroke outlineStroke(Color c) { return outlineStrokes.getOrDefault(c, new BasicStroke(2f)); }

    /** Removes every cell outline. */
    public void clearOutlines() {
        for (XYShapeAnnotation a : outlines) plot.removeAnnotation(a, false);
        outlines.clear();
        chart.fireChartChanged();
    }

    /** Adds an entry to a key under the plot (e.g. what outline colours mean); shown once per label. */
    public void addKey(String label, Color color, java.awt.Shape shape, boolean outlineOnly) {
        for (int i = 0; i < keys.getItemCount(); i++) if (keys.get(i).getLabel().equals(label)) return;
        LegendItem item = outlineOnly
            ? new LegendItem(label, null, null, null, true, shape, false, Theme.withAlpha(color, 0), true, color,
                             outlineStroke(color), false, shape, new BasicStroke(1f), color)
            : new LegendItem(label, color);
        item.setLabelFont(Theme.LEGEND_FONT);
        keys.add(item);
        if (keyLegend == null) {
            keyLegend = new LegendTitle(() -> keys);
            keyLegend.setPosition(RectangleEdge.BOTTOM);
            chart.addSubtitle(keyLegend);
            restyle();
        }
        chart.fireChartChanged();
    }

    private String tooltip(XYZDataset ds, int series, int item) {
        int col = (int) Math.round(ds.getXValue(series, item)), row = (int) Math.round(ds.getYValue(series, item));
        return name(options.yLabel, options.yTickLabels, row) + ", " + name(options.xLabel, options.xTickLabels, col) + ": "
               + options.valueLabel + " = " + String.format(Locale.ROOT, "%.4g", raw[row][col])
               + (scale == ColourScale.LINEAR ? "" : String.format(Locale.ROOT, " (%s: %.4g)", scale.label, ds.getZValue(series, item)))
               + (options.tooltipSuffix == null ? "" : options.tooltipSuffix.label(row, col));
    }

    private static String name(String axisLabel, String[] ticks, int i) {
        if (ticks != null && i >= 0 && i < ticks.length) return ticks[i];
        return (axisLabel == null || axisLabel.isEmpty() ? "index" : axisLabel) + " " + i;
    }

    /** The chart (the same object after every {@link #setData}). */
    public JFreeChart chart() { return chart; }
    public XYPlot plot() { return plot; }
    /** One series (key = value label) of rows·cols items: x = column, y = row, z = value. */
    public XYZDataset dataset() { return dataset; }
    public ColorMap colorMap() { return colorMap; }
    public PaintScaleLegend legend() { return legend; }
    public int rows() { return data.length; }
    public int cols() { return data.length == 0 ? 0 : data[0].length; }
    /** Value at (row, col) as coloured (after the colour scale; as set for LINEAR). */
    public float value(int row, int col) { return data[row][col]; }
    /** Value at (row, col) as set. */
    public float rawValue(int row, int col) { return raw[row][col]; }

    /** Extra tooltip text for a cell, e.g. the paper's symbol of an averaging weight. */
    @FunctionalInterface
    public interface CellLabel { String label(int row, int col); }

    /** Heatmap options; {@link #build} makes the chart. */
    public static final class Builder {
        private String title = "", subtitle, xLabel = "column", yLabel = "row", valueLabel = "value";
        private String[] xTickLabels, yTickLabels;
        private ColorMap.Kind kind = ColorMap.Kind.AUTO;
        private Double fixedLower, fixedUpper;
        private List<Mark> marks = List.of();
        private String cellFormat;
        private CellLabel tooltipSuffix;

        private Builder() {}

        public Builder title(String t) { title = t; return this; }
        public Builder subtitle(String s) { subtitle = s; return this; }
        /** Label of the x axis (columns), e.g. "position". */
        public Builder xLabel(String s) { xLabel = s; return this; }
        /** Label of the y axis (rows), e.g. "channel". */
        public Builder yLabel(String s) { yLabel = s; return this; }
        /** Title of the colour legend and series key, e.g. "Δ". */
        public Builder valueLabel(String s) { valueLabel = s; return this; }
        /** Names for the columns (instead of 0, 1, ...). */
        public Builder xTickLabels(List<String> names) { xTickLabels = names == null ? null : names.toArray(String[]::new); return this; }
        /** Names for the rows. */
        public Builder yTickLabels(List<String> names) { yTickLabels = names == null ? null : names.toArray(String[]::new); return this; }
        public Builder colorMap(ColorMap.Kind k) { kind = Objects.requireNonNull(k); return this; }
        /** Fixed colour bounds (kept across {@link Heatmap#setData}); for DIVERGING ±max(|lower|, |upper|). */
        public Builder bounds(double lower, double upper) { fixedLower = lower; fixedUpper = upper; return this; }
        public Builder marks(List<Mark> m) { marks = List.copyOf(m); return this; }
        /** Prints each finite cell's value with this format (e.g. "%.2f"); for small matrices. */
        public Builder cellValues(String format) { cellFormat = format; return this; }
        /** Extra tooltip text per cell. */
        public Builder tooltipSuffix(CellLabel l) { tooltipSuffix = l; return this; }

        public Heatmap build(float[][] z) { return new Heatmap(this, z); }
    }
}
