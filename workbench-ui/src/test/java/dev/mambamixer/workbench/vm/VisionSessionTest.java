package dev.mambamixer.workbench.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mambamixer.workbench.Paths;
import dev.mambamixer.workbench.session.SessionState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real ViM2 run on the scikit-learn digits (8×8, from the shared data folder; skipped where it is
 * absent) driven through the view models like the TSM2 run of {@link WorkbenchViewModelTest}:
 * start, the capture before training, pause, step once, capture on demand, resume, stop, and the
 * held-out results of the kept weights. Batches are applied under {@code this} (a direct executor
 * stands in for Platform::runLater).
 */
class VisionSessionTest {
    @TempDir Path tmp;
    WorkbenchViewModel vm;

    @AfterEach void tearDown() { if (vm != null) vm.close(); }

    void await(String what, BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < end) {
            synchronized (this) { if (cond.getAsBoolean()) return; }
            Thread.sleep(20);
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    int lastStep() {
        CurvesViewModel.Series s = vm.curves().series(CurvesViewModel.TRAIN_LOSS);
        return s == null || s.size() == 0 ? 0 : (int) s.x(CurvesViewModel.XAxis.STEP, s.size() - 1)[0];
    }

    @Test void trainsViM2PausesStepsCapturesOnDemandAndStops() throws Exception {
        Path images = ConfigViewModel.defaultImageData(Paths.sampleData());
        Assumptions.assumeTrue(Files.exists(images.resolve("digits").resolve("digits.csv.gz")), "no digits data in " + images);
        vm = new WorkbenchViewModel(Paths.sampleData(), tmp.resolve("runs"), r -> { synchronized (this) { r.run(); } },
                                    "cpu", 50);
        ConfigViewModel c = vm.config();
        c.dataProperty().set(c.dataChoices().stream().filter(d -> d.kind() == ConfigViewModel.DataChoice.Kind.DIGITS)
                                 .findFirst().orElseThrow());
        c.field("batch").set(32);
        c.field("epochs").set(2);
        c.field("probeImages").set(4);
        assertTrue(c.validProperty().get(), () -> "config invalid: " + c.errors());
        assertTrue(vm.start());
        await("the capture before training", () -> vm.vision().hasCapture());
        synchronized (this) {
            assertEquals(-1, vm.vision().snapshot().capture().step());
            assertEquals(4, vm.vision().probeNames().size());
            assertEquals(8, vm.vision().imageHeight());
        }
        await("3 steps", () -> lastStep() >= 3);
        synchronized (this) {
            double acc = vm.curves().series(CurvesViewModel.BATCH_ACCURACY).lastY();
            assertTrue(acc >= 0 && acc <= 1, "batch accuracy " + acc);
        }

        vm.pause();
        await("parked", () -> vm.session().parkedAtStep() > 0);
        int parked = (int) vm.session().parkedAtStep();
        await("the parked step shown", () -> lastStep() == parked);
        synchronized (this) { assertTrue(vm.vision().canCaptureProperty().get()); }
        vm.stepOnce();
        await("exactly one more step", () -> vm.session().parkedAtStep() == parked + 1 && lastStep() == parked + 1);
        vm.captureVision().get(60, TimeUnit.SECONDS);
        await("the capture on demand", () -> vm.vision().snapshot().capture().step() == parked + 1);

        vm.resume();
        await("training goes on", () -> lastStep() >= parked + 3);
        vm.stop();
        await("finished", () -> vm.run().stateProperty().get() == SessionState.FINISHED);
        await("the results of the kept weights", () -> vm.results().hasResults());
        synchronized (this) {
            var r = vm.results().results();
            assertTrue(r.fin());
            assertEquals(10, r.confusion().length);
            assertEquals(10, r.classNames().size());
            int total = 0;
            for (int[] row : r.confusion()) for (int v : row) total += v;
            assertEquals(r.count(), total);
            assertTrue(vm.run().messageProperty().get().contains("stopped on request"), vm.run().messageProperty().get());
        }
        Path folder = vm.session().runFolder();
        assertNotNull(folder);
        assertTrue(folder.getFileName().toString().contains("vim2-digits"), folder.toString());
        assertTrue(Files.exists(folder.resolve("config.json")));
        assertTrue(Files.exists(folder.resolve("events.jsonl")));
    }
}
