package dev.mambamixer.charts;

import dev.mambamixer.engine.introspect.RunHistory;
import dev.mambamixer.engine.train.TrainingListener.EpochEvent;
import dev.mambamixer.engine.train.TrainingListener.StepEvent;
import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.XYDataset;

/**
 * Training curves that stay live: several named series over x (step or wall seconds), each drawn
 * as its TensorBoard-smoothed line ({@link Ema}) with the raw curve faded behind it in the same
 * colour. {@link #append} adds one point in O(1) (the UI calls it as events arrive);
 * {@link #setSmoothing} and {@link #setLogScale} re-derive the drawn values from the kept raw
 * data. A series added with {@code smoothed = false} (e.g. validation MSE: few points) is drawn as
 * points joined by a line, without a faded copy. Optional second y axis on the right
 * ({@link #appendSecondary}) for the learning rate, drawn dashed and never smoothed.
 *
 * <p>On a log scale, values ≤ 0 (and smoothed values ≤ 0) are not drawn; the raw data is kept.
 * Appends cost O(1) and a redraw draws at most about 2000 points per series however long the run
 * ({@link #drawnData}). Not thread-safe: call it on the thread that paints the chart (the FX
 * thread in the UI).
 */
public final class CurveChart {
    private static final double RAW_ALPHA = 0.25;

    private final CurveData.Dataset drawnData = new CurveData.Dataset(false);
    private final CurveData.Dataset rawData = new CurveData.Dataset(true);
    private final CurveData.Dataset secondaryData = new CurveData.Dataset(false);
    private final XYLineAndShapeRenderer drawnRenderer = renderer(Theme.LINE);
    private final XYLineAndShapeRenderer rawRenderer = renderer(Theme.THIN_LINE);
    private final XYLineAndShapeRenderer secondaryRenderer = renderer(Theme.DASHED);
    private final Map<String, CurveData.Curve> curves = new LinkedHashMap<>();
    private final Map<String, CurveData.Curve> secondaryCurves = new LinkedHashMap<>();
    private final XYPlot plot;
    private final JFreeChart chart;
    private final String yLabel;
    private String secondaryLabel = "learning rate";
    private double smoothing;
    private boolean logScale;

    private static XYLineAndShapeRenderer renderer(java.awt.Stroke stroke) {
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        r.setAutoPopulateSeriesPaint(false);
        r.setAutoPopulateSeriesStroke(false);
        r.setDefaultStroke(stroke);
        // One path per series: dashes run on across points, and joins are smooth.
        r.setDrawSeriesLineAsPath(true);
        // Bounds from the dataset's cache (RangeInfo) instead of a scan of every item per change.
        r.setDataBoundsIncludesVisibleSeriesOnly(false);
        return r;
    }

    /**
     * @param title  chart title
     * @param xLabel x axis label, e.g. "step" or "wall time (s)"
     * @param yLabel y axis label, e.g. "loss (MSE)"
     */
    public CurveChart(String title, String xLabel, String yLabel) {
        this.yLabel = yLabel;
        NumberAxis x = new NumberAxis(xLabel);
        x.setAutoRangeIncludesZero(false);
        rawRenderer.setDefaultSeriesVisibleInLegend(false);
        plot = new XYPlot(drawnData, x, valueAxis(yLabel, false), drawnRenderer);
        // Dataset 0 is drawn last (on top): smoothed over raw.
        plot.setDataset(1, rawData);
        plot.setRenderer(1, rawRenderer);
        chart = new JFreeChart(title, Theme.TITLE_FONT, plot, true);
        LegendTitle legend = chart.getLegend();
        legend.setPosition(RectangleEdge.BOTTOM);
        Theme.apply(chart);
    }

    private static ValueAxis valueAxis(String label, boolean log) {
        if (log) return new NiceLogAxis(label);
        NumberAxis a = new SteadyAxis(label);
        a.setAutoRangeIncludesZero(false);
        return a;
    }

    /**
     * A linear axis whose automatic range is never narrower than {@link #MIN_RELATIVE_SPAN} of its
     * values: a first point or a flat line would otherwise get a range of 1e-8 and ticks that all
     * read "1.496336E0".
     */
    static final class SteadyAxis extends NumberAxis {
        static final double MIN_RELATIVE_SPAN = 0.02;

        SteadyAxis(String label) { super(label); }

        @Override protected void autoAdjustRange() {
            super.autoAdjustRange();
            org.jfree.data.Range r = getRange();
            double big = Math.max(Math.abs(r.getLowerBound()), Math.abs(r.getUpperBound())), min = MIN_RELATIVE_SPAN * big;
            if (isAutoRange() && big > 0 && r.getLength() < min)
                setRange(new org.jfree.data.Range(r.getCentralValue() - min / 2, r.getCentralValue() + min / 2), false, false);
        }
    }

    /** Adds a smoothed series if it does not exist yet (fixes its colour and legend order). */
    public CurveChart addSeries(String name) { return addSeries(name, true); }

    /** Adds a series; {@code smoothed = false} draws its raw points as a line with markers. */
    public CurveChart addSeries(String name, boolean smoothed) {
        if (curves.containsKey(name)) return this;
        CurveData.Curve c = new CurveData.Curve(name, smoothed, smoothing);
        int i = curves.size();
        curves.put(name, c);
        Color color = Theme.color(i);
        drawnRenderer.setSeriesPaint(i, color);
        drawnRenderer.setSeriesStroke(i, Theme.LINE);
        drawnRenderer.setSeriesShapesVisible(i, !smoothed);
        drawnRenderer.setSeriesShape(i, new Ellipse2D.Double(-3.5, -3.5, 7, 7));
        rawRenderer.setSeriesPaint(i, Theme.withAlpha(color, RAW_ALPHA));
        rawRenderer.setSeriesStroke(i, Theme.THIN_LINE);
        drawnData.add(c);
        rawData.add(c);   // no raw items for an unsmoothed series; keeps indices aligned with colours
        changed();
        return this;
    }

    /** Appends one raw point (adds a smoothed series of that name if needed) and redraws. O(1). */
    public void append(String series, double x, double y) {
        addSeries(series);
        curves.get(series).add(x, y);
        changed();
    }

    /** Appends many points with one redraw. */
    public void appendAll(String series, double[] x, double[] y) {
        if (x.length != y.length) throw new IllegalArgumentException("x has " + x.length + " values, y " + y.length);
        addSeries(series);
        CurveData.Curve c = curves.get(series);
        for (int i = 0; i < x.length; i++) c.add(x[i], y[i]);
        changed();
    }

    /** Replaces a series' points. */
    public void setData(String series, double[] x, double[] y) {
        if (x.length != y.length) throw new IllegalArgumentException("x has " + x.length + " values, y " + y.length);
        addSeries(series);
        CurveData.Curve c = curves.get(series);
        c.clear();
        for (int i = 0; i < x.length; i++) c.add(x[i], y[i]);
        changed();
    }

    private void changed() {
        drawnData.changed();
        rawData.changed();
    }

    /** Appends a point to a right-axis series (e.g. "learning rate"), drawn dashed, not smoothed. */
    public void appendSecondary(String series, double x, double y) {
        secondaryCurve(series).add(x, y);
        secondaryData.changed();
    }

    /** Appends many points to a right-axis series with one redraw. */
    public void appendSecondaryAll(String series, double[] x, double[] y) {
        if (x.length != y.length) throw new IllegalArgumentException("x has " + x.length + " values, y " + y.length);
        CurveData.Curve c = secondaryCurve(series);
        for (int i = 0; i < x.length; i++) c.add(x[i], y[i]);
        secondaryData.changed();
    }

    /** Replaces a right-axis series. */
    public void setSecondaryData(String series, double[] x, double[] y) {
        if (x.length != y.length) throw new IllegalArgumentException("x has " + x.length + " values, y " + y.length);
        CurveData.Curve c = secondaryCurve(series);
        c.clear();
        for (int i = 0; i < x.length; i++) c.add(x[i], y[i]);
        secondaryData.changed();
    }

    /** Draws a right-axis series' points as markers too (for sparse series such as one value per epoch). */
    public void setSecondaryShapes(String series, boolean shapes) {
        secondaryCurve(series);
        int i = new ArrayList<>(secondaryCurves.keySet()).indexOf(series);
        secondaryRenderer.setSeriesShapesVisible(i, shapes);
        secondaryRenderer.setSeriesShape(i, new java.awt.geom.Ellipse2D.Double(-4, -4, 8, 8));
        secondaryRenderer.setSeriesStroke(i, Theme.LINE);
        secondaryRenderer.setSeriesPaint(i, Theme.color(1));
    }

    /** Label of the right axis (default "learning rate"). */
    public void setSecondaryLabel(String label) {
        secondaryLabel = label;
        if (plot.getRangeAxis(1) != null) plot.getRangeAxis(1).setLabel(label);
    }

    private CurveData.Curve secondaryCurve(String series) {
        CurveData.Curve c = secondaryCurves.get(series);
        if (c != null) return c;
        if (secondaryCurves.isEmpty()) {
            NumberAxis right = new NumberAxis(secondaryLabel);
            right.setAutoRangeIncludesZero(true);
            right.setNumberFormatOverride(Theme.scientificFormat());
            plot.setRangeAxis(1, right);
            plot.setRangeAxisLocation(1, AxisLocation.BOTTOM_OR_RIGHT);
            plot.setDataset(2, secondaryData);
            plot.setRenderer(2, secondaryRenderer);
            plot.mapDatasetToRangeAxis(2, 1);
            Theme.apply(chart);
        }
        c = new CurveData.Curve(series, false, 0);
        int i = secondaryCurves.size();
        secondaryCurves.put(series, c);
        secondaryRenderer.setSeriesPaint(i, i == 0 ? Color.GRAY : Theme.color(9 - i));
        secondaryRenderer.setSeriesStroke(i, Theme.DASHED);
        secondaryData.add(c);
        return c;
    }

    /** Smoothing weight in [0, 1) (0 = raw); re-smooths every series from its raw points. */
    public void setSmoothing(double weight) {
        Ema.checkWeight(weight);
        smoothing = weight;
        for (CurveData.Curve c : curves.values()) c.resmooth(weight);
        changed();
    }

    public double smoothing() { return smoothing; }

    /** Switches the y axis between linear and log10 (values ≤ 0 are then hidden, not lost). */
    public void setLogScale(boolean log) {
        if (log == logScale) return;
        logScale = log;
        drawnData.setLog(log);
        rawData.setLog(log);
        plot.setRangeAxis(0, valueAxis(yLabel, log));
        Theme.apply(chart);
        changed();
    }

    public boolean logScale() { return logScale; }

    /** Removes every point (series, colours and settings stay). */
    public void clear() {
        for (CurveData.Curve c : curves.values()) c.clear();
        for (CurveData.Curve c : secondaryCurves.values()) c.clear();
        changed();
        secondaryData.changed();
    }

    /** Adds a subtitle line under the title (e.g. the run name). */
    public void setSubtitle(String text) {
        chart.clearSubtitles();
        if (text != null && !text.isEmpty()) chart.addSubtitle(new TextTitle(text));
        LegendTitle legend = new LegendTitle(plot);
        legend.setPosition(RectangleEdge.BOTTOM);
        chart.addSubtitle(legend);
        Theme.apply(chart);
    }

    /** Number of raw points of a series (0 if unknown). */
    public int size(String series) {
        CurveData.Curve c = curves.get(series);
        return c == null ? 0 : c.n;
    }

    /** The raw values of a series, as appended. */
    public double[] rawY(String series) {
        CurveData.Curve c = curves.get(series);
        return c == null ? new double[0] : Arrays.copyOf(c.y, c.n);
    }

    /** The smoothed values of a series (the raw values for an unsmoothed one), one per raw point. */
    public double[] smoothedY(String series) {
        CurveData.Curve c = curves.get(series);
        return c == null ? new double[0] : Arrays.copyOf(c.s, c.n);
    }

    public JFreeChart chart() { return chart; }
    public XYPlot plot() { return plot; }
    /**
     * The drawn lines (smoothed, or raw for unsmoothed series), one series per name. Up to
     * {@value CurveData#MAX_BUCKETS} points per series are drawn as they are; longer series are
     * thinned to the last point of each bucket of k.
     */
    public XYDataset drawnData() { return drawnData; }
    /** The faded raw curves (same order; empty for unsmoothed series); long series keep each bucket's min and max. */
    public XYDataset rawData() { return rawData; }
    /** Right-axis series. */
    public XYDataset secondaryData() { return secondaryData; }

    // ------------------------------------------------------------------ ready-made charts

    /**
     * A finished or running training run: train loss per step (smoothed) and validation MSE / MAE
     * (points), over steps or wall seconds, with the learning rate on a right axis.
     */
    public static CurveChart training(RunHistory run, boolean wallTime, double smoothing) {
        CurveChart c = new CurveChart("Training", wallTime ? "wall time (s)" : "step", "loss (MSE, standardised)");
        c.setSmoothing(smoothing);
        int n = run.steps().size();
        double[] x = new double[n], loss = new double[n], lr = new double[n];
        for (int i = 0; i < n; i++) {
            StepEvent e = run.steps().get(i);
            x[i] = wallTime ? e.wallSeconds() : e.step();
            loss[i] = e.loss();
            lr[i] = e.lr();
        }
        c.addSeries("train loss", true);
        c.addSeries("val MSE", false);
        c.addSeries("val MAE", false);
        c.appendAll("train loss", x, loss);
        for (EpochEvent e : run.validations()) {
            double xv = wallTime ? e.wallSeconds() : e.step();
            c.append("val MSE", xv, e.valMse());
            c.append("val MAE", xv, e.valMae());
        }
        if (n > 0) c.setSecondaryData("learning rate", x, lr);
        c.setSubtitle(run.runDir().getFileName() + (run.finished() ? ", " + run.finishReason() : ", running"));
        return c;
    }

    /** The learning rate alone over steps (a schedule preview). */
    public static JFreeChart learningRate(double[] x, double[] lr, String xLabel) {
        CurveChart c = new CurveChart("Learning rate", xLabel, "learning rate");
        c.addSeries("learning rate", false);
        c.drawnRenderer.setSeriesShapesVisible(0, false);
        ((NumberAxis) c.plot.getRangeAxis()).setNumberFormatOverride(Theme.scientificFormat());
        c.appendAll("learning rate", x, lr);
        c.chart.removeLegend();
        return c.chart;
    }
}
