package dev.mambamixer.engine.run;

import dev.mambamixer.engine.data.ForecastData;
import dev.mambamixer.engine.introspect.EventLog;
import dev.mambamixer.engine.introspect.ModelCapture;
import dev.mambamixer.engine.introspect.SnapshotRecorder;
import dev.mambamixer.engine.io.Checkpoint;
import dev.mambamixer.engine.io.RunFolder;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.train.Metrics;
import dev.mambamixer.engine.train.StepDriver;
import dev.mambamixer.engine.train.TrainConfig;
import dev.mambamixer.engine.train.TrainControl;
import dev.mambamixer.engine.train.TrainResult;
import dev.mambamixer.engine.train.Trainer;
import dev.mambamixer.engine.train.TrainingCheckpoints;
import dev.mambamixer.engine.train.TrainingListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One TSM2 training run, wired once for every front end (CLI, workbench, notebooks): trainer,
 * run folder (config, events.jsonl, metrics.csv, snapshots of the probe windows, checkpoints
 * {@code best} at every improvement and {@code last} at every epoch end for an exact resume,
 * forecast.csv and test-metrics.json), listener fan-out and the test evaluation of the restored
 * best weights. Front ends add their own {@link RunListener} and {@link TrainControl}, nothing else.
 *
 * <pre>{@code
 * RunOutcome o = Tsm2Run.builder(model, data, trainConfig)
 *         .folder(RunFolder.create(runsDir, "etth1"))
 *         .snapshots(100, SnapshotRecorder.spreadWindows(data.val(), 8))
 *         .listener(myListener).build().run();
 * }</pre>
 */
public final class Tsm2Run {
    private final Tsm2 model;
    private final ForecastData data;
    private final TrainConfig tc;
    private final RunFolder folder;          // null: nothing written
    private final RunListener listener;
    private final TrainControl control;
    private final Trainer trainer;
    private final int snapshotEvery;
    private final int[] probeWindows;
    private final int testBatch, forecastStride;
    private final boolean test;
    private EventLog log;                    // with a folder, while running
    private SnapshotRecorder recorder;       // with a folder and snapshots, while running

    private Tsm2Run(Builder b) {
        this.model = b.model;
        this.data = b.data;
        this.tc = b.train.validate();
        this.folder = b.folder;
        this.listener = b.listener;
        this.control = b.control;
        this.snapshotEvery = b.snapshotEvery;
        this.probeWindows = b.probeWindows;
        this.test = b.test;
        this.testBatch = b.testBatch;
        this.forecastStride = b.forecastStride;
        this.trainer = new Trainer(model, tc, new FanOut(), control).driver(b.driver);
        if (b.resumeLast != null) TrainingCheckpoints.resume(b.resumeLast, b.resumeBest, model, trainer);
        if (folder != null) cutHistory(folder, trainer.step());
    }

    /** A reopened run folder continues from {@code step}: what an earlier attempt wrote after it goes (RunFolder rules). */
    static void cutHistory(RunFolder folder, long step) {
        try {
            folder.cutHistoryAfter(step);
        } catch (IOException e) {
            throw new UncheckedIOException("cutting the history of " + folder.dir() + " back to step " + step + ": "
                                           + e.getMessage(), e);
        }
    }

    public static Builder builder(Tsm2 model, ForecastData data, TrainConfig train) {
        return new Builder(model, data, train);
    }

    /** The trainer (its counters, its best step, a checkpoint capture between steps). */
    public Trainer trainer() { return trainer; }

    public TrainControl control() { return control; }

    /** The run folder, or null when the run writes none. */
    public Path folder() { return folder == null ? null : folder.dir(); }

    /** Trains on the calling thread until the run ends; the run folder is closed afterwards. */
    public RunOutcome run() {
        try {
            if (folder != null) {
                log = new EventLog(folder.dir());
                if (snapshotEvery > 0) {
                    recorder = SnapshotRecorder.of(model, data.val(), probeWindows, snapshotEvery, folder.dir(), log)
                                               .withVariateNames(data.columns());
                    if (trainer.step() > 0) recorder.restoreHistory(trainer.step());
                }
            }
            TrainResult r;
            try {
                r = trainer.fit(data.train(), data.val());
            } catch (RuntimeException | Error e) {
                if (log != null) log.onFailed(e.getMessage(), e);
                listener.onFailed(String.valueOf(e.getMessage()), e);
                return new RunOutcome.Failed(null, trainer.step(), "training failed: " + e.getMessage(), e);
            } finally {
                if (recorder != null) recorder.close();   // waits for the snapshot writes
                if (log != null) log.close();
            }
            if (r.aborted()) return new RunOutcome.Failed(r, trainer.step(), r.reason(), null);
            Metrics testMetrics = test ? evaluateTest(r) : null;
            return control.isStopRequested() ? new RunOutcome.Stopped(r, testMetrics) : new RunOutcome.Finished(r, testMetrics);
        } catch (IOException e) {
            throw new UncheckedIOException("writing the run folder " + folder.dir() + ": " + e.getMessage(), e);
        } finally {
            closeQuietly();
        }
    }

    /** Test MSE/MAE of the (restored best) weights; with a folder also forecast.csv and test-metrics.json. */
    private Metrics evaluateTest(TrainResult r) throws IOException {
        if (folder == null) return Forecasts.evaluate(model, data.test(), testBatch);
        Metrics m = Forecasts.evaluateAndWrite(model, data, data.test(), testBatch, forecastStride, folder.forecastWriter());
        Map<String, Object> tm = new LinkedHashMap<>();
        tm.put("mse", m.mse());
        tm.put("mae", m.mae());
        tm.put("windows", m.windows());
        tm.put("best_epoch", r.bestEpoch());
        tm.put("best_step", trainer.bestStep());
        tm.put("best_val_mse", r.bestValMse());
        tm.put("epochs_run", r.epochsRun());
        tm.put("steps", r.steps());
        tm.put("train_wall_s", r.wallSeconds());
        folder.writeTestMetrics(TrainingCheckpoints.GSON.toJsonTree(tm).getAsJsonObject());
        return m;
    }

    private void closeQuietly() {
        if (folder == null) return;
        try {
            folder.close();
        } catch (IOException ignored) {
            // everything that matters was written and flushed before
        }
    }

    /** The run's own policy first (metrics, checkpoints, event log, snapshots), then the front end. */
    private final class FanOut implements TrainingListener {
        /** The capture of this step reaches the front end before the step event (which may park the thread). */
        @Override public void onStep(StepEvent e) {
            if (log != null) log.onStep(e);
            if (recorder != null) {
                recorder.onStep(e);
                ModelCapture cap = recorder.lastCapture();
                if (cap != null && cap.step() == e.step()) listener.onCapture(cap);
            }
            listener.onStep(e);
        }

        /**
         * History first, then checkpoints: the metrics row, the event, the snapshots up to this
         * step, all on disk before {@code best}/{@code last} name this step (RunFolder rules).
         */
        @Override public void onEpoch(EpochEvent e) {
            if (folder != null) {
                try {
                    folder.appendMetrics(e.epoch(), e.step(), e.trainLoss(), e.valMse(), e.lr(), e.wallSeconds());
                    log.onEpoch(e);
                    if (recorder != null) recorder.awaitWrites();
                    folder.syncHistory();
                    log.sync();
                    // "best" at any improvement; "last" (exact resume) only at epoch ends; best first, so a
                    // crash between the two never pairs a newer last with an older best
                    int done = e.endOfEpoch() ? e.epoch() : e.epoch() - 1;
                    if (e.best()) Checkpoint.save(folder.checkpointDir("best"), TrainingCheckpoints.capture(model, trainer, tc, done));
                    if (e.endOfEpoch()) Checkpoint.save(folder.checkpointDir("last"), TrainingCheckpoints.capture(model, trainer, tc, done));
                } catch (IOException ex) {
                    throw new UncheckedIOException("writing checkpoint/metrics in " + folder.dir() + ": " + ex.getMessage(), ex);
                }
            }
            listener.onEpoch(e);
        }

        @Override public void onNewBest(EpochEvent e) { listener.onNewBest(e); }

        @Override public void onUpdateRatios(UpdateRatioEvent e) {
            if (log != null) log.onUpdateRatios(e);
            listener.onUpdateRatios(e);
        }

        @Override public void onFinish(String reason, boolean failed) {
            if (log != null) log.onFinish(reason, failed);
            if (recorder != null) recorder.onFinish(reason, failed);
            listener.onFinish(reason, failed);
        }
    }

    /** Settings of a run; {@link #build()} makes the trainer (and restores a resumed run's state). */
    public static final class Builder {
        private final Tsm2 model;
        private final ForecastData data;
        private final TrainConfig train;
        private RunFolder folder;
        private RunListener listener = new RunListener() {};
        private TrainControl control = new TrainControl();
        private StepDriver driver = StepDriver.HOST;
        private int snapshotEvery;
        private int[] probeWindows = new int[0];
        private boolean test;
        private int testBatch = 128, forecastStride;
        private Checkpoint resumeLast, resumeBest;

        private Builder(Tsm2 model, ForecastData data, TrainConfig train) {
            this.model = Objects.requireNonNull(model, "model");
            this.data = Objects.requireNonNull(data, "data");
            this.train = Objects.requireNonNull(train, "training config");
        }

        /** Write everything into this run folder (its config.json is written by whoever created it). */
        public Builder folder(RunFolder f) { folder = f; return this; }

        public Builder listener(TrainingListener l) { listener = RunListener.of(Objects.requireNonNull(l)); return this; }

        public Builder control(TrainControl c) { control = Objects.requireNonNull(c); return this; }

        public Builder driver(StepDriver d) { driver = Objects.requireNonNull(d); return this; }

        /** Capture these validation windows every {@code every} steps into snapshots/ (needs a folder; 0 = never). */
        public Builder snapshots(int every, int[] windows) {
            if (every < 0) throw new IllegalArgumentException("snapshot interval must be >= 0, got " + every);
            snapshotEvery = every;
            probeWindows = windows.clone();
            return this;
        }

        /** After training, evaluate the best weights on the test split (batch; forecast.csv every stride-th window, 0 = every H-th). */
        public Builder test(int batch, int stride) {
            test = true;
            testBatch = batch;
            forecastStride = stride;
            return this;
        }

        /** Continue from a run folder's {@code last} checkpoint (and its {@code best} weights, may be null). */
        public Builder resume(Checkpoint last, Checkpoint best) {
            resumeLast = Objects.requireNonNull(last);
            resumeBest = best;
            return this;
        }

        public Tsm2Run build() {
            if (snapshotEvery > 0 && folder == null) throw new IllegalStateException("snapshots need a run folder");
            return new Tsm2Run(this);
        }
    }
}
