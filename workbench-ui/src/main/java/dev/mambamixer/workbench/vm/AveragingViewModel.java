package dev.mambamixer.workbench.vm;

import dev.mambamixer.charts.AveragingChart;
import dev.mambamixer.charts.Heatmap;
import dev.mambamixer.engine.introspect.AveragingHistory;
import dev.mambamixer.engine.introspect.AveragingMatrix;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import org.jfree.chart.JFreeChart;

/**
 * The weighted-averaging coefficients (MODEL.md §5.3): the newest matrix (target × source) and its
 * history over the snapshots, for the drift sparklines.
 */
public final class AveragingViewModel {
    private final ReadOnlyObjectWrapper<AveragingMatrix> matrix = new ReadOnlyObjectWrapper<>(this, "matrix");
    private AveragingHistory history = new AveragingHistory();
    private final ReadOnlyLongWrapper revision = new ReadOnlyLongWrapper(this, "revision");

    /** Records the coefficients after {@code step} (ignores a repeated step: the final capture repeats the last). */
    public void add(long step, AveragingMatrix m) {
        if (m == null) return;
        int n = history.size();
        if (n == 0 || history.step(n - 1) < step) history.record(step, m);
        matrix.set(m);
        revision.set(revision.get() + 1);
    }

    /** Replaces the history (explore mode: the run folder's averaging history). */
    public void load(AveragingHistory h) {
        history = h == null ? new AveragingHistory() : h;
        matrix.set(history.size() == 0 ? null : history.get(history.size() - 1));
        revision.set(revision.get() + 1);
    }

    public void clear() { load(null); }

    /** Drift of weight (target, source) over the recorded steps. */
    public double[] drift(int target, int source) {
        float[] s = history.series(target, source);
        double[] d = new double[s.length];
        for (int i = 0; i < s.length; i++) d[i] = s[i];
        return d;
    }

    public double[] steps() { return history.steps().stream().mapToDouble(Long::doubleValue).toArray(); }

    /** The step of the newest recorded coefficients, or -1 before any. */
    public long lastStep() { return history.size() == 0 ? -1 : history.step(history.size() - 1); }

    /** The target × source matrix of the newest coefficients, titled with {@link #lastStep()}; null before any. */
    public Heatmap matrixChart() {
        AveragingMatrix m = matrix.get();
        return m == null ? null : AveragingChart.matrix(m, lastStep());
    }

    /** Each weight's drift over the recorded steps; null while nothing is recorded. */
    public JFreeChart driftChart() { return history.size() == 0 ? null : AveragingChart.drift(history); }

    public AveragingHistory history() { return history; }
    public ReadOnlyObjectProperty<AveragingMatrix> matrixProperty() { return matrix.getReadOnlyProperty(); }
    public ReadOnlyLongProperty revisionProperty() { return revision.getReadOnlyProperty(); }
}
