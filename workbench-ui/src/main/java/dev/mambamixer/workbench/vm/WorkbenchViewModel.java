package dev.mambamixer.workbench.vm;

import dev.mambamixer.engine.introspect.ForecastWindow;
import dev.mambamixer.engine.introspect.ModelCapture;
import dev.mambamixer.engine.introspect.RunHistory;
import dev.mambamixer.engine.run.VisionRunFolder;
import dev.mambamixer.engine.train.TrainingListener.SnapshotEvent;
import dev.mambamixer.workbench.session.EventBuffer;
import dev.mambamixer.workbench.session.FxThrottle;
import dev.mambamixer.workbench.session.FxWork;
import dev.mambamixer.workbench.session.RunCurves;
import dev.mambamixer.workbench.session.RunSummary;
import dev.mambamixer.workbench.session.RunSettings;
import dev.mambamixer.workbench.session.RunSettingsSummary;
import dev.mambamixer.workbench.session.RunSettings.ModelKind;
import dev.mambamixer.workbench.session.SessionState;
import dev.mambamixer.workbench.session.Snapshot;
import dev.mambamixer.workbench.session.UiEvents;
import dev.mambamixer.workbench.session.TrainingSession;
import dev.mambamixer.workbench.session.VisionViews;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The root view model: owns the {@link TrainingSession}, the event buffer and the throttle, and
 * applies each throttled batch to the child view models (on the FX thread: {@code uiExecutor} is
 * Platform::runLater in the app). Errors become {@link ErrorReport}s that the view shows as dialogs;
 * they never replace the current session's state.
 */
public final class WorkbenchViewModel implements AutoCloseable {
    /** A problem to show the user (title + message); a new object each time, so listeners always fire. */
    public record ErrorReport(String title, String message) {}

    /** Where the views' data comes from. */
    public enum Mode { LIVE, EXPLORE }
    /** Held-out images captured for the Vision view of an opened ViM2 run folder (as a live run's default). */
    static final int EXPLORE_PROBES = 8;

    private final EventBuffer buffer = new EventBuffer();
    private final TrainingSession session;
    private final FxThrottle throttle;
    private final Executor uiExecutor;
    private final ConfigViewModel config;
    private final RunViewModel run = new RunViewModel();
    private final CurvesViewModel curves = new CurvesViewModel();
    private final SelectionViewModel selection = new SelectionViewModel();
    private final AveragingViewModel averaging = new AveragingViewModel();
    private final ForecastViewModel forecast = new ForecastViewModel();
    private final DiagnosticsViewModel diagnostics = new DiagnosticsViewModel();
    private final VisionViewModel vision = new VisionViewModel();
    private final ResultsViewModel results = new ResultsViewModel();
    private final RunsViewModel runs;
    private final ReadOnlyObjectWrapper<ErrorReport> error = new ReadOnlyObjectWrapper<>(this, "error");
    private final ReadOnlyObjectWrapper<Mode> mode = new ReadOnlyObjectWrapper<>(this, "mode", Mode.LIVE);
    private final ObservableList<String> log = FXCollections.observableArrayList();
    private final ReadOnlyLongWrapper batches = new ReadOnlyLongWrapper(this, "batches");
    private final ReadOnlyLongWrapper snapshots = new ReadOnlyLongWrapper(this, "snapshots");
    // explore mode: the run folder's snapshots, one of them shown
    private final SnapshotTimelineViewModel timeline = new SnapshotTimelineViewModel();
    private ModelKind shownKind;   // the model family of the live run on screen (null: none yet)
    /** The opened run's own settings (config.json), one section a line; "" when live. */
    private final javafx.beans.property.StringProperty exploredSettings = new javafx.beans.property.SimpleStringProperty(this, "exploredSettings", "");
    private RunHistory explored;

    public WorkbenchViewModel(Path sampleData, Path runsDir, Executor uiExecutor) {
        this(sampleData, runsDir, uiExecutor, "auto", 100);
    }

    /**
     * @param uiExecutor     runs a batch on the UI thread (Platform::runLater; a direct executor in tests)
     * @param throttleMillis minimum time between two batches (100 ms: at most ~10 redraws per second)
     */
    public WorkbenchViewModel(Path sampleData, Path runsDir, Executor uiExecutor, String backend, long throttleMillis) {
        this.uiExecutor = uiExecutor;
        this.runs = new RunsViewModel(uiExecutor);
        config = new ConfigViewModel(sampleData, backend);
        session = new TrainingSession(buffer, runsDir);
        throttle = new FxThrottle(buffer, uiExecutor, this::apply, throttleMillis);
        run.configValidProperty().bind(config.validProperty());
        config.setHotApplier((key, value) -> {
            if (key.equals("lr") && session.state().active()) {
                session.setLearningRate(value);
                log("learning rate set to " + value + " (hot: applies from the next step)");
                curves.markEvent("lr " + value);
            }
        });
        run.stateProperty().addListener((o, a, b) -> {
            config.modelExistsProperty().set(b != SessionState.IDLE);
            run.checkpointableProperty().set(session.settings() == null || session.settings().kind() == ModelKind.TSM2);
            vision.canCaptureProperty().set(session.settings() != null && session.settings().kind() == ModelKind.VISION
                                            && (b == SessionState.PAUSED || b == SessionState.FINISHED));
        });
        // selection over time: the chosen snapshot, live (kept in memory) or from the opened run folder
        timeline.indexProperty().addListener((o, a, b) -> {
            Long step = timeline.selected();
            if (step == null) return;
            if (timeline.explore()) {
                if (explored != null) showExploredSnapshot(step);
            } else {
                Snapshot s = timeline.liveSnapshot(step);
                if (s != null && s != selection.snapshotProperty().get()) display(s);
            }
        });
        // comparisons belong to one kind of task: a forecaster's MSE on a classifier's cross-entropy axis means nothing
        config.modelProperty().addListener((o, a, b) -> {
            if (a != null && b != a && !curves.comparisonNames().isEmpty()) {
                curves.clearComparisons();
                log("comparisons cleared: they were " + a + " runs");
            }
        });
    }

    // ------------------------------------------------------------------ commands (FX thread)

    /** Starts a run with the current configuration; an invalid configuration becomes an error dialog. */
    public boolean start() {
        RunSettings s;
        try {
            s = config.build();
        } catch (IllegalArgumentException e) {
            report("Invalid configuration", e.getMessage());
            return false;
        }
        try {
            session.start(s);
        } catch (IllegalStateException e) {
            report("Cannot start", e.getMessage());
            return false;
        }
        run.stateProperty().set(session.state());
        run.setMessage("starting: loading data and building the model ...");
        return true;
    }

    public void pause() {
        session.pause();
        run.stateProperty().set(session.state());
        curves.markEvent("paused");
    }

    public void resume() {
        session.resume();
        run.stateProperty().set(session.state());
        curves.markEvent("resumed");
    }

    public void stepOnce() { session.stepOnce(); }

    public void stop() { session.stop(); run.stateProperty().set(session.state()); }

    /** Forgets the model and clears every view. */
    public void reset() {
        session.reset();
        clearViews();
        config.clearPendingCold();
        mode.set(Mode.LIVE);
        explored = null;
        timeline.clear();
        exploredSettings.set("");
        run.stateProperty().set(session.state());
        run.setMessage("reset: pick a dataset and press Start.");
    }

    private void clearViews() {
        curves.clear();
        selection.setSnapshot(null);
        averaging.clear();
        forecast.clear();
        diagnostics.clear();
        vision.clear();
        results.clear();
        run.clearProgress();
        run.setResult("");
    }

    /**
     * Reads a user CSV off the FX thread; a readable one is added to the dataset choices and
     * selected, an unreadable one becomes a dialog and the current dataset stays selected.
     */
    public CompletableFuture<Path> openCsv(Path csv) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                var series = dev.mambamixer.engine.data.CsvSeriesReader.read(csv);
                if (series.rows() < 2) throw new IOException(csv + ": only " + series.rows() + " data rows");
                return series.rows() + " rows × " + series.cols() + " variates (" + String.join(", ", series.columns()) + ")";
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).handle((summary, t) -> {
            uiExecutor.execute(() -> {
                if (t != null) report("Could not read the CSV", csv + "\n\n" + rootMessage(t));
                else {
                    config.addCsv(csv);
                    log("opened " + csv.getFileName() + ": " + summary);
                    run.setMessage("data: " + csv.getFileName() + ", " + summary + ". Press Start.");
                }
            });
            if (t != null) throw new java.util.concurrent.CompletionException(t);
            return csv;
        });
    }

    /**
     * Captures the ViM2 probe images now (paused between steps, or finished), off the FX thread;
     * the capture reaches the Vision view through the next batch. Errors become a dialog.
     */
    public CompletableFuture<?> captureVision() {
        return session.captureVision().whenComplete((s, t) -> uiExecutor.execute(() -> {
            if (t != null) report("Could not capture", rootMessage(t));
            else log("captured the probe images after step " + s.capture().step());
        }));
    }

    /** Saves the current TSM2 model; errors become a dialog. */
    public CompletableFuture<Path> saveCheckpoint(Path dir) {
        return session.saveCheckpoint(dir).whenComplete((p, t) -> uiExecutor.execute(() -> {
            if (t != null) report("Could not save the checkpoint", rootMessage(t));
            else log("checkpoint saved: " + p);
        }));
    }

    /** Loads a TSM2 checkpoint and shows it; a corrupted checkpoint becomes a dialog and changes nothing. */
    public CompletableFuture<Path> loadCheckpoint(Path dir) {
        RunSettings s;
        try {
            s = config.build();
            if (s.kind() != ModelKind.TSM2) throw new IllegalArgumentException("pick TSM2 data (the checkpoint's model is TSM2)");
        } catch (IllegalArgumentException e) {
            report("Cannot load a checkpoint", e.getMessage());
            return CompletableFuture.failedFuture(e);
        }
        return session.loadCheckpoint(dir, s).whenComplete((p, t) -> uiExecutor.execute(() -> {
            if (t != null) report("Could not load the checkpoint", dir + "\n\n" + rootMessage(t));
            else {
                mode.set(Mode.LIVE);
                log("checkpoint loaded: " + p);
            }
        }));
    }

    /**
     * Opens a finished run folder (events.jsonl, snapshots) and shows it without training. Read on
     * a background thread; a folder that cannot be read becomes a dialog and changes nothing.
     */
    public CompletableFuture<RunHistory> explore(Path runDir) {
        if (session.state().active()) {
            report("Cannot open a run", "Stop the current run first.");
            return CompletableFuture.failedFuture(new IllegalStateException("run active"));
        }
        CompletableFuture<RunCurves> curvesRead = new CompletableFuture<>();
        CompletableFuture<List<String>> settingsRead = new CompletableFuture<>();
        CompletableFuture<String> labelRead = new CompletableFuture<>();
        return CompletableFuture.supplyAsync(() -> {
            try {
                dev.mambamixer.engine.io.RunFolder.tidy(runDir);   // crash leftovers go, unless a writer holds it
                RunHistory h = RunHistory.read(runDir);
                curvesRead.complete(RunCurves.read(runDir, h));
                labelRead.complete(CurvesViewModel.runLabel(runDir));
                settingsRead.complete(RunSettingsSummary.read(runDir));
                return h;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).whenComplete((h, t) -> uiExecutor.execute(() -> {
            if (t != null) {
                report("Could not open the run folder", runDir + "\n\n" + rootMessage(t));
                return;
            }
            mode.set(Mode.EXPLORE);
            explored = h;
            clearViews();
            RunCurves rc = curvesRead.join();
            exploredSettings.set(String.join("\n", settingsRead.join()));
            curves.load(rc);
            curves.removeComparison(labelRead.join());   // shown as the run itself now, not twice
            diagnostics.addRatios(h.updateRatios().stream().map(UiEvents.RatioPoint::of).toList());
            run.setMessage("exploring " + runDir.getFileName() + " (" + rc.source() + "): " + rc.steps().size()
                           + " steps, " + (rc.heldOut().isEmpty() ? rc.validations().size() + " validations, "
                                                                    : rc.heldOut().size() + " held-out evaluations, ")
                           + h.snapshots().size() + " snapshots"
                           + (h.finished() ? "; " + h.finishReason() : ""));
            List<Long> steps = new ArrayList<>();
            for (SnapshotEvent s : h.snapshots()) steps.add(s.step());
            timeline.setExplored(steps);   // shows the newest
            loadExploredAveraging(h);
            if (VisionRunFolder.isVisionRun(runDir)) loadExploredVision(runDir, h);
        }));
    }

    /** A ViM2 run folder: its kept weights evaluated again, for the Vision and Results views (background thread). */
    private void loadExploredVision(Path runDir, RunHistory h) {
        log("evaluating the kept ViM2 weights of " + runDir.getFileName() + " on its held-out images…");
        CompletableFuture.supplyAsync(() -> {
            try {
                return VisionViews.explore(runDir, EXPLORE_PROBES);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).whenComplete((v, t) -> uiExecutor.execute(() -> {
            if (explored != h) return;   // another run or folder since
            if (t != null) {
                report("Could not show the run's images", runDir + "\n\n" + rootMessage(t));
                return;
            }
            vision.set(v.snapshot());
            results.set(v.results());
            log(v.description());
        }));
    }

    private void loadExploredAveraging(RunHistory h) {
        CompletableFuture.supplyAsync(() -> {
            try {
                return h.averagingHistory();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).whenComplete((a, t) -> uiExecutor.execute(() -> {
            if (t == null && a != null && explored == h) averaging.load(a);
        }));
    }

    private void showExploredSnapshot(long step) {
        RunHistory h = explored;
        CompletableFuture.supplyAsync(() -> {
            try {
                ModelCapture c = h.captureAt(step);
                // the snapshot's probe windows with their ground truth, when the run stored them
                List<ForecastWindow> stored = h.forecastsAt(step);
                List<String> names = new ArrayList<>();
                for (int i = 0; i < c.batch(); i++)
                    names.add(stored.size() == c.batch() ? "val window " + stored.get(i).window() : "probe window " + i);
                List<String> vars = new ArrayList<>();
                if (!stored.isEmpty()) vars.addAll(stored.get(0).variateNames());
                else for (int v = 0; v < c.config().variates(); v++) vars.add("v" + v);
                return (stored.isEmpty()
                       ? Snapshot.of(c.step(), "TSM2 (run folder)", c.mixers(), c.averaging(), List.of(), names, vars,
                                     "probe", probeForecasts(c, vars))
                       : Snapshot.of(c.step(), "TSM2 (run folder)", c.mixers(), c.averaging(), List.of(), names, vars,
                                     "val", stored)).withProbeSeries(c.input());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).whenComplete((s, t) -> uiExecutor.execute(() -> {
            if (t != null) report("Could not read the snapshot", "step " + step + ": " + rootMessage(t));
            else if (explored == h && Long.valueOf(step).equals(timeline.selected())) {
                if (averaging.history().size() == 0) averaging.add(s.step(), s.averaging());
                display(s);
            }
        }));
    }

    /** The probe windows' forecasts stored in a capture (no truth: the capture has only the inputs). */
    static List<ForecastWindow> probeForecasts(ModelCapture c, List<String> variateNames) {
        int t = c.config().seqLen(), h = c.config().horizon(), m = c.config().variates();
        List<ForecastWindow> out = new ArrayList<>();
        for (int b = 0; b < c.batch(); b++) {
            float[] hist = java.util.Arrays.copyOfRange(c.input(), b * t * m, (b + 1) * t * m);
            float[] pred = java.util.Arrays.copyOfRange(c.forecast(), b * h * m, (b + 1) * h * m);
            out.add(new ForecastWindow(b, t, h, m, variateNames, hist, null, pred, false, Double.NaN, Double.NaN));
        }
        return out;
    }

    /** Adds a finished run's curves for comparison. */
    public CompletableFuture<RunCurves> compare(Path runDir) {
        String[] label = new String[1];   // read with the curves, off the FX thread
        return CompletableFuture.supplyAsync(() -> {
            try {
                label[0] = CurvesViewModel.runLabel(runDir);
                return RunCurves.read(runDir, RunHistory.read(runDir));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).whenComplete((h, t) -> uiExecutor.execute(() -> {
            if (t != null) report("Could not open the run to compare", runDir + "\n\n" + rootMessage(t));
            else if (explored != null && explored.runDir().toAbsolutePath().normalize().equals(runDir.toAbsolutePath().normalize()))
                log(runDir.getFileName() + " is the run shown: not added twice");
            else {
                curves.addComparison(label[0], h);
                log("comparing with " + runDir.getFileName());
            }
        }));
    }

    /**
     * Names a run of the runs table (its folder's label); a comparison of that run on the curves
     * takes the new name. A name that cannot be kept becomes an error dialog.
     */
    public CompletableFuture<RunSummary> renameRun(RunSummary row, String name) {
        return runs.rename(row, name).whenComplete((r, t) -> {
            if (t != null) report("Could not rename the run", row.folder() + "\n\n" + rootMessage(t));
            else curves.renameComparison(comparisonName(row), comparisonName(r));
        });
    }

    /** The legend name of a row's run: its given name, else the short form of its folder's name. */
    private static String comparisonName(RunSummary r) {
        return CurvesViewModel.runLabel(r.dir(), r.name().equals(r.folder()) ? java.util.Optional.empty() : java.util.Optional.of(r.name()));
    }

    // ------------------------------------------------------------------ batches (FX thread)

    /** Applies one throttled batch to every child view model. */
    void apply(EventBuffer.Batch b) { FxWork.timed("apply batch", () -> applyTimed(b)); }

    private void applyTimed(EventBuffer.Batch b) {
        batches.set(batches.get() + 1);
        if (b.started() != null) {
            // the previous run of the same kind stays visible as a comparison
            ModelKind kind = session.settings() == null ? null : session.settings().kind();
            if (mode.get() == Mode.LIVE && kind != null && kind == shownKind && curves.keepAsPrevious())
                log("the previous run's curves are kept as '" + CurvesViewModel.PREVIOUS_RUN + "'");
            shownKind = kind;
            mode.set(Mode.LIVE);
            explored = null;
            timeline.clear();
            exploredSettings.set("");
            clearViews();
            config.clearPendingCold();
            UiEvents.Started st = b.started();
            run.setBackend(st.backend() == null ? st.description() : "backend: " + st.backend());
            run.setMessage(st.description());
            log(st.text());
        }
        if (b.state() != null) run.stateProperty().set(b.state());
        curves.addSteps(b.steps());
        run.onSteps(b.steps());
        curves.addEvals(b.evals());
        diagnostics.addRatios(b.ratios());
        if (b.snapshot() != null) {
            record(b.snapshot());
            if (timeline.addLive(b.snapshot()) && selection.snapshotProperty().get() != b.snapshot()) display(b.snapshot());
        }
        if (b.vision() != null) {
            snapshots.set(snapshots.get() + 1);
            vision.set(b.vision());
        }
        if (b.visionResults() != null) results.set(b.visionResults());
        for (var s : b.statuses()) log(s.text());
        if (b.finished() != null) {
            run.setMessage(b.finished().reason());
            run.setResult((b.finished().failed() ? "failed: " : "") + b.finished().reason());
            log(b.finished().reason());
            if (b.finished().failed()) report("Training failed", b.finished().reason());
        }
    }

    /** What every live snapshot adds to the histories (averaging over time, Δ spread), shown or not. */
    private void record(Snapshot s) {
        averaging.add(s.step(), s.averaging());
        diagnostics.addDeltaStats(s.step(), s.deltaStats());
    }

    /** Shows one snapshot in the selection and forecast views (the timeline's choice). */
    private void display(Snapshot s) {
        snapshots.set(snapshots.get() + 1);
        selection.setSnapshot(s);
        forecast.set(s.step(), s.forecastSplit(), s.forecasts(), s.variateNames());
    }

    private void report(String title, String message) { error.set(new ErrorReport(title, message)); }

    private void log(String line) {
        log.add(line);
        if (log.size() > 500) log.remove(0);
    }

    static String rootMessage(Throwable t) {
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.io.UncheckedIOException)
               && t.getCause() != null) t = t.getCause();
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }

    @Override public void close() {
        throttle.close();
        session.close();
    }

    // ------------------------------------------------------------------ accessors

    public ConfigViewModel config() { return config; }
    public RunViewModel run() { return run; }
    public CurvesViewModel curves() { return curves; }
    public SelectionViewModel selection() { return selection; }
    public AveragingViewModel averaging() { return averaging; }
    public ForecastViewModel forecast() { return forecast; }
    public DiagnosticsViewModel diagnostics() { return diagnostics; }
    public VisionViewModel vision() { return vision; }
    public ResultsViewModel results() { return results; }
    /** The runs table's rows (File → Runs…). */
    public RunsViewModel runs() { return runs; }
    public TrainingSession session() { return session; }
    public FxThrottle throttle() { return throttle; }
    public ReadOnlyObjectProperty<ErrorReport> errorProperty() { return error.getReadOnlyProperty(); }
    public ReadOnlyObjectProperty<Mode> modeProperty() { return mode.getReadOnlyProperty(); }
    public ObservableList<String> log() { return log; }
    /** Batches applied so far (each is at most one redraw). */
    public ReadOnlyLongProperty batchesProperty() { return batches.getReadOnlyProperty(); }
    public ReadOnlyLongProperty snapshotsProperty() { return snapshots.getReadOnlyProperty(); }
    /** The snapshots of the run on screen (live or opened) and the one the selection views show. */
    public SnapshotTimelineViewModel timeline() { return timeline; }
    /** The opened run folder's settings as text ("" in live mode). */
    public javafx.beans.property.ReadOnlyStringProperty exploredSettingsProperty() { return exploredSettings; }

    /** A sweep view's model (File → Open sweep…), applying its reads on the UI thread like this one. */
    public SweepViewModel newSweep() { return new SweepViewModel(uiExecutor); }
}
