package dev.mambamixer.engine.run;

import dev.mambamixer.engine.train.TrainingListener;
import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.backend.CpuBackend;
import dev.mambamixer.engine.data.teaching.TeachingTask;
import dev.mambamixer.engine.io.Checkpoint;
import dev.mambamixer.engine.io.RunFolder;
import dev.mambamixer.engine.model.SequenceModel;
import dev.mambamixer.engine.model.SequenceModelConfig;
import dev.mambamixer.engine.train.SequenceTrainer;
import dev.mambamixer.engine.train.TeachConfig;
import dev.mambamixer.engine.train.TrainControl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Teaching runs write a run folder (config, events, best/last checkpoints) and resume exactly: a
 * run stopped at step 20 and resumed from its last checkpoint ends with the weights, bit for bit,
 * of the run that never stopped.
 */
class TeachingRunTest {
    private static final SequenceModelConfig MODEL = SequenceModelConfig.defaults(8, 16).withModel(16, 1, 8).withSeed(5).validate();
    private static final TeachConfig TEACH = new TeachConfig(40, 8, 3e-3, 4, 0.05, 0.01, 1.0, 3L, 32, 10, 2.0);

    private static TeachingTask task() { return TeachingTask.create("selective-copy", 16, 8, 3); }

    private static List<float[]> weights(SequenceModel m) {
        return m.parameters().stream().map(p -> m.backend().toFloats(p.value())).toList();
    }

    /** events.jsonl without the per-attempt fields (wall clock, samples since the attempt started). */
    private static List<String> deterministicEvents(Path run) throws java.io.IOException {
        return Files.readAllLines(run.resolve("events.jsonl")).stream().map(l -> {
            com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(l).getAsJsonObject();
            o.remove("wallSeconds");
            o.remove("samples");
            return o.toString();
        }).toList();
    }

    @Test
    void aStoppedRunResumesToTheSameWeights(@TempDir Path dir) throws Exception {
        CpuBackend be = new CpuBackend();
        SequenceModel straight = new SequenceModel(be, MODEL);
        RunFolder a = RunFolder.create(dir, "straight");
        SequenceTrainer.Result ra = TeachingRun.builder(straight, task(), TEACH).folder(a).build().run();
        assertEquals(40, ra.steps());
        for (String f : new String[] {"config.json", "events.jsonl", "checkpoints/best/model.safetensors",
                                      "checkpoints/last/optimizer.safetensors", "checkpoints/last/state.json"})
            assertTrue(Files.exists(a.dir().resolve(f)), f);
        // the final held-out evaluation as test-metrics.json, like TSM2 and ViM2 runs
        com.google.gson.JsonObject tm = com.google.gson.JsonParser.parseString(
            Files.readString(a.dir().resolve(dev.mambamixer.engine.io.RunFolder.TEST_METRICS_FILE))).getAsJsonObject();
        assertEquals(ra.heldOut().accuracy(), tm.get("held_out_token_accuracy").getAsDouble(), 0.0);
        assertEquals(ra.heldOut().sequenceAccuracy(), tm.get("held_out_exact_match").getAsDouble(), 0.0);
        assertEquals(40, tm.get("steps").getAsInt());
        String events = Files.readString(a.dir().resolve("events.jsonl"));
        assertEquals(40, events.lines().filter(l -> l.contains("\"type\":\"step\"") && l.contains("\"accuracy\"")).count());
        assertEquals(4, events.lines().filter(l -> l.contains("\"held_out\"")).count());   // steps 10, 20, 30 and the end

        // The same run, stopped after step 20 ...
        SequenceModel first = new SequenceModel(be, MODEL);
        TrainControl control = new TrainControl();
        RunFolder b = RunFolder.create(dir, "interrupted");
        SequenceTrainer.Result rb = TeachingRun.builder(first, task(), TEACH).folder(b).control(control)
            .listener(new TrainingListener() {
                @Override public void onStep(StepEvent e) {
                    if (e.step() == 20) control.requestStop();
                }
            }).build().run();
        assertEquals(20, rb.steps());
        // ... resumed in a fresh model from its last checkpoint, with the config the folder holds.
        Checkpoint last = Checkpoint.load(b.dir().resolve("checkpoints").resolve("last"));
        assertEquals(20, last.state().get("step").getAsInt());
        SequenceModelConfig savedModel = TeachingRun.modelConfig(last.config(), "test");
        TeachConfig savedTeach = TeachingRun.teachConfig(last.config(), "test");
        assertEquals(MODEL, savedModel);
        assertEquals(TEACH, savedTeach);
        // a crash after the checkpoint would have left later lines and a torn one: the resume cuts them
        List<String> later = events.lines().filter(l -> l.matches(".*\"step\":2[1-3],.*")).toList();
        assertEquals(3, later.size(), "steps 21-23 of the uninterrupted run");
        Files.writeString(b.dir().resolve("events.jsonl"), String.join("\n", later) + "\n{\"type\":\"st",
                          java.nio.file.StandardOpenOption.APPEND);
        SequenceModel resumed = new SequenceModel(be, savedModel);
        TeachingRun again = TeachingRun.builder(resumed, TeachingRun.task(last.config(), "test"), savedTeach)
            .folder(RunFolder.open(b.dir())).resume(last).build();
        assertEquals(20, again.trainer().step());
        SequenceTrainer.Result rc = again.run();
        assertEquals(40, rc.steps());
        List<float[]> want = weights(straight), got = weights(resumed);
        for (int i = 0; i < want.size(); i++) assertArrayEquals(want.get(i), got.get(i), "parameter " + i);
        assertEquals(ra.heldOut().accuracy(), rc.heldOut().accuracy(), 0.0);
        // ... and its events equal the uninterrupted run's (per-attempt fields aside)
        List<String> ea = deterministicEvents(a.dir()), eb = deterministicEvents(b.dir());
        for (int i = 0; i < Math.min(ea.size(), eb.size()); i++)
            assertEquals(ea.get(i), eb.get(i), "events.jsonl line " + (i + 1));
        assertEquals(ea.size(), eb.size(), "events.jsonl lines");

    }
}
