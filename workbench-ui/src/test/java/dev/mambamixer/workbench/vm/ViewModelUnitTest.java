package dev.mambamixer.workbench.vm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mambamixer.workbench.Paths;
import dev.mambamixer.workbench.session.EventBuffer;
import dev.mambamixer.workbench.session.FxThrottle;
import dev.mambamixer.workbench.session.RunSettings;
import dev.mambamixer.workbench.session.SessionState;
import dev.mambamixer.workbench.session.UiEvents;
import dev.mambamixer.workbench.session.UiEvents.StepPoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/** View models without a screen and without training: plain JavaFX properties. */
class ViewModelUnitTest {

    @Test void fieldsValidateWithMessagesNamingTheField() {
        Field f = Field.integer("dModel", "d_model", "width", 1, 1024, 16);
        assertTrue(f.valid());
        f.textProperty().set("0");
        assertEquals("d_model: must be in [1, 1024], got 0", f.errorProperty().get());
        f.textProperty().set("1e3");
        assertEquals("d_model: not a whole number: '1e3'", f.errorProperty().get());
        Field lr = Field.decimal("lr", "Learning rate", "", 1e-6, 1, 1e-3, true);
        assertEquals("0.001", lr.textProperty().get());
        lr.set(1e-4);
        assertEquals("1.00e-04", lr.textProperty().get());
        assertEquals(1e-4, lr.doubleValue(), 0);
        Field c = Field.choice("design", "Design", "", List.of("I1", "I2"), "I1");
        c.textProperty().set("I3");
        assertEquals("Design: expected one of [I1, I2], got 'I3'", c.errorProperty().get());
    }

    @Test void configBuildsEngineSettingsAndReportsEngineValidation() {
        ConfigViewModel c = new ConfigViewModel(Paths.sampleData(), "cpu");
        RunSettings s = c.build();
        assertEquals(RunSettings.ModelKind.TSM2, s.kind());
        assertEquals(96, s.tsm2().seqLen());
        // the one set of defaults the CLI uses too
        assertEquals(dev.mambamixer.engine.model.Tsm2Defaults.D_MODEL, s.tsm2().dModel());
        assertEquals(32, s.tsm2().dModel());
        assertEquals(dev.mambamixer.engine.train.TrainConfig.defaults().batchSize(), s.train().batchSize());
        assertEquals(dev.mambamixer.engine.train.TrainConfig.defaults().warmupSteps(), s.train().warmupSteps());
        assertEquals(50, s.train().evalEvery());
        assertEquals(dev.mambamixer.engine.train.HeadStart.RANDOM, s.train().headStart());
        c.field("headStart").textProperty().set("least-squares");
        assertEquals(dev.mambamixer.engine.train.HeadStart.LEAST_SQUARES, c.build().train().headStart());
        c.field("headStart").textProperty().set("random");
        // a cross-field problem only the engine's config knows: the patch is longer than the look-back
        c.field("patchLen").set(128);
        assertFalse(c.validProperty().get());
        assertTrue(c.errors().get(0).contains("patchLen: 128 is longer than the look-back seqLen 96"), c.errors()::toString);
        c.field("patchLen").set(16);
        assertTrue(c.validProperty().get());
        // the teaching task checks L against K
        c.dataProperty().set(c.dataChoices().get(1));
        assertEquals(RunSettings.ModelKind.TEACHING, c.modelProperty().get());
        c.field("copyTokens").set(20);
        assertFalse(c.validProperty().get());
        assertTrue(c.errors().get(0).contains("length: 32 is too short for 20 tokens"), c.errors()::toString);
    }

    @Test void presetsSetThePaperSettingAndSwitchTheModelFamily() {
        ConfigViewModel c = new ConfigViewModel(Paths.sampleData(), "cpu");
        ConfigViewModel.Preset paper = c.presets().stream().filter(p -> p.name().startsWith("Paper setting (T 512"))
                                        .findFirst().orElseThrow();
        c.applyPreset(paper);
        RunSettings s = c.build();
        assertEquals(512, s.tsm2().seqLen());
        assertEquals(96, s.tsm2().horizon());
        assertEquals(32, s.tsm2().dModel());
        assertEquals(1e-4, s.train().lr(), 1e-12);
        assertEquals(128, s.train().batchSize());
        assertEquals(63, s.tsm2().numPatches());   // MODEL.md §6.1: Nₚ = 63 for T = 512
        ConfigViewModel.Preset induction = c.presets().stream().filter(p -> p.name().startsWith("Induction"))
                                            .findFirst().orElseThrow();
        c.applyPreset(induction);
        assertEquals(ConfigViewModel.DataChoice.Kind.INDUCTION, c.dataProperty().get().kind());
        assertEquals("induction", c.build().task());
    }

    @Test void hotFieldsApplyAtOnceColdFieldsAskForAReset() {
        ConfigViewModel c = new ConfigViewModel(Paths.sampleData(), "cpu");
        List<Double> applied = new ArrayList<>();
        c.setHotApplier((k, v) -> applied.add(v));
        c.field("dModel").set(32);                  // no model yet: nothing pending
        assertFalse(c.coldChangePendingProperty().get());
        c.modelExistsProperty().set(true);
        c.field("lr").set(5e-4);
        assertEquals(List.of(5e-4), applied);
        assertFalse(c.coldChangePendingProperty().get(), "the learning rate is hot");
        c.field("lr").textProperty().set("-1");   // invalid: not applied
        assertEquals(1, applied.size());
        c.field("layers").set(3);
        assertTrue(c.coldChangePendingProperty().get());
        assertEquals(List.of("Layers"), c.pendingColdChanges());
        c.modelExistsProperty().set(false);        // reset
        assertFalse(c.coldChangePendingProperty().get());
    }

    @Test void teachingTasksShowOnlyTheFieldsTheyUse() {
        ConfigViewModel c = new ConfigViewModel(Paths.sampleData(), "cpu");
        c.dataProperty().set(c.dataChoices().stream().filter(d -> d.kind() == ConfigViewModel.DataChoice.Kind.SELECTIVE_COPY)
                                 .findFirst().orElseThrow());
        assertTrue(c.visibleFields().stream().anyMatch(f -> f.key().equals("copyTokens")));
        c.dataProperty().set(c.dataChoices().stream().filter(d -> d.kind() == ConfigViewModel.DataChoice.Kind.INDUCTION)
                                 .findFirst().orElseThrow());
        assertTrue(c.visibleFields().stream().noneMatch(f -> f.key().equals("copyTokens")), "induction heads copies no K tokens");
        assertTrue(c.visibleFields().stream().anyMatch(f -> f.key().equals("length")));
    }

    @Test void runControlsFollowTheSessionState() {
        RunViewModel r = new RunViewModel();
        assertTrue(r.canStartProperty().get());
        assertFalse(r.canPauseProperty().get() || r.canStopProperty().get() || r.canResetProperty().get());
        r.stateProperty().set(SessionState.RUNNING);
        assertFalse(r.canStartProperty().get());
        assertTrue(r.canPauseProperty().get() && r.canStopProperty().get() && r.canResetProperty().get());
        assertFalse(r.canStepProperty().get() || r.canResumeProperty().get() || r.canSaveProperty().get());
        r.stateProperty().set(SessionState.PAUSED);
        assertTrue(r.canStepProperty().get() && r.canResumeProperty().get() && r.canSaveProperty().get());
        assertFalse(r.canPauseProperty().get());
        r.stateProperty().set(SessionState.FINISHED);
        assertTrue(r.canStartProperty().get() && r.canSaveProperty().get() && r.canLoadProperty().get());
        r.checkpointableProperty().set(false);     // the teaching model has no checkpoints
        assertFalse(r.canSaveProperty().get());
        r.configValidProperty().set(false);
        assertFalse(r.canStartProperty().get());
    }

    @Test void speedAndEtaComeFromTheStepEvents() {
        RunViewModel r = new RunViewModel();
        r.stateProperty().set(SessionState.RUNNING);
        List<StepPoint> steps = new ArrayList<>();
        // 10 steps per second, 16 samples each, 1000 planned steps
        for (int i = 1; i <= 21; i++) steps.add(new StepPoint(i, 1, 1.0, 1e-3, 1, 16L * i, 0.1 * i, 1000));
        r.onSteps(steps);
        assertEquals(160, r.samplesPerSecond(), 1e-6);
        assertEquals((1000 - 21) / 10.0, r.eta(), 1e-6);
        assertEquals("step 21 / 1000 (epoch 1)", r.stepTextProperty().get());
        assertEquals("ETA 1:38", r.etaTextProperty().get());
        assertEquals("1:01:01", RunViewModel.duration(3661));

        // paused: one Step a minute later moves the step only (not "0.3 samples/s, ETA 16:19")
        r.stateProperty().set(SessionState.PAUSED);
        assertEquals("ETA - (paused)", r.etaTextProperty().get());
        r.onSteps(List.of(new StepPoint(22, 1, 1.0, 1e-3, 1, 16L * 22, 62.1, 1000)));
        assertEquals("step 22 / 1000 (epoch 1)", r.stepTextProperty().get());
        assertEquals(160, r.samplesPerSecond(), 1e-6);
        assertEquals("ETA - (paused)", r.etaTextProperty().get());
        // resumed: the speed is measured again from running steps only
        r.stateProperty().set(SessionState.RUNNING);
        List<StepPoint> more = new ArrayList<>();
        for (int i = 23; i <= 43; i++) more.add(new StepPoint(i, 1, 1.0, 1e-3, 1, 16L * i, 62.1 + 0.2 * (i - 22), 1000));
        r.onSteps(more);
        assertEquals(80, r.samplesPerSecond(), 1e-6);
        // stopped: no ETA for a run that is over
        r.stateProperty().set(SessionState.FINISHED);
        assertEquals("ETA -", r.etaTextProperty().get());
        // the results card: one clause per line, then steps, time and speed
        r.setResult("stopped on request; best val MSE 0.2930 (step 250); test MSE 0.2883, MAE 0.4145");
        assertEquals("stopped on request\nbest val MSE 0.2930 (step 250)\ntest MSE 0.2883, MAE 0.4145\n43 steps in 1:06 (80 samples/s)",
                     r.resultProperty().get());
        r.setResult("");
        assertEquals("", r.resultProperty().get());
    }

    @Test void curvesKeepBothXAxesAndAverageSpeedOverHalfSeconds() {
        CurvesViewModel c = new CurvesViewModel();
        List<StepPoint> steps = new ArrayList<>();
        for (int i = 1; i <= 20; i++) steps.add(new StepPoint(i, 1, 2.0 / i, 1e-3, 1, 8L * i, 0.1 * i, 0));
        long rev = c.revisionProperty().get();
        c.addSteps(steps);
        assertEquals(rev + 1, c.revisionProperty().get(), "one tick per batch");
        CurvesViewModel.Series loss = c.series(CurvesViewModel.TRAIN_LOSS);
        assertEquals(20, loss.size());
        assertEquals(5.0, loss.x(CurvesViewModel.XAxis.STEP, 0)[4]);
        assertEquals(0.5, loss.x(CurvesViewModel.XAxis.WALL, 0)[4], 1e-12);
        assertEquals(1.0, loss.y(0)[1]);
        // samples/s every >= 0.5 s: 80 samples/s each time (8 samples per 0.1 s)
        CurvesViewModel.Series speed = c.series(CurvesViewModel.SPEED);
        assertEquals(3, speed.size());
        for (double v : speed.y(0)) assertEquals(80, v, 1e-6);
        c.smoothingProperty().set(1.5);
        assertTrue(c.smoothingProperty().get() < 1, "smoothing stays below 1");
        c.clear();
        assertNull(c.series(CurvesViewModel.TRAIN_LOSS));
    }

    @Test void curvesReadOutZoomPanAndMarkTheBestValidation() {
        CurvesViewModel c = new CurvesViewModel();
        List<StepPoint> steps = new ArrayList<>();
        for (int i = 1; i <= 100; i++) steps.add(new StepPoint(i, 1, 1.0 / i, 1e-3, 1, 8L * i, 0.1 * i, 0));
        c.addSteps(steps);
        c.addEvals(List.of(new UiEvents.EvalPoint(50, 5.0, 0.02, 0.30, 0.41, Double.NaN, Double.NaN, true),
                           new UiEvents.EvalPoint(100, 10.0, 0.01, 0.35, 0.45, Double.NaN, Double.NaN, false)));
        assertEquals(50, c.bestX());
        // the point nearest to x = 49.6 is step 50: its train loss, and the validation there
        String r = c.readout(49.6);
        assertTrue(r.startsWith("step 50 · train loss 0.0200"), r);
        assertTrue(r.contains("val MSE 0.3000 best"), r);
        assertTrue(r.contains("val MAE 0.4100"), r);
        assertTrue(r.contains("learning rate 0.00100"), r);
        // between validations the validation's own step is named
        assertTrue(c.readout(80).contains("val MSE 0.3500 (step 100)"), c.readout(80));
        assertEquals("", c.readout(Double.NaN));
        // zoom (either order), pan, reset; a different x axis forgets the zoom
        c.zoom(60, 20);
        assertArrayEquals(new double[] {20, 60}, c.xRangeProperty().get());
        c.pan(10);
        assertArrayEquals(new double[] {30, 70}, c.xRangeProperty().get());
        c.zoom(5, 5);
        assertArrayEquals(new double[] {30, 70}, c.xRangeProperty().get(), "an empty drag changes nothing");
        c.resetZoom();
        assertNull(c.xRangeProperty().get());
        c.zoom(1, 2);
        c.xAxisProperty().set(CurvesViewModel.XAxis.WALL);
        assertNull(c.xRangeProperty().get());
        assertEquals(5.0, c.bestX(), 1e-12);
        assertTrue(c.readout(5.02).startsWith("step 50 (5.0 s) · train loss"), c.readout(5.02));
    }

    @Test void aRestartKeepsThePreviousRunsCurvesAsAComparison() {
        CurvesViewModel c = new CurvesViewModel();
        assertFalse(c.keepAsPrevious(), "nothing to keep yet");
        List<StepPoint> steps = new ArrayList<>();
        for (int i = 1; i <= 10; i++) steps.add(new StepPoint(i, 1, 1.0 / i, 1e-3, 1, 8L * i, 0.1 * i, 0));
        c.addSteps(steps);
        c.addEvals(List.of(new UiEvents.EvalPoint(10, 1.0, 0.1, 0.3, 0.4, Double.NaN, Double.NaN, true)));
        assertTrue(c.keepAsPrevious());
        c.clear();                                    // the new run starts
        assertNull(c.series(CurvesViewModel.TRAIN_LOSS));
        assertEquals(List.of(CurvesViewModel.PREVIOUS_RUN), c.comparisonNames());
        CurvesViewModel.Series kept = c.comparisonSeries().get("previous run: train loss");
        assertEquals(10, kept.size());
        assertEquals(0.1, kept.lastY(), 1e-12);
        assertEquals(0.3, c.comparisonSeries().get("previous run: val MSE").lastY(), 1e-12);
    }

    @Test void pausesAndLearningRateChangesAreMarkedAtTheNewestStep() {
        CurvesViewModel c = new CurvesViewModel();
        c.markEvent("paused");
        assertEquals(List.of(), c.events(), "nothing to mark before the first step");
        List<StepPoint> steps = new ArrayList<>();
        for (int i = 1; i <= 10; i++) steps.add(new StepPoint(i, 1, 1.0 / i, 1e-3, 1, 8L * i, 0.1 * i, 0));
        c.addSteps(steps);
        c.markEvent("lr 5.0E-4");
        assertEquals(List.of(new CurvesViewModel.RunEvent(10, 1.0, "lr 5.0E-4")), c.events());
        // in wall time the pause is a break in the line, not a diagonal: steps 11 and 12 came 30 s after step 10
        c.markEvent("paused");
        c.addSteps(List.of(new StepPoint(11, 1, 0.09, 1e-3, 1, 88, 31.0, 0), new StepPoint(12, 1, 0.08, 1e-3, 1, 96, 31.1, 0)));
        c.xAxisProperty().set(CurvesViewModel.XAxis.WALL);
        double[][] p = c.points(CurvesViewModel.TRAIN_LOSS, 9);
        assertArrayEquals(new double[] {1.0, 1.0, 31.0, 31.1}, p[0], 1e-12);
        assertEquals(0.1, p[1][0], 1e-12);
        assertTrue(Double.isNaN(p[1][1]), "the break");
        assertEquals(0.09, p[1][2], 1e-12);
        c.xAxisProperty().set(CurvesViewModel.XAxis.STEP);
        assertEquals(3, c.points(CurvesViewModel.TRAIN_LOSS, 9)[0].length, "steps need no break");
        c.clear();
        assertEquals(List.of(), c.events());
    }

    @Test void comparedRunsGetShortLegendNames() {
        assertEquals("workbench-synthetic 19:45:07", CurvesViewModel.runLabel(java.nio.file.Path.of("runs", "20261204-194507-workbench-synthetic")));
        assertEquals("19:45:07", CurvesViewModel.runLabel(java.nio.file.Path.of("20261204-194507")));
        assertEquals("my-run", CurvesViewModel.runLabel(java.nio.file.Path.of("/tmp/my-run")));
    }

    @Test void throttleCoalescesAndKeepsOneBatchInFlight() {
        EventBuffer buf = new EventBuffer(5);
        List<EventBuffer.Batch> applied = new ArrayList<>();
        List<Runnable> pending = new ArrayList<>();
        Executor ui = pending::add;   // a UI thread that has not run yet
        try (FxThrottle t = new FxThrottle(buf, ui, applied::add, 1_000_000)) {
            for (int i = 1; i <= 8; i++) buf.step(new StepPoint(i, 1, 1, 1, 1, i, i, 0));
            t.tick();
            t.tick();                                    // the first batch is still in flight: nothing new
            assertEquals(1, pending.size());
            for (int i = 9; i <= 10; i++) buf.step(new StepPoint(i, 1, 1, 1, 1, i, i, 0));
            pending.remove(0).run();
            EventBuffer.Batch b = applied.get(0);
            assertEquals(5, b.steps().size(), "capped at 5 waiting steps");
            assertEquals(4, b.steps().get(0).step(), "the oldest were dropped");
            assertEquals(3, b.droppedSteps());
            t.tick();
            pending.remove(0).run();
            assertEquals(List.of(9, 10), applied.get(1).steps().stream().map(StepPoint::step).toList());
            t.tick();
            assertTrue(pending.isEmpty(), "nothing pending: no batch");
            assertEquals(2, t.batches());
        }
    }

    @Test void startedDropsThePreviousRunsWaitingEvents() {
        EventBuffer buf = new EventBuffer();
        buf.step(new StepPoint(7, 1, 1, 1, 1, 1, 1, 0));
        buf.started("new run");
        buf.step(new StepPoint(1, 1, 1, 1, 1, 1, 1, 0));
        EventBuffer.Batch b = buf.drain();
        assertEquals(new UiEvents.Started("new run", null), b.started());
        assertEquals(1, b.steps().size());
        assertEquals(1, b.steps().get(0).step());
        assertTrue(buf.drain().isEmpty());
    }

    @Test void invalidRunSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new RunSettings(RunSettings.ModelKind.TSM2, null, 96, 24, null,
                                                                            null, null, 0, null, null, 25, 4, 24, "cpu"));
    }
}
