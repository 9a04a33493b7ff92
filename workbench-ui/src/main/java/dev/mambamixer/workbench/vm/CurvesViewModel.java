package dev.mambamixer.workbench.vm;

import dev.mambamixer.engine.train.TrainingListener.EpochEvent;
import dev.mambamixer.engine.train.TrainingListener.HeldOutEvent;
import dev.mambamixer.engine.train.TrainingListener.StepEvent;
import dev.mambamixer.workbench.session.RunCurves;
import dev.mambamixer.workbench.session.UiEvents.EvalPoint;
import dev.mambamixer.workbench.session.UiEvents.StepPoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleObjectProperty;

/**
 * The training curves' data and display settings: raw points per series (x as step and as wall
 * seconds), EMA smoothing weight (TensorBoard's debiased EMA, applied by the chart), log scale
 * and the x axis. {@link #revisionProperty()} ticks once per applied batch, so the view redraws
 * at most once per batch; it asks for the points added since its last redraw.
 */
public final class CurvesViewModel {
    public enum XAxis {
        STEP("step"), WALL("wall time (s)");
        public final String label;
        XAxis(String label) { this.label = label; }
        @Override public String toString() { return label; }
    }

    public static final String TRAIN_LOSS = "train loss", VAL_MSE = "val MSE", VAL_MAE = "val MAE",
            HELD_OUT_LOSS = "held-out loss", ACCURACY = "held-out accuracy", LR = "learning rate",
            SPEED = "samples/s", BATCH_ACCURACY = "batch accuracy";

    /** One growing series: x as step and as wall seconds, and y. */
    public static final class Series {
        private double[] step = new double[64], wall = new double[64], y = new double[64];
        private int n;

        void add(double s, double w, double v) {
            if (n == y.length) {
                step = Arrays.copyOf(step, 2 * n);
                wall = Arrays.copyOf(wall, 2 * n);
                y = Arrays.copyOf(y, 2 * n);
            }
            step[n] = s;
            wall[n] = w;
            y[n++] = v;
        }

        public int size() { return n; }
        public double[] x(XAxis axis, int from) { return Arrays.copyOfRange(axis == XAxis.STEP ? step : wall, from, n); }
        public double[] y(int from) { return Arrays.copyOfRange(y, from, n); }
        public double lastY() { return n == 0 ? Double.NaN : y[n - 1]; }
    }

    private final Map<String, Series> series = new LinkedHashMap<>();
    private final Map<String, Map<String, Series>> comparisons = new LinkedHashMap<>();
    private final DoubleProperty smoothing = new SimpleDoubleProperty(this, "smoothing", 0.6);
    private final BooleanProperty logScale = new SimpleBooleanProperty(this, "logScale", false);
    private final ObjectProperty<XAxis> xAxis = new SimpleObjectProperty<>(this, "xAxis", XAxis.STEP);
    private final ReadOnlyLongWrapper revision = new ReadOnlyLongWrapper(this, "revision");
    private final ReadOnlyLongWrapper resets = new ReadOnlyLongWrapper(this, "resets");
    private long lastSamples = -1;
    private double lastWall;
    /** The x range shown ({lower, upper} on the current x axis), or null: everything. */
    private final ObjectProperty<double[]> xRange = new SimpleObjectProperty<>(this, "xRange");
    private double bestStep = Double.NaN, bestWall = Double.NaN;

    public CurvesViewModel() {
        xAxis.addListener((o, a, b) -> xRange.set(null));   // a step range means nothing in seconds
        smoothing.addListener((o, a, b) -> {
            double w = b.doubleValue();
            if (!(w >= 0 && w < 1)) smoothing.set(Math.max(0, Math.min(0.999, Double.isFinite(w) ? w : 0)));
        });
    }

    /** Seconds of training a samples/s point averages over (single steps are too noisy). */
    static final double SPEED_INTERVAL_S = 0.5;

    /** Appends a batch of steps (FX thread). samples/s: samples over wall time, per ≥ 0.5 s interval. */
    public void addSteps(List<StepPoint> steps) {
        for (StepPoint p : steps) {
            get(TRAIN_LOSS).add(p.step(), p.wallSeconds(), p.loss());
            get(LR).add(p.step(), p.wallSeconds(), p.lr());
            if (Double.isFinite(p.accuracy())) get(BATCH_ACCURACY).add(p.step(), p.wallSeconds(), p.accuracy());
            if (lastSamples < 0 || p.samples() < lastSamples) {   // first step, or a new run
                lastSamples = p.samples();
                lastWall = p.wallSeconds();
            } else if (p.wallSeconds() - lastWall >= SPEED_INTERVAL_S) {
                get(SPEED).add(p.step(), p.wallSeconds(), (p.samples() - lastSamples) / (p.wallSeconds() - lastWall));
                lastSamples = p.samples();
                lastWall = p.wallSeconds();
            }
        }
        if (!steps.isEmpty()) bump();
    }

    public void addEvals(List<EvalPoint> evals) {
        for (EvalPoint e : evals) {
            if (e.best()) {
                bestStep = e.step();
                bestWall = e.wallSeconds();
            }
            if (Double.isFinite(e.valMse())) get(VAL_MSE).add(e.step(), e.wallSeconds(), e.valMse());
            if (Double.isFinite(e.valMae())) get(VAL_MAE).add(e.step(), e.wallSeconds(), e.valMae());
            if (Double.isFinite(e.heldOutLoss())) get(HELD_OUT_LOSS).add(e.step(), e.wallSeconds(), e.heldOutLoss());
            if (Double.isFinite(e.accuracy())) get(ACCURACY).add(e.step(), e.wallSeconds(), e.accuracy());
        }
        if (!evals.isEmpty()) bump();
    }

    /** Replaces everything by a finished run's events (explore mode). */
    public void load(RunCurves run) {
        clear();
        List<StepPoint> sp = new ArrayList<>();
        for (StepEvent e : run.steps())
            sp.add(new StepPoint(e.step(), e.epoch(), e.loss(), e.lr(), e.gradNorm(), e.samples(), e.wallSeconds(), 0,
                                 e.accuracy()));
        addSteps(sp);
        List<EvalPoint> ep = new ArrayList<>();
        for (EpochEvent e : run.validations())
            ep.add(new EvalPoint(e.step(), e.wallSeconds(), e.trainLoss(), e.valMse(), e.valMae(), Double.NaN, Double.NaN,
                                 e.best()));
        for (HeldOutEvent e : run.heldOut())
            ep.add(new EvalPoint(e.step(), e.wallSeconds(), Double.NaN, Double.NaN, Double.NaN, e.loss(), e.accuracy(), false));
        addEvals(ep);
    }

    /**
     * Adds another run's train loss and its validation MSE, or its held-out accuracy (teaching and
     * ViM2 runs), as comparison series named "name: train loss" etc.
     */
    public void addComparison(String name, RunCurves run) {
        Map<String, Series> m = new LinkedHashMap<>();
        Series loss = new Series();
        for (StepEvent e : run.steps()) loss.add(e.step(), e.wallSeconds(), e.loss());
        m.put(name + ": " + TRAIN_LOSS, loss);
        if (!run.validations().isEmpty()) {
            Series val = new Series();
            for (EpochEvent e : run.validations()) val.add(e.step(), e.wallSeconds(), e.valMse());
            m.put(name + ": " + VAL_MSE, val);
        }
        if (!run.heldOut().isEmpty()) {
            Series acc = new Series();
            for (HeldOutEvent e : run.heldOut()) acc.add(e.step(), e.wallSeconds(), e.accuracy());
            m.put(name + ": " + ACCURACY, acc);
        }
        comparisons.put(name, m);
        resets.set(resets.get() + 1);   // the view rebuilds every series
        bump();
    }

    /**
     * A compared run's short name for legends: the name the user gave it in the runs table, else
     * "etth1 19:45:07" for a run folder named "20261204-194507-etth1" (the date is in the folder
     * name, the legend needs the run); other names unchanged.
     */
    public static String runLabel(java.nio.file.Path runDir) {
        return runLabel(runDir, dev.mambamixer.engine.io.RunFolder.readLabel(runDir));
    }

    /** {@link #runLabel(java.nio.file.Path)} with the folder's label already read (no file access). */
    public static String runLabel(java.nio.file.Path runDir, java.util.Optional<String> given) {
        if (given.isPresent()) return given.get();
        String n = runDir.getFileName().toString();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\d{8}-(\\d{2})(\\d{2})(\\d{2})(?:-(.+))?").matcher(n);
        if (!m.matches()) return n;
        String time = m.group(1) + ":" + m.group(2) + ":" + m.group(3);
        return m.group(4) == null ? time : m.group(4) + " " + time;
    }

    /** Something the user did during the run, marked on the curves: a pause, a resume, a learning-rate change. */
    public record RunEvent(double step, double wallSeconds, String label) {}

    private final List<RunEvent> events = new ArrayList<>();

    /** Marks {@code label} at the newest step drawn (nothing before the first step). */
    public void markEvent(String label) {
        Series loss = series.get(TRAIN_LOSS);
        if (loss == null || loss.size() == 0) return;
        events.add(new RunEvent(loss.step[loss.n - 1], loss.wall[loss.n - 1], label));
        bump();
    }

    /**
     * Points {@code from} onwards of a series on the current x axis, as {x, y}. In wall time a pause
     * would join the last step before it to the first after it with a long diagonal; there a NaN
     * point is put in between, so the line breaks (the chart skips non-finite values).
     */
    public double[][] points(String name, int from) {
        Series sr = series.get(name);
        double[] xs = sr.x(xAxis.get(), from), ys = sr.y(from);
        if (xAxis.get() != XAxis.WALL) return new double[][] {xs, ys};
        // the break goes before the first point after each pause mark that follows a wall-time gap
        // of more than a second (the trainer may finish a step or two after the click)
        java.util.Set<Integer> breaks = new java.util.HashSet<>();
        for (RunEvent e : events) {
            if (!e.label().equals("paused")) continue;
            for (int i = 1; i < sr.n; i++)
                if (sr.step[i - 1] >= e.step() && sr.wall[i] - sr.wall[i - 1] > PAUSE_GAP_S) {
                    breaks.add(i);
                    break;
                }
        }
        if (breaks.isEmpty()) return new double[][] {xs, ys};
        List<Double> ox = new ArrayList<>(), oy = new ArrayList<>();
        for (int i = from; i < sr.n; i++) {
            if (breaks.contains(i)) {
                ox.add(sr.wall[i - 1]);
                oy.add(Double.NaN);   // the chart skips non-finite values: the line breaks here
            }
            ox.add(sr.wall[i]);
            oy.add(sr.y[i]);
        }
        return new double[][] {ox.stream().mapToDouble(Double::doubleValue).toArray(),
                               oy.stream().mapToDouble(Double::doubleValue).toArray()};
    }

    /** A wall-time gap after a pause mark longer than this is the pause. */
    static final double PAUSE_GAP_S = 1.0;

    /** The marked events of this run, oldest first. */
    public List<RunEvent> events() { return List.copyOf(events); }

    /** The comparison name of the previous run's curves, kept when a new run starts. */
    public static final String PREVIOUS_RUN = "previous run";

    /**
     * Keeps this run's train loss and validation MSE (or held-out accuracy) as the comparison
     * {@value #PREVIOUS_RUN} (replacing an older one), so a restart does not silently discard them;
     * false when there is nothing to keep.
     */
    public boolean keepAsPrevious() {
        Series loss = series.get(TRAIN_LOSS);
        if (loss == null || loss.size() == 0) return false;
        Map<String, Series> m = new LinkedHashMap<>();
        m.put(PREVIOUS_RUN + ": " + TRAIN_LOSS, copy(loss));
        if (series.get(VAL_MSE) != null) m.put(PREVIOUS_RUN + ": " + VAL_MSE, copy(series.get(VAL_MSE)));
        if (series.get(ACCURACY) != null) m.put(PREVIOUS_RUN + ": " + ACCURACY, copy(series.get(ACCURACY)));
        comparisons.remove(PREVIOUS_RUN);
        comparisons.put(PREVIOUS_RUN, m);
        resets.set(resets.get() + 1);
        bump();
        return true;
    }

    private static Series copy(Series s) {
        Series c = new Series();
        for (int i = 0; i < s.n; i++) c.add(s.step[i], s.wall[i], s.y[i]);
        return c;
    }

    /** Drops one comparison run (e.g. the run just opened, which is drawn as the run itself). */
    public void removeComparison(String name) {
        if (comparisons.remove(name) == null) return;
        resets.set(resets.get() + 1);
        bump();
    }

    /** Gives a compared run a new name in the legends; its place (and so its colour) stays. */
    public void renameComparison(String from, String to) {
        if (from.equals(to) || !comparisons.containsKey(from) || comparisons.containsKey(to)) return;
        Map<String, Map<String, Series>> renamed = new LinkedHashMap<>();
        comparisons.forEach((run, m) -> {
            if (!run.equals(from)) renamed.put(run, m);
            else {
                Map<String, Series> r = new LinkedHashMap<>();
                m.forEach((k, v) -> r.put(to + k.substring(from.length()), v));
                renamed.put(to, r);
            }
        });
        comparisons.clear();
        comparisons.putAll(renamed);
        resets.set(resets.get() + 1);
        bump();
    }

    public void clearComparisons() {
        comparisons.clear();
        resets.set(resets.get() + 1);
        bump();
    }

    public void clear() {
        series.clear();
        events.clear();
        lastSamples = -1;
        bestStep = bestWall = Double.NaN;
        xRange.set(null);
        resets.set(resets.get() + 1);
        bump();
    }

    private Series get(String name) { return series.computeIfAbsent(name, k -> new Series()); }

    // ------------------------------------------------------------------ exploring the curves

    /** Shows only x in [a, b] (either order; on the current x axis); a range under 1e-9 wide is ignored. */
    public void zoom(double a, double b) {
        double lo = Math.min(a, b), hi = Math.max(a, b);
        if (!(hi - lo > 1e-9) || !Double.isFinite(lo) || !Double.isFinite(hi)) return;
        xRange.set(new double[] {lo, hi});
    }

    /** Moves the zoomed range by {@code dx} (no effect when not zoomed). */
    public void pan(double dx) {
        double[] r = xRange.get();
        if (r != null && Double.isFinite(dx)) xRange.set(new double[] {r[0] + dx, r[1] + dx});
    }

    public void resetZoom() { xRange.set(null); }

    /** The step (or wall time, by the x axis) of the best validation so far, or NaN. */
    public double bestX() { return xAxis.get() == XAxis.STEP ? bestStep : bestWall; }

    /**
     * What the curves say at {@code x} (on the current x axis): per series the raw value of the
     * point nearest to x, with its step where that differs from the others' (validations, held-out
     * evaluations), e.g. "step 1,200 · train loss 0.4121 · val MSE 0.2930 (best) · learning rate 8.1e-4".
     */
    public String readout(double x) {
        if (!Double.isFinite(x) || series.isEmpty()) return "";
        Series anchor = series.get(TRAIN_LOSS);
        int ai = anchor == null ? -1 : nearest(anchor, x);
        double stepAt = ai < 0 ? Double.NaN : anchor.step[ai];
        StringBuilder sb = new StringBuilder();
        if (!Double.isNaN(stepAt)) sb.append(String.format(java.util.Locale.ROOT, "step %,d", (long) stepAt));
        if (ai >= 0 && xAxis.get() == XAxis.WALL) sb.append(String.format(java.util.Locale.ROOT, " (%.1f s)", anchor.wall[ai]));
        for (Map.Entry<String, Series> e : series.entrySet()) {
            Series sr = e.getValue();
            int i = nearest(sr, x);
            if (i < 0) continue;
            if (sb.length() > 0) sb.append(" · ");
            sb.append(e.getKey()).append(' ').append(format(sr.y[i]));
            if (sr.step[i] != stepAt) sb.append(String.format(java.util.Locale.ROOT, " (step %,d)", (long) sr.step[i]));
            if (e.getKey().equals(VAL_MSE) && sr.step[i] == bestStep) sb.append(" best");
        }
        return sb.toString();
    }

    private int nearest(Series s, double x) {
        if (s.n == 0) return -1;
        double[] xs = xAxis.get() == XAxis.STEP ? s.step : s.wall;
        int lo = 0, hi = s.n - 1;
        while (lo < hi) {   // first index with xs >= x (xs ascending)
            int mid = (lo + hi) >>> 1;
            if (xs[mid] < x) lo = mid + 1;
            else hi = mid;
        }
        return lo > 0 && Math.abs(xs[lo - 1] - x) <= Math.abs(xs[lo] - x) ? lo - 1 : lo;
    }

    private static String format(double v) {
        if (!Double.isFinite(v)) return String.valueOf(v);
        double a = Math.abs(v);
        String f = a == 0 ? "%.0f" : a < 0.01 || a >= 1e5 ? "%.3g" : a < 10 ? "%.4f" : a < 1000 ? "%.2f" : "%.0f";
        return String.format(java.util.Locale.ROOT, f, v);
    }

    private void bump() { revision.set(revision.get() + 1); }

    /** The series of this run by name, or null. */
    public Series series(String name) { return series.get(name); }

    public List<String> seriesNames() { return List.copyOf(series.keySet()); }

    /** Comparison series, "run: series" → data. */
    public Map<String, Series> comparisonSeries() {
        Map<String, Series> all = new LinkedHashMap<>();
        comparisons.values().forEach(all::putAll);
        return all;
    }

    public List<String> comparisonNames() { return List.copyOf(comparisons.keySet()); }

    public DoubleProperty smoothingProperty() { return smoothing; }
    public BooleanProperty logScaleProperty() { return logScale; }
    public ObjectProperty<XAxis> xAxisProperty() { return xAxis; }
    /** The zoomed x range {lower, upper}, or null for everything. */
    public ObjectProperty<double[]> xRangeProperty() { return xRange; }
    /** Ticks once per applied batch with new points. */
    public ReadOnlyLongProperty revisionProperty() { return revision.getReadOnlyProperty(); }
    /** Ticks when the series must be rebuilt from scratch (clear, comparison added). */
    public ReadOnlyLongProperty resetsProperty() { return resets.getReadOnlyProperty(); }
}
