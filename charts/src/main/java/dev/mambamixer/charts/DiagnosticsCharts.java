package dev.mambamixer.charts;

import dev.mambamixer.engine.introspect.ModelCapture;
import dev.mambamixer.engine.introspect.Stats;
import dev.mambamixer.engine.train.TrainingListener.GroupRatio;
import dev.mambamixer.engine.train.TrainingListener.UpdateRatioEvent;
import java.awt.Color;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.title.LegendTitle;
import org.jfree.data.xy.YIntervalDataItem;
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
     * @param ratioByGroup group name → one ratio (not log) per step (same length as {@code steps})
     */
    public static JFreeChart updateRatios(double[] steps, Map<String, double[]> ratioByGroup) {
        UpdateRatioChart c = new UpdateRatioChart();
        for (Map.Entry<String, double[]> e : ratioByGroup.entrySet()) {
            double[] v = e.getValue();
            if (v.length != steps.length)
                throw new IllegalArgumentException(e.getKey() + ": " + v.length + " ratios for " + steps.length + " steps");
            for (int k = 0; k < v.length; k++)
                c.append(e.getKey(), steps[k], v[k] > 0 && Double.isFinite(v[k]) ? Math.log10(v[k]) : Double.NaN, false);
        }
        c.refresh();
        return c.chart();
    }

    /** The same from the trainer's events ({@code RunHistory.updateRatios()} or live ones). */
    public static JFreeChart updateRatios(List<UpdateRatioEvent> events) {
        UpdateRatioChart c = new UpdateRatioChart();
        for (UpdateRatioEvent e : events) c.append(e, false);
        c.refresh();
        return c.chart();
    }

    /**
     * A live update:parameter ratio chart: {@link #append(UpdateRatioEvent)} as the trainer
     * reports ratios (one line per parameter group, log10 of ‖Δθ‖/‖θ‖, dashed guide at −3).
     */
    public static final class UpdateRatioChart {
        private final XYSeriesCollection ds = new XYSeriesCollection();
        private final XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        private final NumberAxis y = new NumberAxis("log10(update / parameter)");
        private final JFreeChart chart;

        public UpdateRatioChart() {
            r.setDrawSeriesLineAsPath(true);
            r.setDataBoundsIncludesVisibleSeriesOnly(false);   // cached bounds, no scan per append
            r.setAutoPopulateSeriesShape(false);
            r.setDefaultShape(new java.awt.geom.Ellipse2D.Double(-2.5, -2.5, 5, 5));
            NumberAxis x = new NumberAxis("step");
            x.setAutoRangeIncludesZero(false);
            x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
            y.setAutoRangeIncludesZero(false);
            XYPlot plot = new XYPlot(ds, x, y, r);
            ValueMarker guide = new ValueMarker(RATIO_GUIDE_LOG10, Color.DARK_GRAY, Theme.DASHED);
            guide.setLabel("1e-3");
            guide.setLabelFont(Theme.ANNOTATION_FONT);
            guide.setLabelAnchor(RectangleAnchor.TOP_RIGHT);     // right end, above the line
            guide.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
            guide.setLabelBackgroundColor(Theme.withAlpha(Color.WHITE, 0.8));
            plot.addRangeMarker(guide, Layer.BACKGROUND);
            chart = new JFreeChart("Update : parameter ratio", Theme.TITLE_FONT, plot, true);
            chart.addSubtitle(0, new TextTitle("‖Δθ‖ / ‖θ‖ per parameter group; dashed line at 10⁻³"));
            chart.getLegend().setPosition(RectangleEdge.BOTTOM);
            Theme.apply(chart);
            refresh();
        }

        /** Adds every group's log10 ratio of one event and redraws. */
        public void append(UpdateRatioEvent e) { append(e, true); }

        void append(UpdateRatioEvent e, boolean notify) {
            for (GroupRatio g : e.groups())
                append(g.group(), e.step(), Double.isFinite(g.log10Ratio()) ? g.log10Ratio() : Double.NaN, false);
            if (notify) refresh();
        }

        void append(String group, double step, double log10, boolean notify) {
            int i = ds.getSeriesIndex(group);
            if (i < 0) {
                i = ds.getSeriesCount();
                ds.addSeries(new XYSeries(group, false, true));
                r.setSeriesPaint(i, Theme.color(i));
                r.setSeriesStroke(i, Theme.LINE);
            }
            ds.getSeries(i).add(step, log10, notify);
        }

        /** Re-fires the data and keeps the −3 guide in range. */
        void refresh() {
            includeInRange(y, ds, RATIO_GUIDE_LOG10);
            boolean many = false;
            for (int s = 0; s < ds.getSeriesCount(); s++) many |= ds.getItemCount(s) > 40;
            r.setDefaultShapesVisible(!many);
            for (int s = 0; s < ds.getSeriesCount(); s++) ds.getSeries(s).fireSeriesChanged();
            chart.fireChartChanged();
        }

        public JFreeChart chart() { return chart; }
        public XYSeriesCollection dataset() { return ds; }
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
     * Δ percentile bands over training: for each layer a p5–p95 band and a median line. Layer
     * names "MIXER DIRECTION" or "MIXER/DIRECTION" (e.g. "blocks.0.variate backward") are drawn one panel per mixer
     * (shared step axis; T1/C1 = token/channel mixer of block 1), coloured by direction, so the
     * bands do not pile up; other names share one panel.
     *
     * @param statsByLayer layer name → one {@link Stats} per step (same length as {@code steps})
     * @param logY         log10 y axis (Δ spans orders of magnitude)
     */
    public static JFreeChart deltaBands(double[] steps, Map<String, List<Stats>> statsByLayer, boolean logY) {
        Map<String, Map<String, List<Stats>>> panels = new LinkedHashMap<>();
        List<String> kinds = new java.util.ArrayList<>();   // directions (or whole names): one colour each
        for (Map.Entry<String, List<Stats>> e : statsByLayer.entrySet()) {
            if (e.getValue().size() != steps.length)
                throw new IllegalArgumentException(e.getKey() + ": " + e.getValue().size() + " stats for " + steps.length
                                                   + " steps");
            int sp = Math.max(e.getKey().lastIndexOf(' '), e.getKey().lastIndexOf('/'));   // "mixer direction" or "mixer/direction"
            String panel = sp < 0 ? "" : e.getKey().substring(0, sp), kind = sp < 0 ? e.getKey() : e.getKey().substring(sp + 1);
            panels.computeIfAbsent(panel, k -> new LinkedHashMap<>()).put(kind, e.getValue());
            if (!kinds.contains(kind)) kinds.add(kind);
        }
        NumberAxis x = new NumberAxis("step");
        x.setAutoRangeIncludesZero(false);
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        CombinedDomainXYPlot combined = new CombinedDomainXYPlot(x);
        combined.setGap(10);
        for (Map.Entry<String, Map<String, List<Stats>>> p : panels.entrySet()) {
            YIntervalSeriesCollection ds = new YIntervalSeriesCollection();
            DeviationRenderer r = new DeviationRenderer(true, steps.length < 30);
            r.setAlpha(0.2f);
            r.setDrawSeriesLineAsPath(true);
            int i = 0;
            for (Map.Entry<String, List<Stats>> e : p.getValue().entrySet()) {
                List<Stats> st = e.getValue();
                String key = p.getKey().isEmpty() ? e.getKey() : p.getKey() + " " + e.getKey();
                YIntervalSeries s = new YIntervalSeries(key, false, true);
                for (int k = 0; k < st.size(); k++)
                    s.add(new YIntervalDataItem(steps[k], st.get(k).p50(), st.get(k).p5(), st.get(k).p95()), false);
                ds.addSeries(s);
                Color c = Theme.color(kinds.indexOf(e.getKey()));
                r.setSeriesPaint(i, c);
                r.setSeriesFillPaint(i, c);
                r.setSeriesStroke(i, Theme.LINE);
                r.setSeriesShape(i, new java.awt.geom.Ellipse2D.Double(-2.5, -2.5, 5, 5));
                i++;
            }
            String label = p.getKey().isEmpty() ? "Δ" : "Δ " + AveragingChart.shortName(p.getKey());
            ValueAxis y;
            if (logY) {
                y = new NiceLogAxis(label);
            } else {
                NumberAxis ny = new NumberAxis(label);
                ny.setAutoRangeIncludesZero(false);
                y = ny;
            }
            combined.add(new XYPlot(ds, null, y, r), 1);
        }
        JFreeChart chart = new JFreeChart("Δ over training", Theme.TITLE_FONT, combined, false);
        chart.addSubtitle(new TextTitle("median line and p5–p95 band of Δ per scan"
                                        + (panels.size() > 1 ? "; T/C = token/channel mixer of block ℓ" : "")));
        LegendItemCollection items = new LegendItemCollection();
        for (int k = 0; k < kinds.size(); k++) items.add(new LegendItem(kinds.get(k), Theme.color(k)));
        LegendTitle legend = new LegendTitle(() -> items);
        legend.setPosition(RectangleEdge.BOTTOM);
        chart.addSubtitle(legend);
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
