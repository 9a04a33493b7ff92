package dev.mambamixer.charts;

import dev.mambamixer.engine.introspect.AveragingHistory;
import dev.mambamixer.engine.introspect.AveragingMatrix;
import dev.mambamixer.engine.introspect.MixerKind;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The weighted averages that feed every mixer (MODEL.md §5.3, {@link AveragingMatrix}): the matrix as
 * a target × source heatmap with the value in each connected cell, and the drift of every weight
 * over training ({@link AveragingHistory}).
 *
 * <p>Source columns follow AveragingMatrix's order: 0 = x as y_T⁰, 1 = x as y_C⁰, j ≥ 2 = the
 * output of mixer j−1. Target i reads sources 0..i+1, so the matrix is lower-triangular shifted
 * by one column; cells with source > target + 1 are not connected and stay blank. The identity
 * initialisation puts weight 1 on source = target + 1 (the most recent output), drawn as a dashed
 * "ghost" outline.
 */
public final class AveragingChart {
    private AveragingChart() {}

    private static final String SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹";
    /** Colour of the identity-initialisation ghost outline. */
    public static final Color GHOST = new Color(0x55, 0x55, 0x55);

    /** The matrix as a heatmap; {@code step} < 0 leaves it out of the subtitle. */
    public static Heatmap matrix(AveragingMatrix m, long step) {
        int k = m.targetCount();
        float[][] z = m.rows();   // (K, K+1), NaN where not connected
        for (int i = 0; i < k; i++)
            for (int j = 0; j < m.sourceCount(); j++) if (!m.connected(i, j)) z[i][j] = Float.NaN;
        Heatmap h = Heatmap.builder()
                           .title("Weighted averaging (MODEL.md §5.3)")
                           .subtitle(m.mode() + " mode" + (step >= 0 ? ", step " + step : "")
                                     + "; T/C = output of token/channel mixer ℓ, x = the input")
                           .xLabel("source").yLabel("target mixer").valueLabel("weight")
                           .xTickLabels(sourceLabels(m)).yTickLabels(targetLabels(m))
                           .cellValues("%.2f")
                           .tooltipSuffix((row, col) -> {
                               String sym = m.symbol(row, col);
                               return sym.isEmpty() ? " (not connected)" : " (" + pretty(sym) + ")";
                           })
                           .build(z);
        BasicStroke dashed = new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {5f, 4f}, 0f);
        for (int i = 0; i < k; i++) h.outlineCell(i, i + 1, GHOST, dashed);
        h.addKey("identity initialisation (weight 1)", GHOST, new Rectangle2D.Double(-6, -6, 12, 12), true);
        return h;
    }

    public static Heatmap matrix(AveragingMatrix m) { return matrix(m, -1); }

    /**
     * Short label of a mixer: "T1" for blocks.0.time (or .token), "C1" for blocks.0.variate (or
     * .channel, the teaching model's channel mixer), else the name.
     */
    static String shortName(String mixer) {
        MixerKind.Named n = MixerKind.parse(mixer);
        return n == null ? mixer : n.shortLabel();
    }

    static List<String> targetLabels(AveragingMatrix m) {
        List<String> out = new ArrayList<>();
        for (String t : m.targets()) {
            String s = shortName(t);
            out.add(s.equals(t) ? t : s + " " + t);
        }
        return out;
    }

    /** x (T⁰), x (C⁰), then T¹, C¹, T², ... for a TSM2 stack (the paper's y_T^ℓ, y_C^ℓ). */
    static List<String> sourceLabels(AveragingMatrix m) {
        List<String> out = new ArrayList<>();
        for (int j = 0; j < m.sourceCount(); j++) {
            if (j < 2) {
                out.add("x (" + (j == 0 ? "T" : "C") + sup(0) + ")");
                continue;
            }
            String name = m.sources().get(j), s = shortName(name);
            out.add(s.equals(name) ? name : s.charAt(0) + sup(Integer.parseInt(s.substring(1))));
        }
        return out;
    }

    /**
     * Labels the end of each line with its series key; lines ending within 4% of the panel's
     * range of each other share one label ("α₁,₀ β₁,₀", beyond two "α₂,₀ +2"), so coinciding
     * weights stay readable and the label fits.
     */
    private static int labelLineEnds(XYPlot sub, XYSeriesCollection ds, double lastStep) {
        int longest = 0;
        int n = ds.getSeriesCount();
        Integer[] order = new Integer[n];
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        double[] end = new double[n];
        for (int s = 0; s < n; s++) {
            order[s] = s;
            end[s] = ds.getYValue(s, ds.getItemCount(s) - 1);
            for (int k = 0; k < ds.getItemCount(s); k++) {
                double v = ds.getYValue(s, k);
                if (Double.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
            }
        }
        double tol = 0.04 * Math.max(hi - lo, 0.05);
        java.util.Arrays.sort(order, (a, b) -> Double.compare(end[a], end[b]));
        for (int i = 0; i < n; ) {
            int j = i;
            StringBuilder text = new StringBuilder();
            double sum = 0;
            while (j < n && end[order[j]] - end[order[i]] <= tol) {
                sum += end[order[j]];
                j++;
            }
            // two coinciding lines are both named; more would run off a small chart: the first and "+n"
            text.append(' ').append(ds.getSeriesKey(order[i]));
            if (j - i == 2) text.append(' ').append(ds.getSeriesKey(order[i + 1]));
            else if (j - i > 2) text.append(" +").append(j - i - 1);
            XYTextAnnotation label = new XYTextAnnotation(text.toString(), lastStep, sum / (j - i));
            label.setTextAnchor(TextAnchor.CENTER_LEFT);
            label.setFont(Theme.LEGEND_FONT);
            longest = Math.max(longest, text.length());
            label.setPaint(j - i == 1 ? Theme.color(sourceOf(sub, order[i])).darker() : Theme.TEXT);
            sub.addAnnotation(label);
            i = j;
        }
        return longest;
    }

    /** Source index of series s in a drift panel: series are the sources 0, 1, ... in order. */
    private static int sourceOf(XYPlot sub, int s) { return s; }

    /** α_{1,0} → α₁,₀ (the paper's subscripts, in characters every font has). */
    static String pretty(String symbol) {
        Matcher mt = Pattern.compile("(.)_\\{(\\d+),(\\d+)\\}").matcher(symbol);
        if (!mt.matches()) return symbol;
        return mt.group(1) + sub(mt.group(2)) + "," + sub(mt.group(3));
    }

    private static String sub(String digits) {
        StringBuilder b = new StringBuilder();
        for (char c : digits.toCharArray()) b.append((char) ('₀' + (c - '0')));
        return b.toString();
    }

    private static String sup(int n) {
        StringBuilder b = new StringBuilder();
        for (char c : Integer.toString(n).toCharArray()) b.append(SUPERSCRIPTS.charAt(c - '0'));
        return b.toString();
    }

    /**
     * Every weight over training: one small panel per target mixer (shared step axis), one line
     * per connected source, coloured by source and labelled with its symbol (α, β, θ, γ) at its end.
     */
    public static JFreeChart drift(AveragingHistory history) {
        if (history.size() == 0) throw new IllegalArgumentException("averaging history is empty");
        AveragingMatrix first = history.get(0);
        int k = first.targetCount();
        List<Long> steps = history.steps();
        NumberAxis stepAxis = new NumberAxis("step");
        stepAxis.setAutoRangeIncludesZero(false);
        CombinedDomainXYPlot combined = new CombinedDomainXYPlot(stepAxis);
        combined.setGap(14);
        stepAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        List<String> sources = sourceLabels(first), targets = targetLabels(first);
        int longestLabel = 0;
        for (int i = 0; i < k; i++) {
            XYSeriesCollection ds = new XYSeriesCollection();
            XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, steps.size() < 30);
            r.setDrawSeriesLineAsPath(true);
            NumberAxis y = new NumberAxis(shortName(first.targets().get(i)));
            y.setAutoRangeIncludesZero(false);
            y.setAutoRangeMinimumSize(0.05);   // a flat weight still gets a readable axis
            y.setLowerMargin(0.15);            // end labels are centred on the line: room below 0 and above 1
            y.setUpperMargin(0.15);
            y.setAutoRangeStickyZero(false);
            XYPlot sub = new XYPlot(ds, null, y, r);
            int series = 0;
            for (int j = 0; j <= i + 1 && j < first.sourceCount(); j++) {
                float[] v = history.series(i, j);
                XYSeries s = new XYSeries(first.symbol(i, j).isEmpty() ? sources.get(j) : pretty(first.symbol(i, j)), false,
                                          true);
                for (int t = 0; t < v.length; t++) s.add((double) steps.get(t), (Number) v[t], false);
                ds.addSeries(s);
                r.setSeriesPaint(series, Theme.color(j));
                r.setSeriesStroke(series, Theme.LINE);
                r.setSeriesShape(series, new java.awt.geom.Ellipse2D.Double(-2.5, -2.5, 5, 5));
                series++;
            }
            longestLabel = Math.max(longestLabel, labelLineEnds(sub, ds, steps.get(steps.size() - 1)));
            combined.add(sub, 1);
        }
        // Room on the right for the end-of-line symbols (about 8 px a character on an axis of ~350 px or more).
        stepAxis.setUpperMargin(Math.min(0.5, 0.02 + longestLabel * 8 / 350.0));
        JFreeChart chart = new JFreeChart("Weighted-averaging weights over training", Theme.TITLE_FONT, combined, false);
        chart.addSubtitle(new TextTitle(first.mode() + " mode; one panel per target mixer ("
                                        + String.join(", ", targets) + ")"));
        LegendItemCollection items = new LegendItemCollection();
        for (int j = 0; j < first.sourceCount(); j++) items.add(new LegendItem("from " + sources.get(j), Theme.color(j)));
        LegendTitle legend = new LegendTitle(() -> items);
        legend.setPosition(RectangleEdge.BOTTOM);
        chart.addSubtitle(legend);
        return Theme.apply(chart);
    }
}
