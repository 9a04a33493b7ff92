package dev.mambamixer.engine.train;

import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.CpuBackend;
import dev.mambamixer.engine.io.Checkpoint;
import dev.mambamixer.engine.io.CheckpointMismatchException;
import dev.mambamixer.engine.io.NamedArray;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.nn.Parameter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoint round trip, and a resumed run continuing the identical loss curve. */
class ResumeTest {
    @TempDir Path dir;

    @Test
    void resumedRunContinuesTheIdenticalLossCurve() throws Exception {
        Backend be = new CpuBackend();
        TrainConfig tc = TrainerTest.train(3);
        // uninterrupted reference run
        List<Double> straight = new ArrayList<>();
        new Trainer(new Tsm2(be, TrainerTest.model()), tc, new TrainingListener() {
            @Override public void onStep(StepEvent e) { straight.add(e.loss()); }
        }).fit(TrainerTest.DATA.train(), TrainerTest.DATA.val());

        // run 1: stop after epoch 1, checkpoint like the CLI does
        List<Double> resumed = new ArrayList<>();
        Tsm2 m1 = new Tsm2(be, TrainerTest.model());
        Trainer[] t1 = new Trainer[1];
        t1[0] = new Trainer(m1, tc, new TrainingListener() {
            @Override public void onStep(StepEvent e) { resumed.add(e.loss()); }

            @Override public void onEpoch(EpochEvent e) {
                try {
                    if (e.best()) Checkpoint.save(dir.resolve("best"), TrainingCheckpoints.capture(m1, t1[0], tc, e.epoch()));
                    Checkpoint.save(dir.resolve("last"), TrainingCheckpoints.capture(m1, t1[0], tc, e.epoch()));
                } catch (Exception ex) {
                    throw new RuntimeException(ex);
                }
                if (e.epoch() == 1) t1[0].requestStop();
            }
        });
        t1[0].fit(TrainerTest.DATA.train(), TrainerTest.DATA.val());
        assertEquals(12, resumed.size());

        // run 2: a fresh process would do exactly this
        Checkpoint last = Checkpoint.load(dir.resolve("last"));
        Tsm2 m2 = new Tsm2(be, TrainingCheckpoints.modelConfig(last.config(), "test"));
        Trainer t2 = new Trainer(m2, TrainingCheckpoints.trainConfig(last.config()), new TrainingListener() {
            @Override public void onStep(StepEvent e) { resumed.add(e.loss()); }
        });
        TrainingCheckpoints.resume(last, Checkpoint.load(dir.resolve("best")), m2, t2);
        t2.fit(TrainerTest.DATA.train(), TrainerTest.DATA.val());
        assertEquals(straight, resumed, "resume continues the same curve bit for bit");
    }

    @Test
    void weightsRoundTripAndMismatchesAreAllReported() throws Exception {
        Backend be = new CpuBackend();
        Tsm2 a = new Tsm2(be, TrainerTest.model());
        Trainer tr = new Trainer(a, TrainerTest.train(1), null);
        Checkpoint.save(dir.resolve("ck"), TrainingCheckpoints.capture(a, tr, TrainerTest.train(1), 0));
        Tsm2 b = TrainingCheckpoints.loadModel(dir.resolve("ck"), be);
        for (int i = 0; i < a.parameters().size(); i++) {
            Parameter p = a.parameters().get(i), q = b.parameters().get(i);
            assertEquals(p.name(), q.name());
            assertArrayEquals(be.toFloats(p.value()), be.toFloats(q.value()), 0f, p.name());
        }
        LinkedHashMap<String, NamedArray> w = TrainingCheckpoints.weights(be, a.parameters());
        w.remove("head.proj.bias");
        w.put("blocks.0.time.mamba.D", new NamedArray(new int[] {3}, new float[3]));
        w.put("bogus.weight", new NamedArray(new int[] {1}, new float[1]));
        CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class,
                                                     () -> TrainingCheckpoints.loadWeights(b, w));
        for (String s : new String[] {"head.proj.bias", "blocks.0.time.mamba.D", "bogus.weight"})
            assertTrue(e.getMessage().contains(s), e.getMessage());
    }
}
