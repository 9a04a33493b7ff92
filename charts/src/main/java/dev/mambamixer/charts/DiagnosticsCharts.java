package dev.mambamixer.charts;

import dev.mambamixer.engine.introspect.ModelCapture;
import dev.mambamixer.engine.introspect.Stats;
import java.awt.Color;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/** Training-health charts: update:parameter ratios and Δ percentile bands over training. */
public final class DiagnosticsCharts {
    private DiagnosticsCharts() {}

    /** Karpathy's rule of thumb: updates about 1e-3 of the parameter norm. */
    public static final double RATIO_GUIDE_LOG10 = -3;

    /**
     * The update:parameter ratio ‖Δθ‖/‖θ‖ of each parameter group over steps, drawn as log10 on a
     * linear axis with a dashed guideline at −3. Non-positive or non-finite ratios are gaps.
     *
     * @param ratioByGroup group name → one ratio per step (same length as {@code steps})
     */
    public static JFreeChart updateRatios(double[] steps, Map<String, double[]> ratioByGroup) {
        XYSeriesCollection ds = new XYSeriesCollection();
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, steps.length < 30);
        r.setDrawSeriesLineAsPath(true);
        int i = 0;
        for (Map.Entry<String, double[]> e : ratioByGroup.entrySet()) {
            double[] v = e.getValue();
            if (v.length != steps.length)
                throw new IllegalArgumentException(e.getKey() + ": " + v.length + " ratios for " + steps.length + " steps");
            XYSeries s = new XYSeries(e.getKey(), false, true);
            for (int k = 0; k < v.length; k++)
                s.add(steps[k], v[k] > 0 && Double.isFinite(v[k]) ? Math.log10(v[k]) : Double.NaN, false);
            ds.addSeries(s);
            r.setSeriesPaint(i, Theme.color(i));
            r.setSeriesStroke(i, Theme.LINE);
            i++;
        }
        NumberAxis x = new NumberAxis("step");
        x.setAutoRangeIncludesZero(false);
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        NumberAxis y = new NumberAxis("log10(update / parameter)");
        y.setAutoRangeIncludesZero(false);
        XYPlot plot = new XYPlot(ds, x, y, r);
        ValueMarker guide = new ValueMarker(RATIO_GUIDE_LOG10, Color.DARK_GRAY, Theme.DASHED);
        guide.setLabel("1e-3");
        guide.setLabelFont(Theme.ANNOTATION_FONT);
        guide.setLabelAnchor(RectangleAnchor.TOP_LEFT);
        guide.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
        guide.setLabelBackgroundColor(Theme.withAlpha(Color.WHITE, 0.8));
        plot.addRangeMarker(guide, Layer.BACKGROUND);
        includeInRange(y, ds, RATIO_GUIDE_LOG10);
        JFreeChart chart = new JFreeChart("Update : parameter ratio", Theme.TITLE_FONT, plot, true);
        chart.addSubtitle(0, new TextTitle("‖Δθ‖ / ‖θ‖ per parameter group; dashed line at 10⁻³"));
        chart.getLegend().setPosition(RectangleEdge.BOTTOM);
        return Theme.apply(chart);
    }

    /** Widens an auto-ranged axis so that the guideline value is always visible. */
    private static void includeInRange(NumberAxis y, XYSeriesCollection ds, double v) {
        double lo = v, hi = v;
        for (int s = 0; s < ds.getSeriesCount(); s++)
            for (int k = 0; k < ds.getItemCount(s); k++) {
                double yv = ds.getYValue(s, k);
                if (Double.isFinite(yv)) { lo = Math.min(lo, yv); hi = Math.max(hi, yv); }
            }
        double pad = Math.max(0.1, 0.05 * (hi - lo));
        y.setRange(lo - pad, hi + pad);
    }

    /**
     * Δ percentile bands over training: for each layer a p5–p95 band and a median line.
     *
     * @param statsByLayer layer name → one {@link Stats} per step (same length as {@code steps})
     * @param logY         log10 y axis (Δ spans orders of magnitude)
     */
    public static JFreeChart deltaBands(double[] steps, Map<String, List<Stats>> statsByLayer, boolean logY) {
        YIntervalSeriesCollection ds = new YIntervalSeriesCollection();
        DeviationRenderer r = new DeviationRenderer(true, steps.length < 30);
        r.setAlpha(0.12f);
        r.setDrawSeriesLineAsPath(true);
        int i = 0;
        for (Map.Entry<String, List<Stats>> e : statsByLayer.entrySet()) {
            List<Stats> st = e.getValue();
            if (st.size() != steps.length)
                throw new IllegalArgumentException(e.getKey() + ": " + st.size() + " stats for " + steps.length + " steps");
            YIntervalSeries s = new YIntervalSeries(e.getKey(), false, true);
            for (int k = 0; k < st.size(); k++) s.add(new org.jfree.data.xy.YIntervalDataItem(steps[k], st.get(k).p50(), st.get(k).p5(), st.get(k).p95()), false);
            ds.addSeries(s);
            r.setSeriesPaint(i, Theme.color(i));
            r.setSeriesFillPaint(i, Theme.color(i));
            r.setSeriesStroke(i, Theme.LINE);
            r.setSeriesShape(i, new java.awt.geom.Ellipse2D.Double(-2.5, -2.5, 5, 5));
            i++;
        }
        NumberAxis x = new NumberAxis("step");
        x.setAutoRangeIncludesZero(false);
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        ValueAxis y;
        if (logY) {
            y = new NiceLogAxis("Δ");
        } else {
            NumberAxis ny = new NumberAxis("Δ");
            ny.setAutoRangeIncludesZero(false);
            y = ny;
        }
        XYPlot plot = new XYPlot(ds, x, y, r);
        JFreeChart chart = new JFreeChart("Δ over training", Theme.TITLE_FONT, plot, true);
        chart.addSubtitle(0, new TextTitle("median line and p5–p95 band of Δ per scan"));
        chart.getLegend().setPosition(RectangleEdge.BOTTOM);
        return Theme.apply(chart);
    }

    /**
     * Δ bands from captures taken during training (e.g. {@code RunHistory} snapshots), one series
     * per mixer and direction ("blocks.0.variate backward"), x = each capture's step.
     */
    public static JFreeChart deltaBands(List<ModelCapture> captures, boolean logY) {
        double[] steps = new double[captures.size()];
        Map<String, List<Stats>> byLayer = new LinkedHashMap<>();
        for (int k = 0; k < captures.size(); k++) {
            ModelCapture c = captures.get(k);
            steps[k] = c.step();
            for (ModelCapture.LayerStats ls : c.layerStats())
                byLayer.computeIfAbsent(ls.mixer() + " " + ls.direction(), n -> new java.util.ArrayList<>()).add(ls.delta());
        }
        for (Map.Entry<String, List<Stats>> e : byLayer.entrySet())
            if (e.getValue().size() != steps.length)
                throw new IllegalArgumentException("captures differ in their layers: " + e.getKey() + " appears in "
                                                   + e.getValue().size() + " of " + steps.length);
        return deltaBands(steps, byLayer, logY);
    }
}
