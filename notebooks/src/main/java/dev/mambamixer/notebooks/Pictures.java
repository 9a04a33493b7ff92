package dev.mambamixer.notebooks;

import dev.mambamixer.charts.ChartImages;
import dev.mambamixer.charts.ColorMap;
import dev.mambamixer.charts.CurveChart;
import dev.mambamixer.charts.Heatmap;
import dev.mambamixer.charts.Theme;
import dev.mambamixer.engine.data.teaching.Mark;
import dev.mambamixer.engine.data.teaching.SequenceExample;
import dev.mambamixer.engine.introspect.AveragingMatrix;
import dev.mambamixer.engine.introspect.ForecastWindow;
import dev.mambamixer.engine.introspect.MixerCapture;
import dev.mambamixer.engine.introspect.ModelCapture;
import dev.mambamixer.engine.introspect.ScanCapture;
import dev.mambamixer.engine.introspect.SequenceCapture;
import dev.mambamixer.engine.model.SequenceModel;
import dev.mambamixer.engine.model.Tsm2;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.JFreeChart;

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
        if (o instanceof VariateInfluence v) return influence(v, List.of());
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

    /** A frame of the TSM2 training widget: loss curves on top, the token and channel mixers' gates below. */
    public static Picture trainingFrame(TrainingFrame f) {
        CurveChart loss = new CurveChart(f.title(), "step", "loss (MSE, standardised)");
        loss.addSeries("train loss", true);
        loss.addSeries("val MSE", false);
        loss.setData("train loss", f.stepX(), f.loss());
        loss.setData("val MSE", f.valX(), f.valMse());
        loss.setSubtitle(f.summary().substring(f.title().length() + 2));
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
        int m = cap.config().variates(), np = cap.config().numPatches(), e = sc.e(), l = sc.l();
        float[][] z = new float[m][np];
        boolean time = mc.kind().equals("time");
        // time mixer: sequences (batch, variate), positions = patches; variate mixer: sequences (batch, patch), positions = variates
        for (int v = 0; v < m; v++)
            for (int p = 0; p < np; p++) {
                int seq = time ? mc.seq(0, v) : mc.seq(0, p), pos = time ? p : v;
                double sum = 0;
                for (int k = 0; k < e; k++) sum += sc.gate()[(seq * l + pos) * e + k];
                z[v][p] = (float) (sum / e);
            }
        return Heatmap.builder().title(title).subtitle("mean SiLU(z) over " + e + " inner channels, step " + cap.step())
                      .xLabel("patch").yLabel("variate").yTickLabels(names).valueLabel("gate").build(z).chart();
    }

    /** A frame of the teaching widget: loss and held-out accuracy on top, Δ of the token mixers below. */
    public static Picture teachingFrame(TeachingFrame f) {
        CurveChart curves = new CurveChart(f.title(), "step", "training loss (cross-entropy)");
        curves.addSeries("training loss", true);
        curves.setData("training loss", f.stepX(), f.loss());
        curves.setSecondaryLabel("held-out accuracy");
        curves.setSecondaryData("held-out accuracy", f.evalX(), f.evalAccuracy());
        curves.setSubtitle(f.summary().substring(f.title().length() + 2));
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
        ScanCapture sc = mc.directions().get(0);
        int l = sc.l(), e = sc.e();
        float[][] z = new float[e][l];
        for (int t = 0; t < l; t++)
            for (int k = 0; k < e; k++) z[k][t] = sc.delta()[(example * l + t) * e + k];
        return Heatmap.builder().title("Δ, token mixer " + mc.name())
                      .subtitle("example " + example + ", step " + cap.step() + "; large Δ = the state takes the token in")
                      .xLabel("position").yLabel("inner channel").valueLabel("Δ")
                      .marks(marks(cap.examples().get(example))).build(z).chart();
    }

    /** Both token mixers' Δ on one example (the teaching notebook's main picture). */
    public static Picture teachingSelection(SequenceCapture cap, int example) {
        List<JFreeChart> charts = new ArrayList<>();
        for (int b = 0; b < cap.config().layers(); b++) charts.add(tokenDelta(cap, b, example));
        return grid("Δ of the token mixers on example " + example + " at step " + cap.step(), Math.min(2, charts.size()),
                    WIDTH / Math.min(2, charts.size()), 340, charts);
    }

    /** The example's marked positions as heatmap marks, one colour per role ("noise" is left out: it is everywhere). */
    static List<Heatmap.Mark> marks(SequenceExample ex) {
        List<Heatmap.Mark> out = new ArrayList<>();
        int role = 0;
        for (Mark m : ex.marks()) {
            if (m.role().equals("noise")) continue;
            Color c = Theme.color(role++ + 1);
            for (int t : m.positions()) out.add(new Heatmap.Mark(t, m.role(), c));
        }
        return out;
    }

    // ---- forecasting: selection, attention, averaging, forecasts ----------------------------------

    /** Δ, B, C and the gate of one mixer for one scanned sequence (first direction). */
    public static Picture selection(ModelCapture cap, String mixer, int seq) {
        MixerCapture mc = cap.mixer(mixer);
        ScanCapture sc = mc.directions().get(0);
        String where = mixer + " (" + sc.direction() + "), sequence " + seq + " of " + mc.sequenceAxes();
        List<JFreeChart> charts = List.of(
            positionMap(sc.delta(), seq, sc.l(), sc.e(), "Δ (step size)", "inner channel", mc.positionAxis(), "Δ"),
            positionMap(sc.b(), seq, sc.l(), sc.n(), "B (what enters the state)", "state index", mc.positionAxis(), "B"),
            positionMap(sc.c(), seq, sc.l(), sc.n(), "C (what is read out)", "state index", mc.positionAxis(), "C"),
            positionMap(sc.gate(), seq, sc.l(), sc.e(), "gate SiLU(z)", "inner channel", mc.positionAxis(), "gate"));
        return grid("selection of " + where + " at step " + cap.step(), 2, WIDTH / 2, 320, charts);
    }

    /** One (S, L, K) array of a scan for sequence {@code seq}: K rows × L positions. */
    static JFreeChart positionMap(float[] sle, int seq, int l, int k, String title, String rowLabel, String posLabel,
                                  String value) {
        float[][] z = new float[k][l];
        for (int t = 0; t < l; t++) for (int j = 0; j < k; j++) z[j][t] = sle[(seq * l + t) * k + j];
        return Heatmap.builder().title(title).xLabel(posLabel).yLabel(rowLabel).valueLabel(value).build(z).chart();
    }

    /** Implicit attention of a mixer for one sequence: mean |α| over channels, summed over directions. */
    public static Picture attention(ModelCapture cap, String mixer, int seq, List<String> positionNames) {
        MixerCapture mc = cap.mixer(mixer);
        float[][] a = mc.meanAbsAttention(seq);
        String dirs = mc.bidirectional() ? "forward + backward" : "forward";
        Heatmap.Builder b = Heatmap.builder().title("implicit attention, " + mixer)
            .subtitle("mean |α| over " + mc.directions().get(0).e() + " channels, " + dirs + "; sequence " + seq)
            .xLabel("source " + mc.positionAxis()).yLabel("target " + mc.positionAxis()).valueLabel("|α|");
        if (positionNames != null) b.xTickLabels(positionNames).yTickLabels(positionNames);
        return chart(b.build(a).chart(), 620, 520, "implicit attention of " + mixer + " (" + dirs + "), sequence " + seq);
    }

    /**
     * Mean Δ over the inner channels along the positions of one TSM2 token mixer, one line per
     * window of the capture, for variate {@code variate}: a selective scan picks its step size per
     * input, so different windows give different profiles (a fixed, LTI SSM would give one line).
     */
    public static Picture deltaProfile(ModelCapture cap, String mixer, int variate, List<String> names) {
        MixerCapture mc = cap.mixer(mixer);
        if (!mc.kind().equals("time")) throw new IllegalArgumentException(mixer + " is not a token (time) mixer");
        ScanCapture sc = mc.directions().get(0);
        int l = sc.l(), e = sc.e();
        String name = names == null ? "variate " + variate : names.get(variate);
        CurveChart c = new CurveChart("Δ along the patches, " + mixer + ", " + name, mc.positionAxis(),
                                      "mean Δ over " + e + " inner channels");
        double[] x = new double[l];
        for (int t = 0; t < l; t++) x[t] = t;
        StringBuilder text = new StringBuilder("mean Δ per " + mc.positionAxis() + " of " + mixer + ", " + name + ":\n");
        for (int b = 0; b < cap.batch(); b++) {
            int seq = mc.seq(b, variate);
            double[] y = new double[l];
            for (int t = 0; t < l; t++) {
                double sum = 0;
                for (int k = 0; k < e; k++) sum += sc.delta()[(seq * l + t) * e + k];
                y[t] = sum / e;
            }
            String series = "probe window " + b;
            c.addSeries(series, false);
            c.setData(series, x, y);
            text.append(series).append(':');
            for (double v : y) text.append(String.format(Locale.ROOT, " %.3f", v));
            text.append('\n');
        }
        c.setSubtitle("one line per input window: the step size Δ is chosen per input (selection)");
        return chart(c.chart(), WIDTH, 400, text.toString());
    }

    /**
     * How a TSM2 channel (variate) mixer mixes the variates: mean |α| over channels, summed over
     * directions, averaged over all its scanned sequences (every window and patch of the capture).
     * Row = target variate, column = source variate.
     */
    public static Picture channelAttention(ModelCapture cap, String mixer, List<String> names) {
        MixerCapture mc = cap.mixer(mixer);
        if (!mc.kind().equals("variate")) throw new IllegalArgumentException(mixer + " is not a channel (variate) mixer");
        int l = mc.l();
        float[][] mean = new float[l][l];
        for (int q = 0; q < mc.s(); q++) {
            float[][] a = mc.meanAbsAttention(q);
            for (int t = 0; t < l; t++) for (int s = 0; s < l; s++) mean[t][s] += a[t][s] / mc.s();
        }
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
        Heatmap h = Heatmap.builder().title("weighted averaging (" + a.mode() + ")")
            .subtitle("row: the mixer's input = Σ weight · source; blank = not connected")
            .xLabel("source").yLabel("target mixer").xTickLabels(a.sources()).yTickLabels(a.targets())
            .valueLabel("weight").colorMap(ColorMap.Kind.DIVERGING).cellValues("%.2f").build(a.rows());
        return chart(h.chart(), 760, 160 + 60 * a.targetCount(), averagingText(a));
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
        String name = f.variateNames().get(variate);
        CurveChart c = new CurveChart("forecast of " + name + ", window " + f.window(),
                                      "hours (0 = forecast start)", f.originalUnits() ? name : name + " (standardised)");
        double[] hx = new double[f.lookback()], fx = new double[f.horizon()];
        for (int i = 0; i < hx.length; i++) hx[i] = i - f.lookback() + 1;
        for (int i = 0; i < fx.length; i++) fx[i] = i + 1;
        c.addSeries("history", false);
        c.addSeries("truth", false);
        c.addSeries("prediction", false);
        c.setData("history", hx, f.history(variate));
        c.setData("truth", fx, f.truth(variate));
        c.setData("prediction", fx, f.prediction(variate));
        c.setSubtitle(String.format(Locale.ROOT, "window MSE %.4f, MAE %.4f (standardised, all variates)", f.mse(), f.mae()));
        return chart(c.chart(), WIDTH, 420, f.toString());
    }

    /** Permutation influence (target × source) with the known edges outlined by name. */
    public static Picture influence(VariateInfluence v, List<String> knownEdges) {
        Heatmap h = Heatmap.builder().title("which variates the model uses")
            .subtitle("relative MSE increase of the target's forecast when a source's history is swapped, "
                      + v.windows() + " test windows")
            .xLabel("source (history swapped)").yLabel("target (forecast)").xTickLabels(v.names()).yTickLabels(v.names())
            .valueLabel("ΔMSE / MSE").cellValues("%.2f").build(v.matrix());
        return chart(h.chart(), 820, 620, v.toString());
    }

    /** A model card: configuration and parameter count, with its current averaging matrix. */
    public static Picture model(Tsm2 m) {
        var c = m.config();
        String text = String.format(Locale.ROOT, "TSM2 %s: T=%d, H=%d, M=%d, d_model %d, %d blocks, N=%d, %s patches %d/%d "
                                    + "(%d tokens), RevIN %s, %,d parameters", c.design(), c.seqLen(), c.horizon(),
                                    c.variates(), c.dModel(), c.layers(), c.dState(), c.design(), c.patchLen(),
                                    c.patchStride(), c.numPatches(), c.revin() ? "on" : "off", m.parameterCount());
        Picture avg = averaging(dev.mambamixer.engine.introspect.Introspector.averaging(m));
        Picture p = new Picture(avg.getWidth(), avg.getHeight() + 40, text + "\n" + avg.text());
        Graphics2D g = p.graphics();
        try {
            g.setColor(Theme.TEXT);
            g.setFont(Theme.LEGEND_FONT.deriveFont(Font.BOLD));
            g.drawString(text.length() > 110 ? text.substring(0, 110) + "…" : text, 10, 26);
            g.drawImage(avg, 0, 40, null);
        } finally {
            g.dispose();
        }
        return p;
    }
}
