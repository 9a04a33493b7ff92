package dev.mambamixer.workbench.vm;

import dev.mambamixer.charts.ParallelAxis;
import dev.mambamixer.charts.ParallelCoordinates;
import dev.mambamixer.charts.ParallelCoordinates.Range;
import dev.mambamixer.engine.introspect.RunHistory;
import dev.mambamixer.engine.sweep.SweepFolder.DiskStatus;
import dev.mambamixer.workbench.session.RunCurves;
import dev.mambamixer.workbench.session.SweepRow;
import dev.mambamixer.workbench.session.SweepSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.ObservableMap;
import javafx.collections.transformation.FilteredList;
import javafx.collections.transformation.SortedList;

/**
 * The sweep view (File → Open sweep…): one row per planned run of a sweep folder, its columns,
 * sorting, a text filter and per-axis brushes that the table and the parallel-coordinates chart
 * both obey, and the training curves of the selected runs overlaid (the curve view's own
 * {@link CurvesViewModel} comparisons, read with {@link RunCurves}). Folders are read on a
 * background thread; rows are replaced in place on the FX thread, so sort, selection and brushes
 * stay. While a coordinator runs the sweep (or state.json changes), {@link #startLive} re-reads it.
 */
public final class SweepViewModel implements AutoCloseable {
    /** A table column: its title, its cell text, and a number to sort by (NaN last) for numeric columns. */
    public record Column(String title, boolean numeric, Function<SweepRow, String> text, ToDoubleFunction<SweepRow> number) {
        /** Ascending; numbers by value with NaN (not measured) last, text by its letters. */
        public Comparator<SweepRow> comparator() {
            if (!numeric) return Comparator.comparing(text);
            return (a, b) -> compareNumbers(number.applyAsDouble(a), number.applyAsDouble(b));
        }
    }

    /** The axis every chart ends with. */
    public static final String VAL_AXIS = "best val MSE";

    private final Executor uiExecutor;
    private final ExecutorService reader = Executors.newSingleThreadExecutor(daemon("sweep-reader"));
    private ScheduledExecutorService poller;
    private final Map<String, DiskStatus> settled = new ConcurrentHashMap<>();
    private final ObservableList<SweepRow> rows = FXCollections.observableArrayList();
    private final FilteredList<SweepRow> shown = new FilteredList<>(rows, r -> true);
    private final SortedList<SweepRow> sorted = new SortedList<>(shown);
    private final StringProperty filter = new SimpleStringProperty(this, "filter", "");
    private final ObservableMap<String, Range> brushes = FXCollections.observableMap(new LinkedHashMap<>());
    private final Set<String> selectedIds = new LinkedHashSet<>();
    private final ObservableList<SweepRow> overlaid = FXCollections.observableArrayList();
    private final CurvesViewModel curves = new CurvesViewModel();
    private final ReadOnlyBooleanWrapper live = new ReadOnlyBooleanWrapper(this, "live");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "No sweep open.");
    private final ReadOnlyLongWrapper revision = new ReadOnlyLongWrapper(this, "revision");
    private final ObjectProperty<Comparator<SweepRow>> comparator = new SimpleObjectProperty<>(this, "comparator");
    private volatile Path dir;
    private volatile long stateSeen;
    private List<String> options = List.of();
    private List<Column> columns = List.of();
    private List<ParallelAxis> axes = List.of();
    private List<Function<SweepRow, Double>> axisValues = List.of();
    private String name = "";
    private int updating;

    public SweepViewModel(Executor uiExecutor) {
        this.uiExecutor = uiExecutor;
        sorted.comparatorProperty().bind(comparator);
        filter.addListener((o, a, b) -> refilter());
        brushes.addListener((javafx.collections.MapChangeListener<String, Range>) c -> refilter());
    }

    // ------------------------------------------------------------------ reading

    /** Opens a sweep folder (background read); completes once its rows are in place. Forgets brushes and selection. */
    public CompletableFuture<SweepSnapshot> open(Path sweepDir) {
        dir = sweepDir;
        settled.clear();
        brushes.clear();
        selectedIds.clear();
        overlaid.clear();
        curves.clearComparisons();
        rows.clear();
        status.set("Reading " + sweepDir + " …");
        return refresh();
    }

    /** Reads the open sweep again; rows that changed are replaced where they are. */
    public CompletableFuture<SweepSnapshot> refresh() {
        Path d = dir;
        if (d == null) return CompletableFuture.failedFuture(new IllegalStateException("no sweep open"));
        CompletableFuture<SweepSnapshot> done = new CompletableFuture<>();
        CompletableFuture.supplyAsync(() -> {
            try {
                return SweepSnapshot.read(d, settled);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, reader).whenComplete((snap, t) -> uiExecutor.execute(() -> {
            if (t != null) {
                Throwable c = t;
                while ((c instanceof java.util.concurrent.CompletionException || c instanceof UncheckedIOException) && c.getCause() != null)
                    c = c.getCause();   // the IOException names the file and what is wrong
                status.set("Could not read " + d + ": " + c.getMessage());
                done.completeExceptionally(c);
                return;
            }
            if (!d.equals(dir)) {   // another sweep was opened meanwhile
                done.complete(snap);
                return;
            }
            apply(snap);
            done.complete(snap);
        }));
        return done;
    }

    private void apply(SweepSnapshot snap) {
        updating++;
        try {
            applyRows(snap);
        } finally {
            updating--;
        }
        refilter();   // also re-reads the overlaid curves that changed (a running run's grow)
    }

    private void applyRows(SweepSnapshot snap) {
        stateSeen = snap.stateModified();
        name = snap.name();
        if (!snap.options().equals(options) || columns.isEmpty()) {
            options = snap.options();
            columns = buildColumns(options, snap.rows());
        }
        Map<String, Integer> at = new HashMap<>();
        for (int i = 0; i < rows.size(); i++) at.put(rows.get(i).id(), i);
        List<SweepRow> added = new ArrayList<>();
        for (SweepRow r : snap.rows()) {
            Integer i = at.get(r.id());
            if (i == null) added.add(r);
            else if (!rows.get(i).equals(r)) rows.set(i, r);   // in place: sort, brushes and the selected ids stay
        }
        rows.addAll(added);
        buildAxes();
        live.set(snap.coordinatorRunning());
        long fin = count(SweepRow.Status.FINISHED), run = count(SweepRow.Status.RUNNING), fail = count(SweepRow.Status.FAILED),
             stopped = count(SweepRow.Status.STOPPED);
        status.set(String.format(Locale.ROOT, "%s: %d runs, %d finished, %d running, %s%d failed · %s", name, rows.size(), fin, run,
                                 stopped > 0 ? stopped + " stopped (sweep resume continues them), " : "", fail,
                                 snap.coordinatorRunning() ? "live (a coordinator is running it; re-read every few seconds)"
                                                           : "no coordinator running"));
    }

    private long count(SweepRow.Status s) { return rows.stream().filter(r -> r.status() == s).count(); }

    /**
     * One poll of the live view: re-reads the sweep when a coordinator runs it or state.json changed
     * since the last read; completes with whether it read.
     */
    public CompletableFuture<Boolean> poll() {
        Path d = dir;
        if (d == null) return CompletableFuture.completedFuture(false);
        return CompletableFuture.supplyAsync(() -> SweepSnapshot.coordinatorRunning(d) || SweepSnapshot.stateModified(d) != stateSeen,
                                             reader)
                                .thenCompose(changed -> changed ? refresh().thenApply(s -> true) : CompletableFuture.completedFuture(false));
    }

    /** Polls every {@code seconds} on a background thread until {@link #close}. */
    public synchronized void startLive(double seconds) {
        if (poller != null) return;
        poller = Executors.newSingleThreadScheduledExecutor(daemon("sweep-poll"));
        long ms = Math.max(100, Math.round(seconds * 1000));
        poller.scheduleWithFixedDelay(() -> {
            try {
                poll().get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                // reported in the status line by refresh; the next poll tries again
            }
        }, ms, ms, TimeUnit.MILLISECONDS);
    }

    @Override public synchronized void close() {
        if (poller != null) poller.shutdownNow();
        poller = null;
        reader.shutdownNow();
    }

    // ------------------------------------------------------------------ columns, filter, brushes

    private static List<Column> buildColumns(List<String> options, List<SweepRow> rows) {
        List<Column> c = new ArrayList<>();
        c.add(new Column("run", false, SweepRow::id, null));
        c.add(new Column("stage", false, r -> r.stage().name(), null));
        c.add(new Column("status", false, r -> r.status().toString(), null));
        c.add(new Column("dataset", false, SweepRow::dataset, null));
        c.add(new Column("T", true, r -> Integer.toString(r.seqLen()), SweepRow::seqLen));
        c.add(new Column("H", true, r -> Integer.toString(r.horizon()), SweepRow::horizon));
        for (int i = 0; i < options.size(); i++) {
            int k = i;
            boolean numeric = rows.stream().allMatch(r -> !Double.isNaN(number(r.values().get(k))));
            c.add(numeric ? new Column(options.get(i), true, r -> ParallelAxis.number(number(r.values().get(k))),
                                       r -> number(r.values().get(k)))
                          : new Column(options.get(i), false, r -> r.values().get(k), null));
        }
        c.add(new Column("seed", true, r -> Long.toString(r.seed()), r -> r.seed()));
        c.add(new Column(VAL_AXIS, true, r -> fixed(r.bestValMse()), SweepRow::bestValMse));
        c.add(new Column("test MSE", true, r -> fixed(r.testMse()), SweepRow::testMse));
        c.add(new Column("test MAE", true, r -> fixed(r.testMae()), SweepRow::testMae));
        c.add(new Column("wall time", true, r -> RunsViewModel.duration(r.wallSeconds()), SweepRow::wallSeconds));
        return List.copyOf(c);
    }

    /**
     * The chart's axes: each setting and grid option that takes more than one value in this sweep
     * (the dataset categorical, numbers linear or log), then {@value #VAL_AXIS}.
     */
    private void buildAxes() {
        List<ParallelAxis> a = new ArrayList<>();
        List<Function<SweepRow, Double>> v = new ArrayList<>();
        List<String> datasets = rows.stream().map(SweepRow::dataset).distinct().toList();
        if (datasets.size() > 1) {
            a.add(ParallelAxis.categorical("dataset", datasets));
            v.add(r -> (double) datasets.indexOf(r.dataset()));
        }
        numericAxis(a, v, "T", r -> (double) r.seqLen());
        numericAxis(a, v, "H", r -> (double) r.horizon());
        for (int i = 0; i < options.size(); i++) {
            int k = i;
            List<String> vals = rows.stream().map(r -> r.values().get(k)).distinct().toList();
            if (vals.size() < 2) continue;
            if (vals.stream().allMatch(s -> !Double.isNaN(number(s)))) numericAxis(a, v, options.get(i), r -> number(r.values().get(k)));
            else {
                a.add(ParallelAxis.categorical(options.get(i), vals));
                v.add(r -> (double) vals.indexOf(r.values().get(k)));
            }
        }
        a.add(ParallelAxis.numeric(VAL_AXIS, rows.stream().mapToDouble(SweepRow::bestValMse).toArray()));
        v.add(SweepRow::bestValMse);
        axes = List.copyOf(a);
        axisValues = List.copyOf(v);
    }

    private void numericAxis(List<ParallelAxis> a, List<Function<SweepRow, Double>> v, String name, Function<SweepRow, Double> f) {
        double[] vals = rows.stream().mapToDouble(f::apply).toArray();
        if (java.util.Arrays.stream(vals).distinct().count() < 2) return;
        a.add(ParallelAxis.numeric(name, vals));
        v.add(f);
    }

    private void refilter() {
        String text = filter.get();
        Map<String, Range> b = Map.copyOf(brushes);
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < axes.size(); i++) index.put(axes.get(i).name(), i);
        updating++;
        try {
            shown.setPredicate(r -> matches(r, text) && inBrushes(r, b, index));
        } finally {
            updating--;
        }
        revision.set(revision.get() + 1);
        updateOverlay();
    }

    private boolean inBrushes(SweepRow r, Map<String, Range> b, Map<String, Integer> index) {
        for (var e : b.entrySet()) {
            Integer i = index.get(e.getKey());
            if (i != null && !e.getValue().contains(axisValues.get(i).apply(r))) return false;
        }
        return true;
    }

    /** Every word of the filter appears in the row's id, stage, status, dataset, T/H, grid values or seed (any case). */
    boolean matches(SweepRow r, String text) {
        if (text == null || text.isBlank()) return true;
        StringBuilder b = new StringBuilder(r.id()).append(' ').append(r.stage()).append(' ').append(r.status()).append(' ')
                .append(r.dataset()).append(" T").append(r.seqLen()).append(" H").append(r.horizon()).append(" seed").append(r.seed());
        for (int i = 0; i < options.size(); i++) b.append(' ').append(options.get(i)).append('=').append(r.values().get(i));
        if (r.selected()) b.append(" selected");
        String s = b.toString().toLowerCase(Locale.ROOT);
        for (String w : text.toLowerCase(Locale.ROOT).trim().split("\\s+")) if (!s.contains(w)) return false;
        return true;
    }

    /** Brushes axis {@code axis} (a name of {@link #axes()}) to a range of its values; replaces its brush. */
    public void brush(String axis, Range range) { brushes.put(axis, range); }

    /** Removes the brush of {@code axis} (no effect without one). */
    public void clearBrush(String axis) { brushes.remove(axis); }

    /** The brushes by axis index, for the chart (axes without one absent). */
    public Map<Integer, Range> brushesByAxis() {
        Map<Integer, Range> m = new HashMap<>();
        for (int i = 0; i < axes.size(); i++) if (brushes.containsKey(axes.get(i).name())) m.put(i, brushes.get(axes.get(i).name()));
        return m;
    }

    /**
     * One chart line per row: its value on each axis; active = shown (passes the filter and the
     * brushes); emphasised = its curves are overlaid.
     */
    public List<ParallelCoordinates.Line> lines() {
        Set<SweepRow> in = new java.util.HashSet<>(shown);
        Set<SweepRow> over = new java.util.HashSet<>(overlaid);
        List<ParallelCoordinates.Line> out = new ArrayList<>();
        for (SweepRow r : rows) out.add(new ParallelCoordinates.Line(axisValues(r), in.contains(r), over.contains(r)));
        return out;
    }

    public double[] axisValues(SweepRow r) {
        double[] v = new double[axes.size()];
        for (int i = 0; i < v.length; i++) v[i] = axisValues.get(i).apply(r);
        return v;
    }

    // ------------------------------------------------------------------ selection -> overlaid curves

    /** The rows the user selected in the table (FX thread); their curves are overlaid. */
    public CompletableFuture<List<SweepRow>> select(Collection<SweepRow> selection) {
        selectedIds.clear();
        selection.forEach(r -> selectedIds.add(r.id()));
        return updateOverlay();
    }

    /**
     * True while the view model changes the rows or the filter (FX thread). A table's selection
     * that changes meanwhile changed because rows were replaced or hidden, not by the user: the
     * view does not report it, and selects the {@link #selectedIds} again on the next {@link #revisionProperty} tick.
     */
    public boolean updating() { return updating > 0; }

    public Set<String> selectedIds() { return java.util.Collections.unmodifiableSet(selectedIds); }

    private CompletableFuture<List<SweepRow>> pendingOverlay = CompletableFuture.completedFuture(List.of());

    /**
     * Overlays the selected rows that are shown and have a run folder: reads their curves in the
     * background, then replaces the curve view's comparisons by them. Legends name what differs
     * among the overlaid runs (a single run: what tells it apart in the sweep).
     */
    private CompletableFuture<List<SweepRow>> updateOverlay() {
        List<SweepRow> want = shown.stream().filter(r -> selectedIds.contains(r.id()) && r.started()).toList();
        if (want.equals(overlaid) && want.stream().noneMatch(r -> r.status() == SweepRow.Status.RUNNING)) return pendingOverlay;
        overlaid.setAll(want);
        revision.set(revision.get() + 1);   // the chart emphasises the overlaid lines
        Map<String, Path> dirs = new LinkedHashMap<>();
        for (SweepRow r : want) dirs.put(label(r, want.size() > 1 ? want : rows), r.dir());
        CompletableFuture<List<SweepRow>> done = new CompletableFuture<>();
        CompletableFuture.supplyAsync(() -> {
            Map<String, RunCurves> read = new LinkedHashMap<>();
            for (var e : dirs.entrySet()) {
                try {
                    read.put(e.getKey(), RunCurves.read(e.getValue(), RunHistory.read(e.getValue())));
                } catch (IOException ex) {
                    // a run that has not written a step yet has no curves: it is left out
                }
            }
            return read;
        }, reader).whenComplete((read, t) -> uiExecutor.execute(() -> {
            if (t != null) {
                done.completeExceptionally(t);
                return;
            }
            if (!want.equals(overlaid)) {   // the selection moved on meanwhile; its own read follows
                done.complete(want);
                return;
            }
            curves.clearComparisons();
            read.forEach(curves::addComparison);
            done.complete(want);
        }));
        pendingOverlay = done;
        return done;
    }

    /**
     * A run's legend name: only what tells it apart from the {@code others} — its dataset, T or H
     * where they differ, the grid values that differ, its seed where seeds differ — e.g.
     * "lr=1e-4 d-model=64" among runs of one setting; the run id when nothing differs.
     */
    public String label(SweepRow r, List<SweepRow> others) {
        List<String> parts = new ArrayList<>();
        if (others.stream().map(SweepRow::dataset).distinct().count() > 1) parts.add(r.dataset());
        if (others.stream().mapToInt(SweepRow::seqLen).distinct().count() > 1) parts.add("T" + r.seqLen());
        if (others.stream().mapToInt(SweepRow::horizon).distinct().count() > 1) parts.add("H" + r.horizon());
        for (int i = 0; i < options.size(); i++) {
            int k = i;
            if (others.stream().map(x -> x.values().get(k)).distinct().count() > 1) {
                double n = number(r.values().get(i));
                parts.add(options.get(i) + "=" + (Double.isNaN(n) ? r.values().get(i) : ParallelAxis.number(n)));
            }
        }
        if (others.stream().mapToLong(SweepRow::seed).distinct().count() > 1) parts.add("s" + r.seed());
        return parts.isEmpty() ? r.id() : String.join(" ", parts);
    }

    // ------------------------------------------------------------------ helpers and accessors

    static double number(String s) {
        try {
            return s == null || s.isBlank() ? Double.NaN : Double.parseDouble(s.strip());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    static int compareNumbers(double a, double b) {
        return Double.isNaN(a) ? (Double.isNaN(b) ? 0 : 1) : Double.isNaN(b) ? -1 : Double.compare(a, b);
    }

    private static String fixed(double v) { return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v); }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Every row, in plan order. */
    public ObservableList<SweepRow> rows() { return rows; }
    /** The rows that pass the filter and the brushes, unsorted. */
    public FilteredList<SweepRow> shown() { return shown; }
    /** {@link #shown()} in the order of {@link #comparatorProperty()}, for the table. */
    public SortedList<SweepRow> sorted() { return sorted; }
    /** The table's order (bound to the table's sort; null: plan order). */
    public ObjectProperty<Comparator<SweepRow>> comparatorProperty() { return comparator; }
    public StringProperty filterProperty() { return filter; }
    public ObservableMap<String, Range> brushes() { return brushes; }
    public List<Column> columns() { return columns; }
    public List<ParallelAxis> axes() { return axes; }
    /** The rows whose curves are overlaid (selected, shown, started). */
    public ObservableList<SweepRow> overlaid() { return overlaid; }
    public CurvesViewModel curves() { return curves; }
    public ReadOnlyBooleanProperty liveProperty() { return live.getReadOnlyProperty(); }
    public ReadOnlyStringProperty statusProperty() { return status.getReadOnlyProperty(); }
    /** Ticks when the chart's data changed (rows, filter, brushes). */
    public ReadOnlyLongProperty revisionProperty() { return revision.getReadOnlyProperty(); }
    public String name() { return name; }
    public Path dir() { return dir; }
}
