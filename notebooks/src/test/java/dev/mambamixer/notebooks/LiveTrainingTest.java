package dev.mambamixer.notebooks;

import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.data.ForecastData;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.train.TrainConfig;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class LiveTrainingTest {
    /** Where tests leave PNGs to look at (mvn -Dnotebooks.pictures=DIR). */
    static final String PICTURES = System.getProperty("notebooks.pictures", "");

    static void keep(Picture p, String name) throws Exception {
        if (!PICTURES.isEmpty()) p.save(Path.of(PICTURES, name + ".png"));
    }

    private static ForecastData data() { return Workbench.sampleData(48, 12); }

    @Test
    void showsOneDisplayAndUpdatesItInPlaceWithAFinalFrame() throws Exception {
        ForecastData data = data();
        Tsm2 model = Workbench.tsm2(data, 16, 1);
        RecordingDisplay d = new RecordingDisplay();
        TrainingRun run = new LiveTraining(model, data, Workbench.trainConfig(2, 12), "test run")
            .run(d, 0, Pictures::trainingFrame);   // 0 ms: every step may post a frame
        assertEquals(1, d.shown.size(), "one display, updated in place");
        assertTrue(d.updateCount() >= 2, "at least one live frame and the final one, got " + d.updateCount());
        assertTrue(d.updateIds.stream().allMatch("id-0"::equals), "updates go to the shown display");
        Picture last = (Picture) d.lastUpdate();
        assertSame(last, run.lastFrame());
        assertTrue(last.text().contains("finished: completed 2 epochs"), last.text());
        assertEquals(24, run.result().steps());
        assertEquals(24, run.loss().length);
        assertEquals(2, run.valMse().length, "one validation per epoch");
        assertFalse(run.interrupted());
        assertNull(run.displayError());
        assertEquals(Pictures.WIDTH, last.getWidth());
        assertEquals(660, last.getHeight(), "loss curve + gate maps");
        // every live frame was painted and displayed off the training thread
        assertTrue(d.updateThreads.subList(0, d.updateThreads.size() - 1).stream()
                    .allMatch("notebook-live-display"::equals), d.updateThreads.toString());
        keep(last, "training-frame");
    }

    @Test
    void interruptStopsAfterTheCurrentStepRestoresBestAndShowsAFinalFrame() throws Exception {
        ForecastData data = data();
        Tsm2 model = Workbench.tsm2(data, 16, 1);
        RecordingDisplay d = new RecordingDisplay();
        TrainConfig cfg = Workbench.trainConfig(50, 0);   // far more than the test waits for
        AtomicReference<TrainingRun> out = new AtomicReference<>();
        AtomicReference<Boolean> flagAfter = new AtomicReference<>();
        Thread cell = new Thread(() -> {
            out.set(new LiveTraining(model, data, cfg, "interrupted run").run(d, 0, Pictures::trainingFrame));
            flagAfter.set(Thread.currentThread().isInterrupted());
        });
        cell.start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (d.updateCount() < 3 && System.nanoTime() < deadline) Thread.sleep(20);   // a few steps in
        cell.interrupt();   // what the kernel does on "interrupt"
        cell.join(60_000);
        assertFalse(cell.isAlive(), "training stopped after the interrupt");
        TrainingRun run = out.get();
        assertTrue(run.interrupted());
        assertEquals("stopped on request", run.result().reason());
        assertTrue(run.result().steps() < 50 * 10, "stopped early: " + run.result().steps() + " steps");
        assertTrue(run.lastFrame().text().contains("interrupted: stopped after step " + run.result().steps()),
                   run.lastFrame().text());
        assertSame(run.lastFrame(), d.lastUpdate(), "the final frame was shown");
        assertTrue(flagAfter.get(), "the interrupt is still visible to the cell afterwards");
        keep(run.lastFrame(), "training-frame-interrupted");
    }
}
