package dev.mambamixer.engine.introspect;

import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.CpuBackend;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.model.Tsm2Config;
import dev.mambamixer.engine.nn.Parameter;
import dev.mambamixer.engine.train.TrainConfig;
import dev.mambamixer.engine.train.Trainer;
import dev.mambamixer.engine.train.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SnapshotRecorder + EventLog during training, and the run folder read back with RunHistory. */
class SnapshotRecorderTest {
    static final int[] PROBE = {0, 3, 9, 20, 31};

    record Run(List<Double> losses, List<float[]> weights, Map<Long, ModelCapture> captures, SnapshotRecorder rec,
               List<TrainingListener.SnapshotEvent> snapshotEvents) {}

    /** CaptureDuringTrainingTest's setup: 2 epochs x 6 steps, dropout on. */
    static Run run(Path runDir) throws Exception {
        Backend be = new CpuBackend();
        var data = CaptureDuringTrainingTest.DATA;
        Tsm2 model = new Tsm2(be, Tsm2Config.defaults(48, 12, data.variates()).withModel(8, 1));
        TrainConfig tc = new TrainConfig(2, 16, 3e-3, 0.01, 1.0, "cosine", 5, 0.1, 5, 3L, 6, 64);
        List<Double> losses = new ArrayList<>();
        Map<Long, ModelCapture> caps = new LinkedHashMap<>();
        List<TrainingListener.SnapshotEvent> snaps = new ArrayList<>();
        SnapshotRecorder rec = null;
        EventLog log = null;
        if (runDir != null) {
            log = new EventLog(runDir);
            EventLog l = log;
            rec = SnapshotRecorder.of(model, data.val(), PROBE, 3, runDir, new TrainingListener() {
                @Override public void onSnapshot(SnapshotEvent e) {
                    synchronized (snaps) { snaps.add(e); }
                    l.onSnapshot(e);
                }
            });
        }
        SnapshotRecorder r = rec;
        EventLog lg = log;
        Trainer tr = new Trainer(model, tc, new TrainingListener() {
            @Override public void onStep(StepEvent e) {
                losses.add(e.loss());
                if (r != null) {
                    r.onStep(e);
                    if (e.step() % 3 == 0) caps.put((long) e.step(), r.lastCapture());
                    lg.onStep(e);
                }
            }
            @Override public void onEpoch(EpochEvent e) { if (lg != null) lg.onEpoch(e); }
            @Override public void onFinish(String reason) {
                if (r != null) { r.onFinish(reason); lg.onFinish(reason); }
            }
        });
        tr.fit(data.train(), data.val());
        if (rec != null) { rec.close(); log.close(); }
        List<float[]> w = new ArrayList<>();
        for (Parameter p : model.parameters()) w.add(be.toFloats(p.value()));
        return new Run(losses, w, caps, rec, snaps);
    }

    @Test
    void recordingNeverChangesTrainingAndTheRunFolderReadsBack(@TempDir Path dir) throws Exception {
        Run plain = run(null), rec = run(dir);
        assertEquals(12, plain.losses().size());
        assertEquals(plain.losses(), rec.losses(), "snapshots every 3 steps must not change the loss curve");
        for (int i = 0; i < plain.weights().size(); i++)
            assertArrayEquals(plain.weights().get(i), rec.weights().get(i), "final weights, parameter " + i);

        assertEquals(List.of(3L, 6L, 9L, 12L), rec.snapshotEvents().stream().map(TrainingListener.SnapshotEvent::step).toList());
        assertEquals(SnapshotRecorder.snapshotDir(dir, 6), rec.snapshotEvents().get(1).path());
        assertTrue(Files.exists(dir.resolve("snapshots/step-000006/capture.json")));
        assertEquals(0, rec.rec().skipped());

        RunHistory h = RunHistory.read(dir);
        assertEquals(plain.losses().stream().mapToDouble(Double::doubleValue).boxed().toList(),
                     java.util.Arrays.stream(h.lossCurve()).boxed().toList(), "step losses round-trip exactly");
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), h.steps().stream().map(s -> s.step()).toList());
        assertEquals(2, h.validations().size());
        assertEquals(List.of(6, 12), h.validations().stream().map(v -> v.step()).toList());
        assertTrue(h.finished());
        assertEquals("completed 2 epochs", h.finishReason());
        assertFalse(h.failed());
        assertEquals(List.of(3L, 6L, 9L, 12L), h.snapshots().stream().map(TrainingListener.SnapshotEvent::step).toList());
        for (int i = 0; i < 4; i++) {
            ModelCapture loaded = h.capture(i);
            ModelCapture taken = rec.captures().get(loaded.step());
            assertEquals(taken, loaded, "reloaded snapshot " + loaded.step() + " equals the captured one");
            assertEquals(PROBE.length, loaded.batch());
        }
        assertNotEquals(h.capture(0).forecast()[0], h.capture(3).forecast()[0], "the model trained between snapshots");
        assertEquals(rec.rec().history(), h.averagingHistory());
        assertEquals(List.of(3L, 6L, 9L, 12L), h.averagingHistory().steps());
        assertThrows(IllegalArgumentException.class, () -> h.captureAt(4));
        // each snapshot carries the probe windows with history, truth and the forecast of that step
        var data = CaptureDuringTrainingTest.DATA;
        for (long step : List.of(3L, 12L)) {
            List<ForecastWindow> fw = h.forecastsAt(step);
            ModelCapture c = h.captureAt(step);
            assertEquals(PROBE.length, fw.size());
            for (int b = 0; b < PROBE.length; b++) {
                ForecastWindow w = fw.get(b);
                assertEquals(PROBE[b], w.window());
                assertArrayEquals(data.val().input(PROBE[b]), w.history());
                assertArrayEquals(data.val().target(PROBE[b]), w.truth());
                int hm = 12 * data.variates();
                assertArrayEquals(java.util.Arrays.copyOfRange(c.forecast(), b * hm, (b + 1) * hm), w.prediction());
            }
        }
    }

    @Test
    void readsAKilledRunAndIgnoresUnfinishedSnapshots(@TempDir Path dir) throws Exception {
        try (EventLog log = new EventLog(dir)) {
            log.onStep(new TrainingListener.StepEvent(1, 1, 1, 10, 0.75, 1e-3, 2.5, 32, 0.1));
            log.onFinish("loss became NaN at step 2 (epoch 1); training stopped, weights restored to the best epoch "
                         + "(initial weights)", true);
        }
        Files.writeString(dir.resolve(EventLog.FILE), "{\"type\":\"step\",\"epo", java.nio.file.StandardOpenOption.APPEND);
        Files.createDirectories(dir.resolve("snapshots/step-000002"));   // no capture.json: unfinished write
        RunHistory h = RunHistory.read(dir);
        assertEquals(1, h.steps().size());
        assertEquals(0.75, h.steps().get(0).loss());
        assertTrue(h.failed(), "a Trainer abort counts as failed");
        assertTrue(h.snapshots().isEmpty());
        assertNull(h.averagingHistory());
    }
}
