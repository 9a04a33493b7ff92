package dev.mambamixer.workbench.vm;

import dev.mambamixer.engine.introspect.Stats;
import dev.mambamixer.workbench.session.UiEvents.GroupRatio;
import dev.mambamixer.workbench.session.UiEvents.RatioPoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;

/**
 * DL4J-style diagnostics: the update:parameter ratio per parameter group over steps (log10; the
 * guideline is about -3: much higher means the learning rate is too high, much lower that the
 * group barely learns) and Δ percentile bands per mixer/direction over the snapshots.
 */
public final class DiagnosticsViewModel {
    public static final double RATIO_GUIDELINE = -3.0;
    public static final String RATIO_TOOLTIP = "log10(‖Δθ‖ / ‖θ‖) per parameter group after an optimiser step. "
            + "DL4J's guideline: about -3 (1:1000). Much above (-1) the updates are too large (lower the learning rate); "
            + "far below (-5) the group barely moves.";

    /** Steps and values of one series. */
    public record Points(List<Double> steps, List<Double> values) {
        public double[] x() { return steps.stream().mapToDouble(Double::doubleValue).toArray(); }
        public double[] y() { return values.stream().mapToDouble(Double::doubleValue).toArray(); }
    }

    private final Map<String, Points> ratios = new LinkedHashMap<>();
    private final List<Long> deltaSteps = new ArrayList<>();
    private final Map<String, List<Stats>> deltaStats = new LinkedHashMap<>();
    private final ReadOnlyLongWrapper revision = new ReadOnlyLongWrapper(this, "revision");

    public void addRatios(List<RatioPoint> points) {
        for (RatioPoint p : points)
            for (GroupRatio g : p.groups()) {
                Points s = ratios.computeIfAbsent(g.group(), k -> new Points(new ArrayList<>(), new ArrayList<>()));
                s.steps().add((double) p.step());
                s.values().add(g.log10Ratio());
            }
        if (!points.isEmpty()) bump();
    }

    /** Δ statistics of one snapshot, keyed "mixer/direction" (a repeated step replaces nothing). */
    public void addDeltaStats(long step, Map<String, Stats> stats) {
        if (!deltaSteps.isEmpty() && deltaSteps.get(deltaSteps.size() - 1) >= step) return;
        deltaSteps.add(step);
        for (Map.Entry<String, Stats> e : stats.entrySet())
            deltaStats.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
        bump();
    }

    public void clear() {
        ratios.clear();
        deltaSteps.clear();
        deltaStats.clear();
        bump();
    }

    /** The newest log10 ratio of a group (NaN when none). */
    public double latestRatio(String group) {
        Points p = ratios.get(group);
        return p == null || p.values().isEmpty() ? Double.NaN : p.values().get(p.values().size() - 1);
    }

    public Map<String, Points> ratios() { return ratios; }
    public List<Long> deltaSteps() { return deltaSteps; }
    /** "mixer/direction" → Δ stats per snapshot step (aligned with {@link #deltaSteps()}). */
    public Map<String, List<Stats>> deltaStats() { return deltaStats; }
    public ReadOnlyLongProperty revisionProperty() { return revision.getReadOnlyProperty(); }

    private void bump() { revision.set(revision.get() + 1); }
}
