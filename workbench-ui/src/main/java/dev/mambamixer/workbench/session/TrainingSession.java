package dev.mambamixer.workbench.session;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.Backends;
import dev.mambamixer.engine.data.ForecastData;
import dev.mambamixer.engine.data.teaching.SequenceExample;
import dev.mambamixer.engine.data.teaching.TeachingTask;
import dev.mambamixer.engine.introspect.AsyncListener;
import dev.mambamixer.engine.introspect.ForecastWindow;
import dev.mambamixer.engine.introspect.Introspector;
import dev.mambamixer.engine.introspect.ModelCapture;
import dev.mambamixer.engine.introspect.SequenceCapture;
import dev.mambamixer.engine.introspect.SnapshotRecorder;
import dev.mambamixer.engine.run.RunListener;
import dev.mambamixer.engine.run.RunOutcome;
import dev.mambamixer.engine.run.TeachingRun;
import dev.mambamixer.engine.run.Tsm2Run;
import dev.mambamixer.engine.io.Checkpoint;
import dev.mambamixer.engine.io.RunFolder;
import dev.mambamixer.engine.model.MemoryEstimate;
import dev.mambamixer.engine.model.SequenceModel;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.model.Tsm2Config;
import dev.mambamixer.engine.model.Vim2;
import dev.mambamixer.engine.model.Vim2Config;
import dev.mambamixer.engine.run.VisionRun;
import dev.mambamixer.engine.train.VisionEvaluation;
import dev.mambamixer.engine.train.VisionTrainConfig;
import dev.mambamixer.engine.train.VisionTrainer;
import dev.mambamixer.engine.data.vision.ImageSet;
import dev.mambamixer.engine.data.vision.VisionDatasets;
import dev.mambamixer.engine.introspect.Vim2Capture;
import dev.mambamixer.engine.train.Metrics;
import dev.mambamixer.engine.train.SequenceTrainer;
import dev.mambamixer.engine.train.TrainConfig;
import dev.mambamixer.engine.train.TrainControl;
import dev.mambamixer.engine.train.TrainResult;
import dev.mambamixer.engine.train.Trainer;
import dev.mambamixer.engine.train.TrainingCheckpoints;
import dev.mambamixer.engine.train.TrainingListener;
import dev.mambamixer.workbench.session.RunSettings.ModelKind;
import dev.mambamixer.workbench.session.UiEvents.EvalPoint;
import dev.mambamixer.workbench.session.UiEvents.Finished;
import dev.mambamixer.workbench.session.UiEvents.RatioPoint;
import dev.mambamixer.workbench.session.UiEvents.StepPoint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Runs training off the FX thread: one daemon "training" thread builds models, trains, takes
 * captures and saves checkpoints, so model state is only ever touched by that thread. The FX
 * side calls the control methods (all return at once) and receives everything through the
 * {@link EventBuffer} (drained by {@link FxThrottle}).
 *
 * <p>A run replaces the previous one only once its data loaded and its model was built: a bad CSV
 * or config fails the start and leaves the previous run (model, curves, views) as it was.
 */
public final class TrainingSession implements AutoCloseable {
    private final EventBuffer out;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "training");
        t.setDaemon(true);   // never keeps the app alive
        return t;
    });
    private final AtomicInteger ids = new AtomicInteger();
    private volatile Path runsDir;
    private volatile Run current;     // the run the views show (null after reset)
    private volatile Run starting;    // a run being prepared, not yet current
    private volatile SessionState state = SessionState.IDLE;

    public TrainingSession(EventBuffer out, Path runsDir) {
        this.out = out;
        this.runsDir = runsDir;
    }

    public SessionState state() { return state; }

    public void setRunsDir(Path dir) { runsDir = dir; }

    public Path runsDir() { return runsDir; }

    /** The current run's folder (every run writes one), or null. */
    public Path runFolder() {
        Run r = current;
        return r == null ? null : r.runDir;
    }

    /** The settings of the run the views show, or null. */
    public RunSettings settings() {
        Run r = current;
        return r == null ? null : r.settings;
    }

    // ------------------------------------------------------------------ controls (any thread, return at once)

    /** Starts a new run; ignored while one is active (the run view model disables Start then). */
    public synchronized void start(RunSettings s) {
        if (state.active()) throw new IllegalStateException("a run is active (" + state + "); stop it first");
        Run r = new Run(ids.incrementAndGet(), s);
        starting = r;
        setState(SessionState.STARTING);
        thread.execute(() -> r.execute());
    }

    public void pause() {
        Run r = active();
        if (r == null || state != SessionState.RUNNING) return;
        r.control.pause();
        setState(SessionState.PAUSED);
    }

    public void resume() {
        Run r = active();
        if (r == null || state != SessionState.PAUSED) return;
        r.control.resume();
        setState(SessionState.RUNNING);
    }

    /** The step after which the paused trainer is parked now, or -1 (running, or not parked yet). */
    public long parkedAtStep() {
        Run r = current;
        return r == null ? -1 : r.control.parkedAt();
    }

    /** While paused: exactly one more optimiser step. */
    public void stepOnce() {
        Run r = active();
        if (r != null && state == SessionState.PAUSED) r.control.stepOnce();
    }

    /** Finish after the current step (TSM2 restores the best weights, as on any stop). */
    public void stop() {
        Run r = active();
        if (r == null) return;
        r.control.requestStop();
        if (state == SessionState.RUNNING || state == SessionState.PAUSED) setState(SessionState.STOPPING);
    }

    /** Stops a running run and forgets the model; the views clear. */
    public synchronized void reset() {
        Run r = current;
        stop();
        current = null;
        if (r != null) r.discard = true;
        if (r != null && !state.active()) thread.execute(r::close);
        if (!state.active()) setState(SessionState.IDLE);
        out.started(null);
    }

    /** Hot learning rate: the new peak rate of the running schedule (NaN: back to the configured one). */
    public void setLearningRate(double lr) {
        Run r = active();
        if (r != null) r.control.setLearningRate(lr);
    }

    /** The hot learning rate now in force, or NaN when the configured one is used or nothing runs. */
    public double learningRateOverride() {
        Run r = active();
        return r == null ? Double.NaN : r.control.learningRate();
    }

    private Run active() {
        Run r = current;
        return r != null && state.active() ? r : null;
    }

    private void setState(SessionState s) {
        state = s;
        out.state(s);
    }

    // ------------------------------------------------------------------ model tasks (run on the training thread)

    /**
     * Saves the current TSM2 model (weights, optimiser moments, counters) as a checkpoint folder.
     * Runs between steps while paused, or after the run finished.
     */
    public CompletableFuture<Path> saveCheckpoint(Path dir) {
        return onModelThread(r -> {
            if (r.tsm2 == null) throw new IllegalStateException("checkpoints are saved for TSM2 runs only");
            try {
                Checkpoint c = r.trainer != null
                        ? TrainingCheckpoints.capture(r.tsm2, r.trainer, r.settings.train(), r.trainer.epoch())
                        : new Checkpoint(TrainingCheckpoints.configJson(r.tsm2.config(), r.settings.train()),
                                         TrainingCheckpoints.weights(r.tsm2.backend(), r.tsm2.parameters()),
                                         new java.util.LinkedHashMap<>(), new com.google.gson.JsonObject());
                Checkpoint.save(dir, c);
                return dir;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("saving checkpoint to " + dir + ": " + e.getMessage(), e);
            }
        });
    }

    /**
     * Loads a TSM2 checkpoint folder and shows it without training (the data comes from
     * {@code settings.csv()}, whose variates must match). On any error (missing or corrupted
     * files, other shapes) the future fails and the current run stays as it was.
     */
    public synchronized CompletableFuture<Path> loadCheckpoint(Path dir, RunSettings settings) {
        if (state.active()) return CompletableFuture.failedFuture(new IllegalStateException("stop the run first"));
        CompletableFuture<Path> f = new CompletableFuture<>();
        thread.execute(() -> {
            Backend be = null;
            try {
                Path ck = RunFolder.findCheckpoint(dir);   // a checkpoint folder, or a run folder's best/last
                Checkpoint c = Checkpoint.load(ck);
                Tsm2Config mc = TrainingCheckpoints.modelConfig(c.config(), ck.resolve(Checkpoint.CONFIG_FILE).toString());
                ForecastData fd = ForecastData.load(settings.csv(), mc.seqLen(), mc.horizon());
                if (fd.variates() != mc.variates())
                    throw new IllegalArgumentException(settings.csv().getFileName() + " has " + fd.variates()
                                                       + " variates but the checkpoint's model expects " + mc.variates());
                TrainConfig tc = TrainingCheckpoints.trainConfig(c.config());
                be = Backends.create(settings.backend());
                // the config's sizes must fit before the model is built (engine's one estimator)
                TrainConfig sized = tc != null ? tc : settings.train();
                (sized != null ? MemoryEstimate.tsm2(mc, sized.batchSize(), sized.evalBatchSize())
                               : MemoryEstimate.tsm2Inference(mc, 1)).requireFitsOn(be, dir.resolve(Checkpoint.CONFIG_FILE).toString());
                Tsm2 m = new Tsm2(be, mc);
                TrainingCheckpoints.loadWeights(m, c.model());
                RunSettings loaded = new RunSettings(ModelKind.TSM2, settings.csv(), mc.seqLen(), mc.horizon(), mc,
                                                     tc != null ? tc : settings.train(), null, 0, null, null,
                                                     settings.snapshotEvery(), settings.probeCount(),
                                                     settings.forecastWindows(), settings.backend());
                Run r = new Run(ids.incrementAndGet(), loaded);
                r.backend = be;
                r.tsm2 = m;
                r.data = fd;
                r.probeWindows = SnapshotRecorder.spreadWindows(fd.val(), Math.min(settings.probeCount(), fd.val().size()));
                r.forecastWindows = SnapshotRecorder.spreadWindows(fd.test(), Math.min(settings.forecastWindows(), fd.test().size()));
                Run old = current;
                current = r;
                if (old != null) old.close();
                out.started("checkpoint " + dir.getFileName() + ": TSM2 " + mc.design() + ", d_model " + mc.dModel()
                            + ", " + mc.layers() + " layers");
                long step = c.state().has("step") ? c.state().get("step").getAsLong() : 0;
                out.snapshot(r.tsm2Snapshot(Introspector.capture(m, fd.val(), r.probeWindows, step)));
                Metrics test = testMetrics(m, fd);
                out.status(String.format(Locale.ROOT, "loaded %s: test MSE %.4f, MAE %.4f", dir, test.mse(), test.mae()));
                setState(SessionState.FINISHED);
                f.complete(dir);
            } catch (Throwable t) {
                if (be != null) be.close();
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    private static Metrics testMetrics(Tsm2 m, ForecastData fd) {
        return dev.mambamixer.engine.train.Evaluation.run(m, fd.test(), 128, null);
    }

    /** Runs {@code work} with the current run's model on the training thread, at a safe point. */
    private <T> CompletableFuture<T> onModelThread(java.util.function.Function<Run, T> work) {
        Run r = current;
        if (r == null) return CompletableFuture.failedFuture(new IllegalStateException("no model: start a run first"));
        Supplier<T> task = () -> work.apply(r);
        if (state == SessionState.PAUSED) return r.control.runParked(task);
        if (state.active()) return CompletableFuture.failedFuture(new IllegalStateException("pause or stop the run first"));
        return CompletableFuture.supplyAsync(task, thread);
    }

    @Override public void close() {
        Run r = current;
        if (r != null) {
            r.control.requestStop();
        }
        thread.shutdown();
    }

    // ------------------------------------------------------------------ one run

    /** Everything of one run; its fields are touched only by the training thread after construction. */
    private final class Run {
        final int id;
        final RunSettings settings;
        final TrainControl control = new TrainControl();
        volatile boolean discard;
        Backend backend;
        Tsm2 tsm2;
        Trainer trainer;
        ForecastData data;
        int[] probeWindows, forecastWindows;
        SequenceModel seqModel;
        TeachingTask task;
        List<SequenceExample> probeExamples;
        Vim2 vim2;
        VisionRun.DataSource visionData;
        ImageSet visionTrain, visionHeldOut;
        int[] probeImages;
        VisionTrainer visionTrainer;
        Path runDir;
        long plannedSteps;
        final long t0 = System.nanoTime();

        Run(int id, RunSettings settings) {
            this.id = id;
            this.settings = settings;
        }

        void execute() {
            try {
                prepare();
            } catch (Throwable t) {
                // the previous run stays current and its views stay as they were
                if (backend != null) backend.close();
                starting = null;
                setState(current != null ? SessionState.FINISHED : SessionState.IDLE);
                out.finished(new Finished("could not start: " + message(t), true, t));
                return;
            }
            Run old = current;
            current = this;
            starting = null;
            if (old != null) old.close();
            out.started(describe(), Backends.describe(backend));
            setState(SessionState.RUNNING);
            Finished end;
            try {
                end = switch (settings.kind()) {
                    case TSM2 -> trainTsm2();
                    case TEACHING -> trainTeaching();
                    case VISION -> trainVision();
                };
            } catch (Throwable t) {
                end = new Finished("training failed: " + message(t), true, t);
            }
            control.runPending();
            if (discard) {
                close();
                setState(SessionState.IDLE);
                return;
            }
            setState(end.failed() ? SessionState.FAILED : SessionState.FINISHED);
            out.finished(end);
        }

        /** Loads data and builds the model; throws on bad input, before anything is replaced. */
        void prepare() throws IOException {
            if (settings.kind() == ModelKind.VISION) {
                prepareVision();
            } else if (settings.kind() == ModelKind.TSM2) {
                data = ForecastData.load(settings.csv(), settings.seqLen(), settings.horizon());
                Tsm2Config mc = settings.tsm2();
                if (mc.variates() != data.variates())   // the config view model guesses M before the file is read
                    mc = mc.withVariates(data.variates());
                mc.validate();
                if (data.train().size() < settings.train().batchSize())
                    throw new IllegalArgumentException(settings.csv().getFileName() + ": the training split has "
                                                       + data.train().size() + " windows, fewer than one batch of "
                                                       + settings.train().batchSize());
                backend = Backends.create(settings.backend());
                tsm2 = new Tsm2(backend, mc);
                probeWindows = SnapshotRecorder.spreadWindows(data.val(), Math.min(settings.probeCount(), data.val().size()));
                forecastWindows = SnapshotRecorder.spreadWindows(data.test(),
                                                                 Math.min(settings.forecastWindows(), data.test().size()));
                out.status(data.summary());
            } else {
                task = TeachingTask.create(settings.task(), settings.sequence().length(), settings.sequence().vocab(),
                                           settings.copyTokens());
                settings.sequence().validate();
                settings.teach().validate();
                backend = Backends.create(settings.backend());
                seqModel = new SequenceModel(backend, settings.sequence());
                probeExamples = task.examples(settings.teach().heldOutSeed() + 1, settings.probeCount());
                plannedSteps = settings.teach().steps();
            }
        }

        String describe() {
            if (vim2 != null) {
                Vim2Config c = vim2.config();
                return String.format(Locale.ROOT, "ViM2 on %s: %dx%dx%d, patch %d, stages %s, token mixers %s, channel mixer %s, "
                                     + "%,d parameters", settings.vision().data().kind(), c.height(), c.width(), c.channels(),
                                     c.patch(), c.dims(), c.tokenMixers(), c.channelMixer(), vim2.parameterCount());
            }
            if (tsm2 != null) {
                Tsm2Config c = tsm2.config();
                return String.format(Locale.ROOT, "TSM2 %s on %s: T %d, H %d, M %d, d_model %d, %d layers, %,d parameters",
                                     c.design(), settings.csv().getFileName(), c.seqLen(), c.horizon(), c.variates(),
                                     c.dModel(), c.layers(), tsm2.parameterCount());
            }
            var c = seqModel.config();
            return String.format(Locale.ROOT, "teaching model on %s: L %d, V %d, d_model %d, %d layers%s, %,d parameters",
                                 task.name(), c.length(), c.vocab(), c.dModel(), c.layers(),
                                 c.channelMixer() ? "" : " (token mixers only)", seqModel.parameterCount());
        }

        double seconds() { return (System.nanoTime() - t0) / 1e9; }

        /** Whether this run is still the one the views show (false after a reset or a newer run). */
        boolean live() { return !discard && id == currentId(); }

        // ---------------------------------------------------------------- TSM2

        Finished trainTsm2() throws IOException {
            TrainConfig tc = settings.train();
            RunFolder folder = RunFolder.create(runsDir, "workbench-" + settings.csv().getFileName().toString()
                                                                                .replaceAll("\\.csv(\\.gz)?$", ""));
            runDir = folder.dir();
            com.google.gson.JsonObject config = TrainingCheckpoints.configJson(tsm2.config(), tc);
            config.add(dev.mambamixer.engine.run.DataRecord.KEY,   // as the CLI's runs: eval/resume know the data
                       dev.mambamixer.engine.run.DataRecord.of(settings.csv(), data.columns()).toJson());
            folder.writeConfig(config);
            if (live()) out.status("run folder: " + runDir);
            control.setUpdateRatioEvery(Math.max(1, settings.snapshotEvery() / 5));
            // Steps and validations reach the UI through the engine's AsyncListener (lossy for steps);
            // captures and ratios are built here on the training thread and only appended.
            AsyncListener ui = new AsyncListener(new TrainingListener() {
                @Override public void onStep(StepEvent e) {
                    if (!live()) return;
                    out.step(new StepPoint(e.step(), e.epoch(), e.loss(), e.lr(), e.gradNorm(), e.samples(),
                                           e.wallSeconds(), (long) tc.epochs() * e.stepsPerEpoch()));
                }

                @Override public void onEpoch(EpochEvent e) {
                    if (!live()) return;
                    out.eval(new EvalPoint(e.step(), e.wallSeconds(), e.trainLoss(), e.valMse(), e.valMae(), Double.NaN,
                                           Double.NaN, e.best()));
                }
            }, 64);
            int[] lastStep = {0};
            Tsm2Run run = Tsm2Run.builder(tsm2, data, tc).folder(folder).control(control)
                .snapshots(settings.snapshotEvery(), probeWindows).test(128, 0)
                .listener(new RunListener() {
                    @Override public void onCapture(ModelCapture cap) { if (live()) out.snapshot(tsm2Snapshot(cap)); }

                    @Override public void onStep(StepEvent e) {
                        lastStep[0] = e.step();
                        ui.onStep(e);
                    }

                    @Override public void onEpoch(EpochEvent e) { ui.onEpoch(e); }

                    @Override public void onUpdateRatios(UpdateRatioEvent e) { if (live()) out.ratios(ratioPoint(e)); }

                    @Override public void onFinish(String reason, boolean failed) { ui.onFinish(reason, failed); }
                }).build();
            trainer = run.trainer();
            RunOutcome o;
            try {
                o = run.run();
            } finally {
                ui.close();
            }
            if (o instanceof RunOutcome.Failed f && f.error() != null) {
                if (f.error() instanceof RuntimeException re) throw re;
                if (f.error() instanceof Error err) throw err;
                throw new IllegalStateException(f.cause(), f.error());
            }
            if (!live()) return new Finished(o.summary(), o instanceof RunOutcome.Failed, null);   // reset while running
            // the best weights are restored: show them
            out.snapshot(tsm2Snapshot(Introspector.capture(tsm2, data.val(), probeWindows, lastStep[0])));
            if (o instanceof RunOutcome.Failed f) return new Finished(f.cause(), true, null);
            TrainResult r = o.training();
            Metrics test = o instanceof RunOutcome.Finished fin ? fin.test() : ((RunOutcome.Stopped) o).test();
            return new Finished(String.format(Locale.ROOT, "%s; best val MSE %.4f (step %d); test MSE %.4f, MAE %.4f",
                                              r.reason(), r.bestValMse(), trainer.bestStep(), test.mse(), test.mae()),
                                false, null);
        }

        Snapshot tsm2Snapshot(ModelCapture cap) {
            List<String> names = new ArrayList<>();
            for (int w : probeWindows) names.add("val window " + w);
            List<ForecastWindow> fc = Introspector.forecasts(tsm2, data, data.test(), forecastWindows);
            return Snapshot.of(cap.step(), "TSM2", cap.mixers(), cap.averaging(), List.of(), names, data.columns(), "test", fc)
                           .withProbeSeries(cap.input());
        }

        // ---------------------------------------------------------------- ViM2

        /** Reads the images and builds ViM2 fitted to them (image size, channels, classes). */
        void prepareVision() throws IOException {
            RunSettings.Vision v = settings.vision();
            Vim2Config preset = v.model();
            VisionDatasets.VisionSplits splits = VisionRun.splits(v.data(), preset.height(), preset.width(), preset.channels());
            visionTrain = splits.train();
            visionHeldOut = splits.heldOut();
            if (visionTrain.count() < v.train().batch())
                throw new IllegalArgumentException(v.data().kind() + ": the training split has " + visionTrain.count()
                                                   + " images, fewer than one batch of " + v.train().batch());
            int side = visionTrain.height();
            int p = side % 4 == 0 && side >= 16 ? 4 : 1;
            Vim2Config mc = preset.withImage(visionTrain.height(), visionTrain.width(), visionTrain.channels(),
                                             Math.max(2, visionTrain.classes()), p).validate();
            visionData = new VisionRun.DataSource(v.data().kind(), v.data().path(), splits.description(), visionTrain.classNames());
            backend = Backends.create(settings.backend());
            vim2 = new Vim2(backend, mc);
            probeImages = VisionViews.spreadImages(visionHeldOut, Math.min(settings.probeCount(), visionHeldOut.count()));
            out.status(splits.description());
        }

        Finished trainVision() throws IOException {
            VisionTrainConfig tc = settings.vision().train();
            RunFolder folder = RunFolder.create(runsDir, "workbench-" + settings.dataName());
            runDir = folder.dir();
            if (live()) out.status("run folder: " + runDir);
            int perEpoch = (visionTrain.count() + tc.batch() - 1) / tc.batch();
            if (live()) out.vision(visionSnapshot(-1, 0));
            VisionRun run = VisionRun.builder(vim2, tc, visionData).folder(folder).control(control)
                .listener(new TrainingListener() {
                    double lastLoss = Double.NaN;

                    @Override public void onStep(StepEvent e) {
                        lastLoss = e.loss();
                        if (live())
                            out.step(new StepPoint(e.step(), e.epoch(), e.loss(), e.lr(), e.gradNorm(), e.samples(),
                                                   e.wallSeconds(), (long) tc.epochs() * perEpoch, e.accuracy()));
                    }

                    @Override public void onHeldOut(HeldOutEvent e) {
                        if (!live()) return;
                        out.eval(new EvalPoint(e.step(), e.wallSeconds(), lastLoss, Double.NaN, Double.NaN, e.loss(),
                                               e.accuracy(), false));
                        int epoch = visionTrainer.epoch();
                        // the trainer's model is between epochs here: capture and evaluate on this thread
                        out.vision(visionSnapshot(e.step(), epoch));
                        out.visionResults(visionResults(visionTrainer.lastHeldOut(), e.step(), epoch, false));
                    }
                }).build();
            visionTrainer = run.trainer();
            VisionTrainer.Result r = run.run(visionTrain, visionHeldOut);
            if (!live()) return new Finished(r.reason(), r.failed(), null);
            // the kept (best) weights are in the model now
            out.vision(visionSnapshot(r.steps(), r.epochs()));
            if (r.heldOut() != null) out.visionResults(visionResults(r.heldOut(), r.steps(), r.epochs(), true));
            if (r.failed()) return new Finished(r.reason(), true, null);
            return new Finished(String.format(Locale.ROOT, "%s: %d epochs, %d steps, %.0f s (%.1f images/s); held-out accuracy "
                                              + "%.4f (kept weights of epoch %d)", r.reason(), r.epochs(), r.steps(), r.seconds(),
                                              r.imagesPerSecond(), r.heldOut().accuracy(), r.bestEpoch()), false, null);
        }

        /** Captures the probe images with the model as it is now (training thread, between steps). */
        UiEvents.VisionSnapshot visionSnapshot(long step, int epoch) {
            return VisionViews.snapshot(vim2, visionHeldOut, probeImages, step, epoch);
        }

        UiEvents.VisionResults visionResults(VisionEvaluation ev, long step, int epoch, boolean fin) {
            return VisionViews.results(ev, visionHeldOut, step, epoch, fin);
        }

        // ---------------------------------------------------------------- teaching model

        Finished trainTeaching() throws IOException {
            var tc = settings.teach();
            int every = settings.snapshotEvery();
            control.setUpdateRatioEvery(Math.max(1, every / 5));
            if (live()) out.snapshot(sequenceSnapshot(Introspector.capture(seqModel, probeExamples, 0)));
            RunFolder folder = RunFolder.create(runsDir, "workbench-" + task.name());
            runDir = folder.dir();
            if (live()) out.status("run folder: " + runDir);
            TeachingRun.Builder run = TeachingRun.builder(seqModel, task, tc).folder(folder).control(control);
            run.listener(new TrainingListener() {
                double lastLoss = Double.NaN;

                @Override public void onStep(StepEvent e) {
                    lastLoss = e.loss();
                    if (live())
                        out.step(new StepPoint(e.step(), 1, e.loss(), e.lr(), Double.NaN, e.samples(), seconds(), tc.steps()));
                    if (e.step() % every == 0 && live())
                        out.snapshot(sequenceSnapshot(Introspector.capture(seqModel, probeExamples, e.step())));
                }

                @Override public void onHeldOut(HeldOutEvent e) {
                    if (live()) out.eval(new EvalPoint(e.step(), seconds(), lastLoss, Double.NaN, Double.NaN, e.loss(),
                                                       e.accuracy(), false));
                }

                @Override public void onUpdateRatios(UpdateRatioEvent e) { if (live()) out.ratios(ratioPoint(e)); }
            });
            SequenceTrainer.Result r = run.build().run();
            if (live()) out.snapshot(sequenceSnapshot(Introspector.capture(seqModel, probeExamples, r.steps())));
            return new Finished(String.format(Locale.ROOT, "%s after %d steps (%.1f samples/s); held-out token accuracy "
                                              + "%.3f, exact match %.3f", control.isStopRequested() ? "stopped on request"
                                                                                                     : "completed",
                                 r.steps(), r.samplesPerSecond(), r.heldOut().accuracy(), r.heldOut().sequenceAccuracy()),
                                false, null);
        }

        Snapshot sequenceSnapshot(SequenceCapture cap) {
            List<String> names = new ArrayList<>();
            for (int i = 0; i < cap.examples().size(); i++) names.add("example " + i);
            List<int[]> predicted = new ArrayList<>();
            for (int i = 0; i < cap.examples().size(); i++) predicted.add(cap.predicted(i));
            return Snapshot.of(cap.step(), "teaching (" + task.name() + ")", cap.mixers(), cap.averaging(), cap.examples(), names,
                                List.of(), List.of()).withPredictions(predicted);
        }

        RatioPoint ratioPoint(TrainingListener.UpdateRatioEvent e) { return RatioPoint.of(e); }

        void close() {
            if (backend != null) backend.close();
            backend = null;
        }
    }

    /**
     * Captures the ViM2 probe images now (on demand): while paused between steps, or after the run
     * finished. The result also reaches the views through the event buffer.
     */
    public CompletableFuture<UiEvents.VisionSnapshot> captureVision() {
        return onModelThread(r -> {
            if (r.vim2 == null) throw new IllegalStateException("the current run is not a ViM2 run");
            long step = r.visionTrainer != null ? r.visionTrainer.step() : -1;
            int epoch = r.visionTrainer != null ? r.visionTrainer.epoch() : 0;
            UiEvents.VisionSnapshot s = r.visionSnapshot(step, epoch);
            out.vision(s);
            return s;
        });
    }

    private int currentId() {
        Run r = current;
        return r == null ? -1 : r.id;
    }

    static String message(Throwable t) {
        String m = t.getMessage();
        if (t instanceof java.io.UncheckedIOException && t.getCause() != null) m = t.getCause().getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }
}
