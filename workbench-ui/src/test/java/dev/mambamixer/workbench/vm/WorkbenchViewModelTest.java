package dev.mambamixer.workbench.vm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mambamixer.engine.introspect.MixerCapture;
import dev.mambamixer.engine.introspect.ScanQuantity;
import dev.mambamixer.workbench.Paths;
import dev.mambamixer.workbench.session.SessionState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole workbench without a screen: a real short TSM2 run on the sample data driven through
 * the view models (start, pause, step once, resume, stop), then save / load / corrupted
 * checkpoint, and exploring the run folder it wrote. Batches are applied on the throttle thread
 * (a direct executor stands in for Platform::runLater), so every read below synchronises on
 * {@code vm} via {@link #await}.
 */
class WorkbenchViewModelTest {
    @TempDir Path tmp;
    WorkbenchViewModel vm;

    @BeforeEach void setUp() {
        vm = new WorkbenchViewModel(Paths.sampleData(), tmp.resolve("runs"), r -> { synchronized (this) { r.run(); } },
                                    "cpu", 50);
        ConfigViewModel c = vm.config();
        c.field("seqLen").set(48);
        c.field("horizon").set(12);
        c.field("dModel").set(8);
        c.field("layers").set(1);
        c.field("dState").set(4);
        c.field("batch").set(16);
        c.field("epochs").set(1);
        c.field("evalEvery").set(20);
        c.field("snapshotEvery").set(10);
    }

    @AfterEach void tearDown() { vm.close(); }

    synchronized <T> T read(java.util.function.Supplier<T> s) { return s.get(); }

    void await(String what, BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            synchronized (this) { if (cond.getAsBoolean()) return; }
            Thread.sleep(20);
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    int trainSteps() {
        CurvesViewModel.Series s = vm.curves().series(CurvesViewModel.TRAIN_LOSS);
        return s == null ? 0 : s.size();
    }

    int lastStep() {
        CurvesViewModel.Series s = vm.curves().series(CurvesViewModel.TRAIN_LOSS);
        return s == null || s.size() == 0 ? 0 : (int) s.x(CurvesViewModel.XAxis.STEP, s.size() - 1)[0];
    }

    @Test void trainsPausesStepsResumesStopsAndShowsEveryView() throws Exception {
        assertTrue(vm.config().validProperty().get(), () -> "config invalid: " + vm.config().errors());
        assertTrue(vm.start());
        await("20 steps and a snapshot", () -> trainSteps() >= 20 && vm.selection().snapshotProperty().get() != null);

        vm.pause();
        assertEquals(SessionState.PAUSED, vm.session().state());
        // the trainer parks after the step in flight (and any validation due); its events then arrive
        await("parked", () -> vm.session().parkedAtStep() > 0);
        int parked = (int) vm.session().parkedAtStep();
        await("the parked step shown", () -> lastStep() == parked);
        Thread.sleep(400);
        assertEquals(parked, (int) read(this::lastStep), "no steps while paused");
        vm.stepOnce();
        await("exactly one more step", () -> vm.session().parkedAtStep() == parked + 1 && lastStep() == parked + 1);
        Thread.sleep(300);
        assertEquals(parked + 1, (int) read(this::lastStep), "step once runs exactly one step");

        vm.resume();
        await("training goes on", () -> lastStep() >= parked + 10);
        // hot learning rate: applied to the running trainer, no reset asked
        synchronized (this) { vm.config().field("lr").set(2e-3); }
        assertEquals(2e-3, vm.session().learningRateOverride());
        assertFalse(read(() -> vm.config().coldChangePendingProperty().get()));
        synchronized (this) { vm.config().field("dModel").set(12); }   // cold: asks for a reset
        assertTrue(read(() -> vm.config().coldChangePendingProperty().get()));
        synchronized (this) { vm.config().field("dModel").set(8); }
        vm.stop();
        await("finished", () -> vm.run().stateProperty().get() == SessionState.FINISHED);

        synchronized (this) {
            // curves: the loss of every delivered step is finite, steps increase
            CurvesViewModel.Series loss = vm.curves().series(CurvesViewModel.TRAIN_LOSS);
            double[] x = loss.x(CurvesViewModel.XAxis.STEP, 0), y = loss.y(0);
            for (int i = 1; i < x.length; i++) assertTrue(x[i] > x[i - 1]);
            for (double v : y) assertTrue(Double.isFinite(v) && v > 0);
            assertTrue(vm.curves().series(CurvesViewModel.VAL_MSE).size() >= 1, "validation every 20 steps");
            assertTrue(vm.curves().series(CurvesViewModel.LR).size() == loss.size());

            // token selection: rows = E = 2 * d_model inner channels, positions = patches (T 48, P 16, S 8 -> 5)
            MixerCapture tok = vm.selection().tokenMixer();
            assertEquals("blocks.0.time", tok.name());
            assertArrayEquals(new int[] {16, 5}, vm.selection().tokenShape());
            vm.selection().quantityProperty().set(ScanQuantity.B);
            assertArrayEquals(new int[] {4, 5}, vm.selection().tokenShape());   // N = d_state
            vm.selection().quantityProperty().set(ScanQuantity.RETENTION);
            assertArrayEquals(new int[] {4 * 7, 5}, vm.selection().tokenShape());   // every (window, variate) sequence
            assertEquals(4 * 7, vm.selection().tokenSequences().size());
            assertEquals("val window 0 · OT", vm.selection().tokenSequences().get(6));
            // channel selection: variates (7) x patches (5)
            assertArrayEquals(new int[] {7, 5}, vm.selection().channelShape());
            assertTrue(vm.selection().attentionAggregation().startsWith("mean |α| over 16 inner channels"));

            // averaging: 2 mixers -> 2 x 3, history over the snapshots
            assertEquals(2, vm.averaging().matrixProperty().get().targetCount());
            assertTrue(vm.averaging().history().size() >= 2);
            // forecasts: 24 test windows of H 12 x M 7, truth and prediction in original units
            assertEquals(24, vm.forecast().windows().size());
            assertEquals(12, vm.forecast().current().prediction(0).length);
            assertTrue(Double.isFinite(vm.forecast().current().mse()));
            // diagnostics: ratios per group and Δ stats per mixer/direction
            assertFalse(vm.diagnostics().ratios().isEmpty());
            assertTrue(vm.diagnostics().ratios().containsKey("blocks.0.time"), vm.diagnostics().ratios().keySet()::toString);
            assertEquals(48, vm.selection().tokenInputSeries().length, "the probe window's input (T = 48) above the heatmap");
            assertTrue(vm.diagnostics().deltaStats().containsKey("blocks.0.variate/backward"));
            assertTrue(vm.run().messageProperty().get().contains("stopped on request"), vm.run().messageProperty()::get);
            String card = vm.run().resultProperty().get();
            assertTrue(card.startsWith("stopped on request\n") && card.contains("\ntest MSE ") && card.contains(" steps in "), card);
            assertNull(vm.errorProperty().get());
        }

        // the run folder can be explored without training
        Path runDir = vm.session().runFolder();
        assertTrue(Files.exists(runDir.resolve("events.jsonl")));
        // the data file is recorded as the CLI's runs record it (eval and resume check it; the runs table shows it)
        var dataRec = com.google.gson.JsonParser.parseString(Files.readString(runDir.resolve("config.json"))).getAsJsonObject()
                                               .getAsJsonObject("data");
        assertTrue(dataRec.get("path").getAsString().endsWith("synthetic.csv"), dataRec.toString());
        assertEquals(64, dataRec.get("sha256").getAsString().length());
        assertEquals("synthetic.csv", dev.mambamixer.workbench.session.RunSummary.read(runDir).dataset());
        int logged = read(this::trainSteps);
        vm.explore(runDir).get(30, TimeUnit.SECONDS);
        await("explore mode", () -> vm.modeProperty().get() == WorkbenchViewModel.Mode.EXPLORE
                                    && vm.selection().snapshotProperty().get() != null);
        synchronized (this) {
            assertEquals(logged, trainSteps(), "every logged step is back on the curve");
            assertFalse(vm.timeline().steps().isEmpty());
            assertTrue(vm.diagnostics().ratios().containsKey("blocks.0.time"), "update ratios read back from events.jsonl");
        }
        await("the stored probe forecasts", () -> vm.forecast().windows().size() == 4);
        synchronized (this) {
            assertEquals("OT", vm.forecast().variates().get(6), "variate names from the run folder");
            assertEquals(12, vm.forecast().current().truth(0).length, "ground truth stored with the snapshot");
            assertTrue(vm.selection().tokenSequences().get(0).startsWith("val window 0"));
        }
        // the run shown is not compared with itself
        vm.compare(runDir).get(30, TimeUnit.SECONDS);
        synchronized (this) { assertEquals(List.of(), vm.curves().comparisonNames()); }
        // another run (a copy): its train loss and val MSE as extra series
        Path other = tmp.resolve("other-runs").resolve(runDir.getFileName() + "-copy");
        for (Path p : Files.walk(runDir).toList()) {   // the whole folder: events, snapshots, checkpoints
            Path to = other.resolve(runDir.relativize(p).toString());
            if (Files.isDirectory(p)) Files.createDirectories(to);
            else Files.copy(p, to);
        }
        vm.compare(other).get(30, TimeUnit.SECONDS);
        await("comparison", () -> vm.curves().comparisonNames().size() == 1);
        synchronized (this) {
            String name = CurvesViewModel.runLabel(other) + ": " + CurvesViewModel.TRAIN_LOSS;
            assertEquals(logged, vm.curves().comparisonSeries().get(name).size());
            assertNotNull(vm.curves().comparisonSeries().get(CurvesViewModel.runLabel(other) + ": " + CurvesViewModel.VAL_MSE));
            // a comparison belongs to its kind of task: switching to a teaching task clears it
            vm.config().dataProperty().set(vm.config().dataChoices().stream()
                    .filter(d -> d.kind() == ConfigViewModel.DataChoice.Kind.SELECTIVE_COPY).findFirst().orElseThrow());
            assertEquals(List.of(), vm.curves().comparisonNames());
            vm.config().dataProperty().set(vm.config().dataChoices().get(0));
        }
        vm.compare(other).get(30, TimeUnit.SECONDS);
        await("comparison again", () -> vm.curves().comparisonNames().size() == 1);
        // opened afterwards, it is drawn once, as the run itself
        vm.explore(other).get(30, TimeUnit.SECONDS);
        await("the compared run explored", () -> vm.modeProperty().get() == WorkbenchViewModel.Mode.EXPLORE
                                                && vm.curves().comparisonNames().isEmpty()
                                                && vm.selection().snapshotProperty().get() != null);
        synchronized (this) { assertEquals(logged, trainSteps()); }

        // checkpoints: save, a corrupted copy fails with a dialog and leaves the session intact, a good one loads
        Path ck = tmp.resolve("ck");
        vm.saveCheckpoint(ck).get(30, TimeUnit.SECONDS);
        assertTrue(Files.exists(ck.resolve("model.safetensors")));
        Path bad = tmp.resolve("bad");
        Files.createDirectories(bad);
        for (Path p : Files.list(ck).toList()) Files.copy(p, bad.resolve(p.getFileName()));
        Files.write(bad.resolve("model.safetensors"), new byte[] {1, 2, 3});
        long stepShown = read(() -> vm.selection().snapshotProperty().get().step());
        assertThrowsLater(vm.loadCheckpoint(bad));
        await("error dialog", () -> vm.errorProperty().get() != null);
        synchronized (this) {
            assertTrue(vm.errorProperty().get().title().contains("checkpoint"));
            assertEquals(stepShown, vm.selection().snapshotProperty().get().step(), "views unchanged");
            assertEquals(SessionState.FINISHED, vm.session().state());
        }
        vm.loadCheckpoint(ck).get(60, TimeUnit.SECONDS);
        await("loaded model shown", () -> vm.modeProperty().get() == WorkbenchViewModel.Mode.LIVE
                                          && vm.forecast().windows().size() == 24);
        // a loaded model (no trainer) saves its weights, and that checkpoint loads again
        Path again = tmp.resolve("again");
        vm.saveCheckpoint(again).get(30, TimeUnit.SECONDS);
        vm.loadCheckpoint(again).get(60, TimeUnit.SECONDS);
        assertEquals(SessionState.FINISHED, vm.session().state());
    }

    static void assertThrowsLater(java.util.concurrent.CompletableFuture<?> f) throws InterruptedException {
        try {
            f.get(60, TimeUnit.SECONDS);
            throw new AssertionError("expected the future to fail");
        } catch (java.util.concurrent.ExecutionException e) {
            assertNotNull(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("timed out", e);
        }
    }

    @Test void teachingTaskShowsMarkedPositionsAndResetClearsEverything() throws Exception {
        ConfigViewModel c = vm.config();
        c.dataProperty().set(c.dataChoices().stream()
                              .filter(d -> d.kind() == ConfigViewModel.DataChoice.Kind.SELECTIVE_COPY).findFirst().orElseThrow());
        c.field("dModel").set(8);
        c.field("dState").set(4);
        c.field("steps").set(2000);
        c.field("evalEvery").set(20);
        c.field("evalExamples").set(64);
        c.field("snapshotEvery").set(10);
        assertTrue(c.validProperty().get(), () -> "config invalid: " + c.errors());
        assertTrue(vm.start());
        await("a snapshot after step 10 and an evaluation", () -> vm.selection().snapshotProperty().get() != null
                && vm.selection().snapshotProperty().get().step() >= 10
                && vm.curves().series(CurvesViewModel.ACCURACY) != null);
        synchronized (this) {
            MixerCapture tok = vm.selection().tokenMixer();
            assertEquals("blocks.0.token", tok.name());
            assertArrayEquals(new int[] {16, 32}, vm.selection().tokenShape());   // E = 2 * 8 channels, L = 32
            var ex = vm.selection().tokenExample();
            assertEquals(4, ex.positions("data").length, "K = 4 data tokens to remember are marked");
            assertEquals("example 0", vm.selection().tokenSequences().get(0));
            var strip = vm.selection().tokenStrip();   // what the model answered at every position of the example
            assertEquals(32, strip.predicted().length);
            assertEquals(4, strip.asked(), "the K copies are asked for");
            assertTrue(strip.correct() >= 0 && strip.correct() <= 4);
            double acc = vm.curves().series(CurvesViewModel.ACCURACY).lastY();
            assertTrue(acc >= 0 && acc <= 1, "accuracy " + acc);
            assertFalse(vm.run().checkpointableProperty().get(), "no checkpoints for the teaching model");
        }
        vm.reset();   // while running: the run stops and every view clears
        await("idle", () -> vm.session().state() == SessionState.IDLE);
        Thread.sleep(300);   // late events of the stopped run must not come back
        synchronized (this) {
            assertNull(vm.selection().snapshotProperty().get());
            assertNull(vm.curves().series(CurvesViewModel.TRAIN_LOSS));
            assertEquals(SessionState.IDLE, vm.run().stateProperty().get());
            assertTrue(vm.run().canStartProperty().get());
        }
    }

    @Test void unreadableCsvFailsTheStartAndKeepsNothingElseChanged() throws Exception {
        Path csv = tmp.resolve("broken.csv");
        Files.writeString(csv, "date,a,b\n2020-01-01,1,2\n2020-01-02,x,3\n");
        vm.config().addCsv(csv);
        assertTrue(vm.start());
        await("error", () -> vm.errorProperty().get() != null);
        synchronized (this) {
            assertEquals("Training failed", vm.errorProperty().get().title());
            assertTrue(vm.errorProperty().get().message().contains("broken.csv"), vm.errorProperty().get()::message);
            assertEquals(SessionState.IDLE, vm.run().stateProperty().get());
            assertTrue(vm.run().canStartProperty().get());
        }
    }

    @Test void exploresACliRunFolderFromItsMetricsAndRejectsAnEmptyFolder() throws Exception {
        Path cli = tmp.resolve("cli-run");
        Files.createDirectories(cli);
        Files.writeString(cli.resolve("metrics.csv"), "epoch,step,train_loss,val_mse,lr,wall_time_s\n"
                                                      + "1,171,0.52,0.41,0.00095,12.5\n2,342,0.40,0.36,0.0005,25.1\n");
        vm.explore(cli).get(30, TimeUnit.SECONDS);
        await("explore mode", () -> vm.modeProperty().get() == WorkbenchViewModel.Mode.EXPLORE
                                    && vm.curves().series(CurvesViewModel.VAL_MSE) != null);
        synchronized (this) {
            CurvesViewModel.Series val = vm.curves().series(CurvesViewModel.VAL_MSE);
            assertArrayEquals(new double[] {171, 342}, val.x(CurvesViewModel.XAxis.STEP, 0));
            assertArrayEquals(new double[] {0.41, 0.36}, val.y(0));
            assertTrue(vm.run().messageProperty().get().contains("(metrics.csv)"), vm.run().messageProperty()::get);
        }
        Path empty = tmp.resolve("empty");
        Files.createDirectories(empty);
        assertThrowsLater(vm.explore(empty));
        await("error dialog", () -> vm.errorProperty().get() != null);
        synchronized (this) {
            assertEquals("Could not open the run folder", vm.errorProperty().get().title());
            assertTrue(vm.errorProperty().get().message().contains("not a run folder"), vm.errorProperty().get()::message);
            assertEquals(2, vm.curves().series(CurvesViewModel.VAL_MSE).size(), "the explored run stays shown");
        }
    }

    @Test void invalidConfigIsReportedWithoutStarting() {
        vm.config().field("dModel").textProperty().set("zero");
        assertFalse(vm.config().validProperty().get());
        assertFalse(vm.run().canStartProperty().get());
        assertFalse(vm.start());
        assertEquals("Invalid configuration", vm.errorProperty().get().title());
        assertTrue(vm.errorProperty().get().message().contains("d_model: not a whole number"));
        assertEquals(SessionState.IDLE, vm.session().state());
    }
}
