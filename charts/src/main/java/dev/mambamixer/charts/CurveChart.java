package dev.mambamixer.charts;

import dev.mambamixer.engine.introspect.RunHistory;
import dev.mambamixer.engine.train.TrainingListener.EpochEvent;
import dev.mambamixer.engine.train.TrainingListener.StepEvent;
import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.text.DecimalFormat;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

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
 * Not thread-safe: call it on the thread that paints the chart (the FX thread in the UI).
 */
public final class CurveChart {
    private static final double RAW_ALPHA = 0.25;

    private final XYSeriesCollection smoothedData = new XYSeriesCollection();
    private final XYSeriesCollection rawData = new XYSeriesCollection();
    private final XYSeriesCollection secondaryData = new XYSeriesCollection();
    private final XYLineAndShapeRenderer smoothedRenderer = new XYLineAndShapeRenderer(true, false);
    private final XYLineAndShapeRenderer rawRenderer = new XYLineAndShapeRenderer(true, false);
    private final XYLineAndShapeRenderer secondaryRenderer = new XYLineAndShapeRenderer(true, false);
    private final Map<String, Curve> curves = new LinkedHashMap<>();
    private final Map<String, Curve> secondaryCurves = new LinkedHashMap<>();
    private final XYPlot plot;
    private final JFreeChart chart;
    private final String yLabel;
    private String secondaryLabel = "learning rate";
    private double smoothing;
    private boolean logScale;

    /** Raw points of one series plus its drawn series (and faded raw series when smoothed). */
    private static final class Curve {
        final boolean smoothed;
        final XYSeries drawn, faded;
        double[] x = new double[64], y = new double[64];
        int n;
        Ema ema;

        Curve(String name, boolean smoothed, double weight) {
            this.smoothed = smoothed;
            drawn = new XYSeries(name, false, true);   // appends stay O(1): no sorting
            faded = new XYSeries(name + " (raw)", false, true);
            ema = new Ema(weight);
        }

        void add(double xv, double yv) {
            if (n == x.length) {
                x = Arrays.copyOf(x, 2 * n);
                y = Arrays.copyOf(y, 2 * n);
            }
            x[n] = xv;
            y[n++] = yv;
        }
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
        smoothedRenderer.setAutoPopulateSeriesPaint(false);
        smoothedRenderer.setAutoPopulateSeriesStroke(false);
        smoothedRenderer.setDefaultStroke(Theme.LINE);
        rawRenderer.setAutoPopulateSeriesPaint(false);
        rawRenderer.setAutoPopulateSeriesStroke(false);
        rawRenderer.setDefaultStroke(Theme.THIN_LINE);
        rawRenderer.setDefaultSeriesVisibleInLegend(false);
        secondaryRenderer.setAutoPopulateSeriesPaint(false);
        secondaryRenderer.setAutoPopulateSeriesStroke(false);
        secondaryRenderer.setDefaultStroke(Theme.DASHED);
        // One path per series: dashes run on across points, and joins are smooth.
        smoothedRenderer.setDrawSeriesLineAsPath(true);
        rawRenderer.setDrawSeriesLineAsPath(true);
        secondaryRenderer.setDrawSeriesLineAsPath(true);
        plot = new XYPlot(smoothedData, x, valueAxis(yLabel, false), smoothedRenderer);
        // Dataset 0 is drawn last (on top): smoothed over raw.
        plot.setDataset(1, rawData);
        plot.setRenderer(1, rawRenderer);
        chart = new JFreeChart(title, Theme.TITLE_FONT, plot, true);
        LegendTitle legend = chart.getLegend();
        legend.setPosition(RectangleEdge.BOTTOM);
        Theme.apply(chart);
    }

    private static ValueAxis valueAxis(String label, boolean log) {
        if (log) {
            return new NiceLogAxis(label);
        }
        NumberAxis a = new NumberAxis(label);
        a.setAutoRangeIncludesZero(false);
        return a;
    }

    /** Adds a smoothed series if it does not exist yet (fixes its colour and legend order). */
    public CurveChart addSeries(String name) { return addSeries(name, true); }

    /** Adds a series; {@code smoothed = false} draws its raw points as a line with markers. */
    public CurveChart addSeries(String name, boolean smoothed) {
        if (curves.containsKey(name)) return this;
        Curve c = new Curve(name, smoothed, smoothing);
        int i = curves.size();
        curves.put(name, c);
        Color color = Theme.color(i);
        smoothedRenderer.setSeriesPaint(i, color);
        smoothedRenderer.setSeriesStroke(i, Theme.LINE);
        smoothedRenderer.setSeriesShapesVisible(i, !smoothed);
        smoothedRenderer.setSeriesShape(i, new Ellipse2D.Double(-3.5, -3.5, 7, 7));
        rawRenderer.setSeriesPaint(i, Theme.withAlpha(color, RAW_ALPHA));
        rawRenderer.setSeriesStroke(i, Theme.THIN_LINE);
        smoothedData.addSeries(c.drawn);
        rawData.addSeries(c.faded);   // empty for an unsmoothed series; keeps indices aligned with colours
        return this;
    }

    /** Appends one raw point (adds a smoothed series of that name if needed) and redraws. */
    public void append(String series, double x, double y) {
        addSeries(series);
        Curve c = curves.get(series);
        c.add(x, y);
        addDrawn(c, x, y, true);
    }

    /** Appends many points with one redraw. */
    public void appendAll(String series, double[] x, double[] y) {
        if (x.length != y.length) throw new IllegalArgumentException("x has " + x.length + " values, y " + y.length);
        addSeries(series);
        Curve c = curves.get(series);
        for (int i = 0; i < x.length; i++) {
            c.add(x[i], y[i]);
            addDrawn(c, x[i], y[i], false);
        }
        c.drawn.fireSeriesChanged();
        c.faded.fireSeriesChanged();
    }

    /** Replaces a series' points. */
    public void setData(String series, double[] x, double[] y) {
        addSeries(series);
        Curve c = curves.get(series);
        c.n = 0;
        c.ema.reset();
        c.drawn.clear();
        c.faded.clear();
        appendAll(series, x, y);
    }

    private void addDrawn(Curve c, double x, double y, boolean notify) {
        if (c.smoothed) {
            c.faded.add(x, shown(y), notify);
            c.drawn.add(x, shown(c.ema.next(y)), notify);
        } else {
            c.drawn.add(x, shown(y), notify);
        }
    }

    /** What is drawn for a value: NaN (a gap) where the log axis cannot show it. */
    private double shown(double v) { return logScale && !(v > 0) ? Double.NaN : v; }

    /** Appends a point to a right-axis series (e.g. "learning rate"), drawn dashed, not smoothed. */
    public void appendSecondary(String series, double x, double y) {
        secondaryCurve(series).drawn.add(x, y);
    }

    /** Replaces a right-axis series. */
    public void setSecondaryData(String series, double[] x, double[] y) {
        Curve c = secondaryCurve(series);
        c.drawn.clear();
        for (int i = 0; i < x.length; i++) c.drawn.add(x[i], y[i], false);
        c.drawn.fireSeriesChanged();
    }

    /** Label of the right axis (default "learning rate"). */
    public void setSecondaryLabel(String label) {
        secondaryLabel = label;
        if (plot.getRangeAxis(1) != null) plot.getRangeAxis(1).setLabel(label);
    }

    private Curve secondaryCurve(String series) {
        Curve c = secondaryCurves.get(series);
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
        c = new Curve(series, false, 0);
        int i = secondaryCurves.size();
        secondaryCurves.put(series, c);
        secondaryRenderer.setSeriesPaint(i, i == 0 ? Color.GRAY : Theme.color(7 - i));
        secondaryRenderer.setSeriesStroke(i, Theme.DASHED);
        secondaryData.addSeries(c.drawn);
        return c;
    }

    /** Smoothing weight in [0, 1) (0 = raw); re-smooths every series from its raw points. */
    public void setSmoothing(double weight) {
        Ema.checkWeight(weight);
        smoothing = weight;
        rebuild();
    }

    public double smoothing() { return smoothing; }

    /** Switches the y axis between linear and log10 (values ≤ 0 are then hidden). */
    public void setLogScale(boolean log) {
        if (log == logScale) return;
        logScale = log;
        ValueAxis a = valueAxis(yLabel, log);
        plot.setRangeAxis(0, a);
        Theme.apply(chart);
        rebuild();
    }

    public boolean logScale() { return logScale; }

    private void rebuild() {
        boolean notify = chart.isNotify();
        chart.setNotify(false);
        try {
            for (Curve c : curves.values()) {
                c.ema = new Ema(smoothing);
                c.drawn.clear();
                c.faded.clear();
                for (int i = 0; i < c.n; i++) addDrawn(c, c.x[i], c.y[i], false);
                c.drawn.fireSeriesChanged();
                c.faded.fireSeriesChanged();
            }
        } finally {
            chart.setNotify(notify);
        }
    }

    /** Removes every point (series, colours and settings stay). */
    public void clear() {
        for (Curve c : curves.values()) {
            c.n = 0;
            c.ema.reset();
            c.drawn.clear();
            c.faded.clear();
        }
        for (Curve c : secondaryCurves.values()) c.drawn.clear();
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
        Curve c = curves.get(series);
        return c == null ? 0 : c.n;
    }

    /** The raw values of a series, as appended. */
    public double[] rawY(String series) {
        Curve c = curves.get(series);
        return c == null ? new double[0] : Arrays.copyOf(c.y, c.n);
    }

    public JFreeChart chart() { return chart; }
    public XYPlot plot() { return plot; }
    /** Drawn (smoothed, or raw for unsmoothed series) values, one series per name. */
    public XYSeriesCollection drawnData() { return smoothedData; }
    /** The faded raw curves (same order; empty for unsmoothed series). */
    public XYSeriesCollection rawData() { return rawData; }
    /** Right-axis series. */
    public XYSeriesCollection secondaryData() { return secondaryData; }

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
        c.smoothedRenderer.setSeriesShapesVisible(0, false);
        ((NumberAxis) c.plot.getRangeAxis()).setNumberFormatOverride(Theme.scientificFormat());
        c.appendAll("learning rate", x, lr);
        c.chart.removeLegend();
        return c.chart;
    }
}
