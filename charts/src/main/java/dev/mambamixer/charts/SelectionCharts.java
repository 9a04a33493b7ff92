package dev.mambamixer.charts;

import dev.mambamixer.engine.data.teaching.Mark;
import dev.mambamixer.engine.data.teaching.SequenceExample;
import dev.mambamixer.engine.introspect.ImplicitAttention;
import dev.mambamixer.engine.introspect.MixerCapture;
import dev.mambamixer.engine.introspect.Reductions;
import dev.mambamixer.engine.introspect.ScanCapture;
import dev.mambamixer.engine.introspect.ScanDirection;
import dev.mambamixer.engine.introspect.ScanQuantity;
import dev.mambamixer.engine.introspect.SequenceCapture;
import dev.mambamixer.engine.introspect.SelectionProbe;
import java.awt.Color;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Heatmaps of what a selective scan selects, built from the engine's introspection captures
 * (docs/INTROSPECTION.md). Positions always run left → right on the x axis.
 */
public final class SelectionCharts {
    private SelectionCharts() {}

    // ------------------------------------------------------------------ matrices

    /** The quantity as rows × positions ({@link ScanCapture#matrix}). */
    public static float[][] matrix(ScanCapture sc, int seq, ScanQuantity q) { return sc.matrix(seq, q); }

    // ------------------------------------------------------------------ scan quantities

    /** One quantity of one direction of a mixer for sequence {@code seq} (see {@link #matrix}). */
    public static Heatmap scan(MixerCapture m, String direction, int seq, ScanQuantity q) {
        return scan(m, ScanDirection.of(direction), seq, q, List.of());
    }

    /** One quantity of one direction of a mixer for sequence {@code seq} (see {@link #matrix}). */
    public static Heatmap scan(MixerCapture m, ScanDirection direction, int seq, ScanQuantity q) {
        return scan(m, direction, seq, q, List.of());
    }

    /** As {@link #scan(MixerCapture, String, int, ScanQuantity)}, with highlighted positions. */
    public static Heatmap scan(MixerCapture m, String direction, int seq, ScanQuantity q, List<Heatmap.Mark> marks) {
        return scan(m, ScanDirection.of(direction), seq, q, marks);
    }

    /** As {@link #scan(MixerCapture, ScanDirection, int, ScanQuantity)}, with highlighted positions. */
    public static Heatmap scan(MixerCapture m, ScanDirection direction, int seq, ScanQuantity q,
                               List<Heatmap.Mark> marks) {
        ScanCapture sc = m.direction(direction);
        String rows = switch (q) {
            case DELTA, GATE -> "inner channel e";
            case B, C -> "state index n";
            default -> "sequence (" + String.join(", ", m.sequenceAxes()) + ")";
        };
        String sub = q.perPosition()
            ? "all " + m.s() + " sequences, one per row; positions (" + m.positionAxis() + ") left to right"
            : "sequence " + describe(m, seq) + "; E=" + sc.e() + ", N=" + sc.n();
        return Heatmap.builder()
                      .title(capitalise(q.description) + " — " + m.name() + " (" + direction + ")")
                      .subtitle(sub)
                      .xLabel(m.positionAxis()).yLabel(rows).valueLabel(q.symbol)
                      .colorMap(q == ScanQuantity.B || q == ScanQuantity.C ? ColorMap.Kind.AUTO : ColorMap.Kind.SEQUENTIAL)
                      .marks(marks)
                      .build(sc.matrix(q.perPosition() ? 0 : seq, q));
    }

    /** "3 (batch 1, variate 0)" from a flat sequence index. */
    static String describe(MixerCapture m, int seq) {
        int[] shape = m.sequenceShape();
        int[] idx = new int[shape.length];
        int rest = seq;
        for (int i = shape.length - 1; i >= 0; i--) {
            idx[i] = rest % shape[i];
            rest /= shape[i];
        }
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < idx.length; i++) parts.add(m.sequenceAxes().get(i) + " " + idx[i]);
        return seq + " (" + String.join(", ", parts) + ")";
    }

    /**
     * The input a TSM2 token mixer selects from: one probe window's series of one variate (time
     * steps left to right), drawn small above the token-selection heatmap, with the patches the
     * heatmap's columns stand for shaded in turn ({@code patchLen}/{@code patchStride}; 0 = none).
     */
    public static org.jfree.chart.JFreeChart inputSeries(float[] x, String title, int patchLen, int patchStride) {
        org.jfree.data.xy.XYSeries s = new org.jfree.data.xy.XYSeries("input", false, false);
        for (int t = 0; t < x.length; t++) s.add(t, x[t]);
        org.jfree.chart.axis.NumberAxis xa = new org.jfree.chart.axis.NumberAxis("time step");
        xa.setAutoRangeIncludesZero(false);
        xa.setRange(-0.5, Math.max(1, x.length) - 0.5);
        org.jfree.chart.axis.NumberAxis ya = new CurveChart.SteadyAxis("value");
        ya.setAutoRangeIncludesZero(false);
        org.jfree.chart.renderer.xy.XYLineAndShapeRenderer r = new org.jfree.chart.renderer.xy.XYLineAndShapeRenderer(true, false);
        r.setSeriesPaint(0, Theme.color(0));
        r.setSeriesStroke(0, Theme.LINE);
        org.jfree.chart.plot.XYPlot plot = new org.jfree.chart.plot.XYPlot(new org.jfree.data.xy.XYSeriesCollection(s), xa, ya, r);
        if (patchLen > 0 && patchStride > 0)
            for (int p = 0, start = 0; start + patchLen <= x.length; p++, start += patchStride)
                if (p % 2 == 0) {
                    org.jfree.chart.plot.IntervalMarker band = new org.jfree.chart.plot.IntervalMarker(start - 0.5, start + patchLen - 0.5);
                    band.setPaint(Theme.withAlpha(Color.GRAY, 0.10));
                    plot.addDomainMarker(band, org.jfree.chart.ui.Layer.BACKGROUND);
                }
        org.jfree.chart.JFreeChart chart = Theme.apply(new org.jfree.chart.JFreeChart(title, Theme.LEGEND_FONT, plot, false));
        chart.getTitle().setFont(Theme.LEGEND_FONT);   // a caption over a small strip, not a chart title
        return chart;
    }

    // ------------------------------------------------------------------ channel selection

    /**
     * Which variates a channel mixer selects, patch by patch (TSM2 design I1): variates × patches
     * of Δ averaged over the inner channels, for one probe window {@code batch}.
     *
     * @param direction "forward", "backward", or null for the mean of the directions
     * @param variateNames row labels (null: numbers)
     */
    public static Heatmap channelSelection(MixerCapture variateMixer, String direction, int batch,
                                           List<String> variateNames) {
        List<String> axes = variateMixer.sequenceAxes();
        if (!axes.equals(List.of("batch", "patch")))
            throw new IllegalArgumentException(variateMixer.name() + " scans sequences " + axes
                                               + "; the channel-selection view needs a design-I1 variate mixer "
                                               + "(sequences = (batch, patch)); use scan(...) instead");
        List<ScanCapture> dirs = direction == null ? variateMixer.directions() : List.of(variateMixer.direction(direction));
        float[][] z = Reductions.variatePatchMap(variateMixer, dirs, ScanQuantity.DELTA, batch);
        String which = direction == null ? String.join("+", variateMixer.directions().stream().map(d -> d.direction().label()).toList())
                                         : direction;
        String agg = direction == null && dirs.size() > 1 ? "mean over directions " + which : which;
        return Heatmap.builder()
                      .title("Channel selection — " + variateMixer.name())
                      .subtitle("mean Δ over " + dirs.get(0).e() + " inner channels, " + agg + "; window " + batch)
                      .xLabel("patch").yLabel("variate").valueLabel("mean Δ")
                      .yTickLabels(variateNames)
                      .colorMap(ColorMap.Kind.SEQUENTIAL)
                      .build(z);
    }

    // ------------------------------------------------------------------ implicit attention

    /**
     * Signed implicit attention α[t, s] of one channel (rows = target t, columns = source s),
     * diverging colours around 0; positions this direction cannot reach are blank.
     */
    public static Heatmap attention(MixerCapture m, String direction, int seq, int channel) {
        return attention(m, ScanDirection.of(direction), seq, channel);
    }

    /** As {@link #attention(MixerCapture, String, int, int)}. */
    public static Heatmap attention(MixerCapture m, ScanDirection direction, int seq, int channel) {
        ScanCapture sc = m.direction(direction);
        ImplicitAttention a = sc.attention(seq, channel);
        double[][] d = a.matrix();
        float[][] z = new float[d.length][];
        for (int t = 0; t < d.length; t++) {
            z[t] = new float[d[t].length];
            for (int s = 0; s < d[t].length; s++) z[t][s] = (float) d[t][s];
        }
        maskUnreachable(z, sc.reversed());
        return attentionHeatmap(m, z, "Implicit attention α — " + m.name() + " (" + direction + ")",
                                "channel " + channel + ", sequence " + describe(m, seq), "α", ColorMap.Kind.DIVERGING);
    }

    /**
     * Signed α of one channel summed over the directions of a bidirectional mixer
     * ({@link Reductions#summedAttention}): the forward map in the lower triangle, the backward
     * one in the upper, both on the diagonal.
     */
    public static Heatmap summedAttention(MixerCapture m, int seq, int channel) {
        return attentionHeatmap(m, Reductions.summedAttention(m, seq, channel),
                                "Implicit attention α — " + m.name() + " (forward + backward)",
                                "channel " + channel + ", sequence " + describe(m, seq), "α", ColorMap.Kind.DIVERGING);
    }

    /** Mean |α| over the inner channels of one direction. */
    public static Heatmap meanAbsAttention(MixerCapture m, String direction, int seq) {
        ScanCapture sc = m.direction(direction);
        float[][] z = sc.meanAbsAttention(seq);
        maskUnreachable(z, sc.reversed());
        return attentionHeatmap(m, z, "Implicit attention — " + m.name(),
                                "mean |α| over " + sc.e() + " channels, " + direction + "; sequence " + describe(m, seq),
                                "|α|", ColorMap.Kind.SEQUENTIAL);
    }

    /**
     * Mean |α| over the inner channels, summed over the directions (for a bidirectional mixer
     * the lower triangle is the forward scan, the upper the backward one).
     */
    public static Heatmap meanAbsAttention(MixerCapture m, int seq) {
        String dirs = String.join("+", m.directions().stream().map(d -> d.direction().label()).toList());
        float[][] z = m.meanAbsAttention(seq);
        if (!m.bidirectional()) maskUnreachable(z, m.directions().get(0).reversed());
        return attentionHeatmap(m, z, "Implicit attention — " + m.name(),
                                "mean |α| over " + m.directions().get(0).e() + " channels, " + dirs + "; sequence "
                                + describe(m, seq), "|α|", ColorMap.Kind.SEQUENTIAL);
    }

    /**
     * Blanks (NaN) the entries a single scan direction can never fill: sources after the target
     * for a forward scan, before it for a backward one, so "not reachable" differs from "zero".
     */
    static void maskUnreachable(float[][] z, boolean reversed) {
        for (int t = 0; t < z.length; t++)
            for (int s = 0; s < z[t].length; s++) if (reversed ? s < t : s > t) z[t][s] = Float.NaN;
    }

    private static Heatmap attentionHeatmap(MixerCapture m, float[][] z, String title, String subtitle, String value,
                                            ColorMap.Kind kind) {
        String pos = m.positionAxis();
        return Heatmap.builder().title(title).subtitle(subtitle)
                      .xLabel("source " + pos + " s").yLabel("target " + pos + " t").valueLabel(value)
                      .colorMap(kind).build(z);
    }

    // ------------------------------------------------------------------ teaching tasks

    /** Colour of a teaching-task role ("data", "trigger", "key", ...). */
    public static Color roleColor(String role) {
        return switch (role) {
            case "data", "key" -> Theme.color(3);        // vermillion: what to remember
            case "trigger", "delimiter" -> Theme.color(6); // black: the cue
            case "output", "query" -> Theme.color(2);     // green: where the answer is due
            case "noise" -> Color.GRAY;
            default -> Theme.color(4);
        };
    }

    /**
     * Marks for the positions of an example's roles (all roles but "noise" when none are named);
     * only the first position of each run of adjacent positions carries the role label.
     */
    public static List<Heatmap.Mark> marks(SequenceExample ex, String... roles) {
        List<Heatmap.Mark> out = new ArrayList<>();
        for (Mark mk : ex.marks()) {
            boolean wanted = roles.length == 0 ? !mk.role().equals("noise") : List.of(roles).contains(mk.role());
            if (!wanted) continue;
            int[] p = mk.positions().clone();
            java.util.Arrays.sort(p);
            for (int i = 0; i < p.length; i++)
                out.add(new Heatmap.Mark(p[i], i == 0 || p[i] != p[i - 1] + 1 ? mk.role() : "", roleColor(mk.role())));
        }
        return out;
    }

    /**
     * One quantity of the teaching model's token mixer of {@code block} for one example, with the
     * example's marked positions (tokens to remember, delimiter, trigger, ...) highlighted.
     */
    public static Heatmap teaching(SequenceCapture cap, int block, int example, ScanQuantity q) {
        MixerCapture tok = cap.tokenMixer(block);
        Heatmap h = scan(tok, tok.directions().get(0).direction(), example, q, marks(cap.examples().get(example)));
        return h;
    }

    /** Mean |α| of the teaching model's token mixer for one example, marked positions on the source axis. */
    public static Heatmap teachingAttention(SequenceCapture cap, int block, int example) {
        MixerCapture tok = cap.tokenMixer(block);
        Heatmap h = meanAbsAttention(tok, example);
        for (Heatmap.Mark m : marks(cap.examples().get(example))) h.addMark(m);
        return h;
    }

    /**
     * A teaching run's selection profile: mean Δ over inner channels for each held-out example
     * (rows) and position (columns), with each example's marked positions outlined in their role
     * colour (the legend lists the roles).
     */
    public static Heatmap selectionProfile(SelectionProbe.Profile p, List<SequenceExample> examples, int maxExamples,
                                           String... roles) {
        int rows = Math.min(Math.min(p.examples(), examples.size()), maxExamples), l = p.length();
        float[][] z = new float[rows][l];
        for (int i = 0; i < rows; i++) System.arraycopy(p.perPosition(), i * l, z[i], 0, l);
        StringBuilder means = new StringBuilder();
        for (Map.Entry<String, Double> e : p.mean().entrySet())
            means.append(means.length() == 0 ? "" : ", ").append(e.getKey()).append(' ')
                 .append(String.format(Locale.ROOT, "%.3g", e.getValue()));
        Heatmap h = Heatmap.builder().title("Where Δ selects")
                           .subtitle("mean Δ over inner channels; pooled: " + means)
                           .xLabel("position").yLabel("example").valueLabel("mean Δ")
                           .colorMap(ColorMap.Kind.SEQUENTIAL).build(z);
        for (int i = 0; i < rows; i++)
            for (Heatmap.Mark mk : marks(examples.get(i), roles)) {
                h.outlineCell(i, (int) mk.position(), mk.color());
                String role = examples.get(i).roleAt((int) mk.position());
                h.addKey(role, mk.color(), new Rectangle2D.Double(-6, -6, 12, 12), true);
            }
        return h;
    }

    private static String capitalise(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
