package dev.mambamixer.notebooks;

import dev.mambamixer.engine.introspect.ScanDirection;
import dev.mambamixer.engine.introspect.MixerKind;
import dev.mambamixer.engine.introspect.Reductions;
import dev.mambamixer.engine.introspect.ScanQuantity;
import dev.mambamixer.charts.AveragingChart;
import dev.mambamixer.charts.ChartImages;
import dev.mambamixer.charts.ColorMap;
import dev.mambamixer.charts.CurveChart;
import dev.mambamixer.charts.ForecastChart;
import dev.mambamixer.charts.Heatmap;
import dev.mambamixer.charts.SelectionCharts;
import dev.mambamixer.charts.Theme;
import dev.mambamixer.engine.data.teaching.SequenceExample;
import dev.mambamixer.engine.introspect.AveragingMatrix;
import dev.mambamixer.engine.introspect.ForecastWindow;
import dev.mambamixer.engine.introspect.MixerCapture;
import dev.mambamixer.engine.introspect.ModelCapture;
import dev.mambamixer.engine.introspect.ScanCapture;
import dev.mambamixer.engine.introspect.SequenceCapture;
import dev.mambamixer.engine.model.SequenceModel;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.introspect.SelectionProbe;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.title.TextTitle;

/**
 * Pictures of the engine's objects, each a {@link Picture} (PNG in a notebook, text summary as
 * {@code toString}). The charts themselves come from the {@code charts} module; this class picks
 * what to show and lays several charts out in one picture.
 */
public final class Pictures {
    /** Width of a full-width picture: fits a notebook cell without scaling text down much. */
    static final int WIDTH = 1000;

    private Pictures() {}

    /** The types {@link #of} draws as charts; kernels register renderers for these. */
    public static final List<Class<?>> SUPPORTED = List.of(
        Picture.class, TrainingRun.class, TeachingRun.class, ForecastWindow.class, ModelCapture.class,
        SequenceCapture.class, AveragingMatrix.class, VariateInfluence.class, Tsm2.class, SequenceModel.class);

    /** Any supported object as a picture; an unknown object becomes a text picture of its {@code toString}. */
    public static Picture of(Object o) {
        if (o instanceof Picture p) return p;
        if (o instanceof TrainingRun r) return r.lastFrame();
        if (o instanceof TeachingRun r) return r.lastFrame();
        if (o instanceof ForecastWindow f) return forecast(f, f.variates() - 1);
        if (o instanceof ModelCapture c) return selection(c, c.mixers().get(0).name(), 0);
        if (o instanceof SequenceCapture c) return teachingSelection(c, 0);
        if (o instanceof AveragingMatrix a) return averaging(a);
        if (o instanceof VariateInfluence v) return influence(v);
        if (o instanceof Tsm2 m) return model(m);
        if (o instanceof SequenceModel m) return averaging(dev.mambamixer.engine.introspect.Introspector.averaging(m));
        if (o instanceof BufferedImage img) return Picture.of(img, "image " + img.getWidth() + "x" + img.getHeight());
        return message(WIDTH, 80, String.valueOf(o));
    }

    // ---- layout ----------------------------------------------------------------------------------

    /** Charts laid out row by row, {@code cols} per row, each cellW × cellH pixels. */
    public static Picture grid(String text, int cols, int cellW, int cellH, List<JFreeChart> charts) {
        int rows = (charts.size() + cols - 1) / cols;
        Picture p = new Picture(cols * cellW, rows * cellH, text);
        Graphics2D g = p.graphics();
        try {
            for (int i = 0; i < charts.size(); i++) {
                int r = i / cols, c = i % cols;
                charts.get(i).draw(g, new Rectangle2D.Double(c * cellW, r * cellH, cellW, cellH));
            }
        } finally {
            g.dispose();
        }
        return p;
    }

    /** Steps and positions are whole numbers: no 0.5 ticks when only a few points are drawn. */
    static void integerTicks(CurveChart c) {
        if (c.plot().getDomainAxis() instanceof org.jfree.chart.axis.NumberAxis x)
            x.setStandardTickUnits(org.jfree.chart.axis.NumberAxis.createIntegerTickUnits());
    }

    /** One chart as a picture. */
    public static Picture chart(JFreeChart chart, int w, int h, String text) {
        return Picture.of(ChartImages.toImage(chart, w, h), text);
    }

    /** A picture that only says something (errors, missing data), wrapped to the width. */
    public static Picture message(int w, int h, String text) {
        Picture p = new Picture(w, h, text);
        Graphics2D g = p.graphics();
        try {
            g.setColor(Theme.TEXT);
            g.setFont(Theme.LEGEND_FONT);
            int y = 24, lineH = g.getFontMetrics().getHeight();
            for (String line : text.split("\n")) {
                StringBuilder cur = new StringBuilder();
                for (String word : line.split(" ")) {
                    if (g.getFontMetrics().stringWidth(cur + " " + word) > w - 24 && cur.length() > 0) {
                        g.drawString(cur.toString(), 12, y);
                        y += lineH;
                        cur.setLength(0);
                    }
                    if (cur.length() > 0) cur.append(' ');
                    cur.append(word);
                }
                g.drawString(cur.toString(), 12, y);
                y += lineH;
            }
        } finally {
            g.dispose();
        }
        return p;
    }

    // ---- live frames -----------------------------------------------------------------------------

    /** EMA weight of the live training curves (the workbench's default too). */
    static final double LIVE_SMOOTHING = 0.6;

    /** A frame of the TSM2 training widget: loss curves on top, the token and channel mixers' gates below. */
    public static Picture trainingFrame(TrainingFrame f) {
        CurveChart loss = new CurveChart(f.title(), "step", "loss (MSE, standardised)");
        loss.setSmoothing(LIVE_SMOOTHING);   // the raw loss faded behind its smoothed line, as the notebook text says
        loss.addSeries("train loss", true);
        loss.addSeries("val MSE", false);
        loss.setData("train loss", f.stepX(), f.loss());
        loss.setData("val MSE", f.valX(), f.valMse());
        loss.setSubtitle(f.summary().substring(f.title().length() + 2));
        integerTicks(loss);
        List<JFreeChart> below = new ArrayList<>();
        if (f.gates() != null) {
            below.add(gateMap(f.gates(), "blocks.0.time", f.variateNames(), "token mixer gate, blocks.0.time"));
            below.add(gateMap(f.gates(), "blocks.0.variate", f.variateNames(), "channel mixer gate, blocks.0.variate"));
        }
        Picture p = new Picture(WIDTH, 360 + (below.isEmpty() ? 0 : 300), f.summary());
        Graphics2D g = p.graphics();
        try {
            loss.chart().draw(g, new Rectangle2D.Double(0, 0, WIDTH, 360));
            for (int i = 0; i < below.size(); i++)
                below.get(i).draw(g, new Rectangle2D.Double(i * WIDTH / 2.0, 360, WIDTH / 2.0, 300));
        } finally {
            g.dispose();
        }
        return p;
    }

    /**
     * Mean gate SiLU(z) over the inner channels of a TSM2 mixer on the first probe window, as
     * variates (rows) × patches (columns) for both the token and the channel mixer.
     */
    static JFreeChart gateMap(ModelCapture cap, String mixer, List<String> names, String title) {
        MixerCapture mc = cap.mixer(mixer);
        ScanCapture sc = mc.directions().get(0);   // both directions share z
        int e = sc.e();
        float[][] z = Reductions.variatePatchMap(mc, List.of(sc), ScanQuantity.GATE, 0);
        return Heatmap.builder().title(title).subtitle("mean SiLU(z) over " + e + " inner channels, step " + cap.step())
                      .xLabel("patch").yLabel("variate").yTickLabels(names).valueLabel("gate")
                      .colorMap(ColorMap.Kind.SEQUENTIAL).build(z).chart();
    }

    /** A frame of the teaching widget: loss and held-out accuracy on top, Δ of the token mixers below. */
    public static Picture teachingFrame(TeachingFrame f) {
        CurveChart curves = new CurveChart(f.title(), "step", "training loss (cross-entropy)");
        curves.setSmoothing(LIVE_SMOOTHING);
        curves.addSeries("training loss", true);
        curves.setData("training loss", f.stepX(), f.loss());
        curves.setSecondaryLabel("held-out accuracy");
        curves.setSecondaryData("held-out accuracy", f.evalX(), f.evalAccuracy());
        if (curves.plot().getRangeAxis(1) instanceof org.jfree.chart.axis.NumberAxis acc) {   // accuracy, not a learning rate
            acc.setNumberFormatOverride(new java.text.DecimalFormat("0.0"));
            acc.setRange(0, 1.02);
        }
        curves.setSubtitle(f.summary().substring(f.title().length() + 2));
        integerTicks(curves);
        List<JFreeChart> below = new ArrayList<>();
        if (f.capture() != null) {
            int layers = f.capture().config().layers();
            below.add(tokenDelta(f.capture(), 0, 0));
            if (layers > 1) below.add(tokenDelta(f.capture(), layers - 1, 0));
        }
        Picture p = new Picture(WIDTH, 340 + (below.isEmpty() ? 0 : 320), f.summary());
        Graphics2D g = p.graphics();
        try {
            curves.chart().draw(g, new Rectangle2D.Double(0, 0, WIDTH, 340));
            double w = WIDTH / (double) Math.max(1, below.size());
            for (int i = 0; i < below.size(); i++) below.get(i).draw(g, new Rectangle2D.Double(i * w, 340, w, 320));
        } finally {
            g.dispose();
        }
        return p;
    }

    // ---- teaching: selection on one example --------------------------------------------------------

    /** Δ of block {@code block}'s token mixer on one example: inner channels × positions, marked positions outlined. */
    public static JFreeChart tokenDelta(SequenceCapture cap, int block, int example) {
        MixerCapture mc = cap.tokenMixer(block);
        return SelectionCharts.scan(mc, mc.directions().get(0).direction(), example, ScanQuantity.DELTA,
                                    SelectionCharts.marks(cap.examples().get(example))).chart();
    }

    /**
     * Where Δ selects in a teaching run: mean Δ per (held-out example, position), each example's
     * marked positions outlined in their role's colour, pooled means per role in the subtitle.
     */
    public static Picture selectionProfile(SelectionProbe.Profile profile, List<SequenceExample> examples, int rows) {
        StringBuilder text = new StringBuilder("mean Δ by role over " + profile.examples() + " examples:");
        profile.mean().forEach((role, v) -> text.append(String.format(Locale.ROOT, " %s %.4f", role, v)));
        int n = Math.min(rows, Math.min(profile.examples(), examples.size()));
        return chart(SelectionCharts.selectionProfile(profile, examples, rows).chart(), WIDTH, 160 + 26 * n,
                     text.toString());
    }

    /** Both token mixers' Δ on one example (the teaching notebook's main picture). */
    public static Picture teachingSelection(SequenceCapture cap, int example) {
        List<JFreeChart> charts = new ArrayList<>();
        for (int b = 0; b < cap.config().layers(); b++) charts.add(tokenDelta(cap, b, example));
        return grid("Δ of the token mixers on example " + example + " at step " + cap.step(), Math.min(2, charts.size()),
                    WIDTH / Math.min(2, charts.size()), 340, charts);
    }

    // ---- forecasting: selection, attention, averaging, forecasts ----------------------------------

    /** Δ, B, C and the gate of one mixer for one scanned sequence (first direction), as a 2 × 2 grid. */
    public static Picture selection(ModelCapture cap, String mixer, int seq) {
        MixerCapture mc = cap.mixer(mixer);
        ScanDirection dir = mc.directions().get(0).direction();
        List<JFreeChart> charts = new ArrayList<>();
        for (ScanQuantity q : List.of(ScanQuantity.DELTA, ScanQuantity.B,
                                                  ScanQuantity.C, ScanQuantity.GATE))
            charts.add(SelectionCharts.scan(mc, dir, seq, q).chart());
        return grid("Δ, B, C and gate of " + mixer + " (" + dir + "), sequence " + seq + " " + mc.sequenceAxes()
                    + " at step " + cap.step() + ": " + mc.l() + " " + mc.positionAxis() + "es", 2, WIDTH / 2, 340, charts);
    }

    /** Implicit attention of a mixer for one sequence: mean |α| over channels, summed over directions. */
    public static Picture attention(ModelCapture cap, String mixer, int seq) {
        MixerCapture mc = cap.mixer(mixer);
        String dirs = mc.bidirectional() ? "forward + backward" : "forward";
        return chart(SelectionCharts.meanAbsAttention(mc, seq).chart(), 640, 560,
                     "implicit attention of " + mixer + " (" + dirs + "), sequence " + seq + " " + mc.sequenceAxes());
    }

    /** Channel selection of a TSM2 channel mixer: Δ per variate and patch for one probe window. */
    public static Picture channelSelection(ModelCapture cap, String mixer, int window, List<String> names) {
        return chart(SelectionCharts.channelSelection(cap.mixer(mixer), null, window, names).chart(), 760, 480,
                     "channel selection (mean Δ per variate and patch) of " + mixer + ", probe window " + window);
    }

    /**
     * How Δ changes along the positions of a TSM2 token mixer for one variate, one line per window
     * of the capture: each inner channel's Δ relative to that channel's mean over the positions,
     * averaged over the channels, in percent. A selective scan picks its step size per input, so
     * the lines differ between windows; a time-invariant SSM (S4) would draw flat lines at 0.
     */
    public static Picture deltaProfile(ModelCapture cap, String mixer, int variate, List<String> names) {
        MixerCapture mc = cap.mixer(mixer);
        if (mc.kind() != MixerKind.TIME) throw new IllegalArgumentException(mixer + " is not a token (time) mixer");
        ScanCapture sc = mc.directions().get(0);
        int l = sc.l(), e = sc.e();
        String name = names == null ? "variate " + variate : names.get(variate);
        CurveChart c = new CurveChart("Δ along the " + mc.positionAxis() + "es, " + mixer + ", " + name,
                                      mc.positionAxis(), "Δ vs. its channel's mean (%)");
        double[] x = new double[l];
        for (int t = 0; t < l; t++) x[t] = t;
        StringBuilder text = new StringBuilder("relative Δ (%) per " + mc.positionAxis() + " of " + mixer + ", " + name + ":\n");
        for (int b = 0; b < cap.batch(); b++) {
            double[] y = Reductions.relativeDelta(sc, mc.seq(b, variate));
            String series = "probe window " + b;
            c.addSeries(series, false);
            c.setData(series, x, y);
            text.append(series).append(':');
            for (double v : y) text.append(String.format(Locale.ROOT, " %+.2f", v));
            text.append('\n');
        }
        c.setSubtitle("mean over " + e + " inner channels of Δ / (the channel's mean Δ over the " + l + " "
                      + mc.positionAxis() + "es) − 1; one line per input window");
        integerTicks(c);
        return chart(c.chart(), WIDTH, 400, text.toString());
    }

    /**
     * How a TSM2 channel (variate) mixer mixes the variates: mean |α| over channels, summed over
     * directions, averaged over all its scanned sequences (every window and patch of the capture).
     * Row = target variate, column = source variate.
     */
    public static Picture channelAttention(ModelCapture cap, String mixer, List<String> names) {
        MixerCapture mc = cap.mixer(mixer);
        if (mc.kind() != MixerKind.VARIATE) throw new IllegalArgumentException(mixer + " is not a channel (variate) mixer");
        int l = mc.l();
        float[][] mean = Reductions.meanAbsAttentionOverSequences(mc);
        String dirs = mc.bidirectional() ? "forward + backward scans" : "forward scan";
        Heatmap h = Heatmap.builder().title("channel mixing, " + mixer)
            .subtitle("mean |α| over channels, " + dirs + ", averaged over " + mc.s() + " (window, patch) sequences")
            .xLabel("source variate").yLabel("target variate").xTickLabels(names).yTickLabels(names)
            .valueLabel("|α|").cellValues("%.2f").build(mean);
        StringBuilder text = new StringBuilder("channel mixing of " + mixer + " (mean |α|, row = target):\n");
        for (int t = 0; t < l; t++) {
            text.append(names.get(t)).append(':');
            for (int s = 0; s < l; s++) text.append(String.format(Locale.ROOT, " %.3f", mean[t][s]));
            text.append('\n');
        }
        return chart(h.chart(), 760, 600, text.toString());
    }

    /** The weighted-averaging coefficients (target mixer × source), values printed in the cells. */
    public static Picture averaging(AveragingMatrix a) {
        return chart(AveragingChart.matrix(a).chart(), 760, 200 + 60 * a.targetCount(), averagingText(a));
    }

    static String averagingText(AveragingMatrix a) {
        StringBuilder sb = new StringBuilder("weighted averaging (" + a.mode() + "), target x source:\n");
        for (int t = 0; t < a.targetCount(); t++) {
            sb.append(String.format(Locale.ROOT, "%-18s", a.targets().get(t)));
            for (int s = 0; s < a.sourceCount(); s++)
                sb.append(a.connected(t, s) ? String.format(Locale.ROOT, " %s=%.3f", a.symbol(t, s), a.weight(t, s)) : "");
            sb.append('\n');
        }
        return sb.toString();
    }

    /** One variate of a forecast window: history, then truth and prediction over the horizon. */
    public static Picture forecast(ForecastWindow f, int variate) {
        String name = f.variateNames().get(variate) + (f.originalUnits() ? "" : " (standardised)");
        JFreeChart c = ForecastChart.of(f.history(variate), f.truth(variate), f.prediction(variate), name, f.window(),
                                        Double.NaN);
        c.addSubtitle(new TextTitle(String.format(Locale.ROOT, "whole window (all %d variates, standardised): MSE %.4f, "
                                                  + "MAE %.4f", f.variates(), f.mse(), f.mae()), Theme.SUBTITLE_FONT));
        return chart(c, WIDTH, 420, f.toString());
    }

    /**
     * Permutation influence as a target × source heatmap, values in the cells. The diagonal (a
     * variate's own history, usually by far the largest) is left blank so the cross-variate cells
     * keep their colour range; its values are in the text form.
     */
    public static Picture influence(VariateInfluence v) {
        float[][] z = v.matrix();
        for (int i = 0; i < z.length; i++)
            for (int j = 0; j < z[i].length; j++) z[i][j] = i == j ? Float.NaN : 100 * z[i][j];   // percent
        Heatmap h = Heatmap.builder().title("Which variates the model uses")
            .subtitle("increase of the target's forecast MSE (%) when a source's history is swapped ("
                      + v.windows() + " test windows; own history blank)")
            .xLabel("source (history swapped)").yLabel("target (forecast)").xTickLabels(v.names()).yTickLabels(v.names())
            .valueLabel("ΔMSE (%)").colorMap(ColorMap.Kind.SEQUENTIAL).cellValues("%.1f").build(z);
        return chart(h.chart(), 820, 620, v.toString());
    }

    /** A model card: configuration and parameter count above its current averaging matrix. */
    public static Picture model(Tsm2 m) {
        var c = m.config();
        String text = String.format(Locale.ROOT, "TSM2 (design %s): T=%d, H=%d, M=%d; d_model %d, %d blocks, N=%d; "
                                    + "patches %d/%d (%d tokens); RevIN %s; %,d parameters", c.design(), c.seqLen(),
                                    c.horizon(), c.variates(), c.dModel(), c.layers(), c.dState(), c.patchLen(),
                                    c.patchStride(), c.numPatches(), c.revin() ? "on" : "off", m.parameterCount());
        Picture avg = averaging(dev.mambamixer.engine.introspect.Introspector.averaging(m));
        Picture head = message(avg.getWidth(), 56, text);
        Picture p = new Picture(avg.getWidth(), avg.getHeight() + head.getHeight(), text + "\n" + avg.text());
        Graphics2D g = p.graphics();
        try {
            g.drawImage(head, 0, 0, null);
            g.drawImage(avg, 0, head.getHeight(), null);
        } finally {
            g.dispose();
        }
        return p;
    }
}
