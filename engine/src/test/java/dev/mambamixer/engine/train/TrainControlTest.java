package dev.mambamixer.engine.train;

import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.CpuBackend;
import dev.mambamixer.engine.data.ForecastData;
import dev.mambamixer.engine.data.SplitRule;
import dev.mambamixer.engine.data.SyntheticSeriesGenerator;
import dev.mambamixer.engine.data.teaching.SelectiveCopying;
import dev.mambamixer.engine.model.SequenceModel;
import dev.mambamixer.engine.model.SequenceModelConfig;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.model.Tsm2Config;
import dev.mambamixer.engine.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Pause / step once / stop / hot learning rate and update:parameter ratios, from another thread. */
class TrainControlTest {
    static final ForecastData DATA =
        ForecastData.of(SyntheticSeriesGenerator.generate(1200, 7L), 48, 12, SplitRule.RATIO);
    static final TrainConfig TC = new TrainConfig(2, 16, 3e-3, 0.01, 1.0, "cosine", 5, 0.1, 5, 3L, 6, 64);

    static Tsm2 model(Backend be) {
        return new Tsm2(be, Tsm2Config.defaults(48, 12, DATA.variates()).withModel(8, 1));
    }

    static List<Double> curve(TrainControl control) {
        List<Double> losses = new ArrayList<>();
        new Trainer(model(new CpuBackend()), TC, new TrainingListener() {
            @Override public void onStep(StepEvent e) { losses.add(e.loss()); }
        }, control).fit(DATA.train(), DATA.val());
        return losses;
    }

    @Test
    void anUntouchedControlChangesNothing() {
        assertEquals(curve(null), curve(new TrainControl()));
    }

    @Test
    void pauseStepOnceResumeAndStopFromAnotherThread() throws Exception {
        TrainControl c = new TrainControl();
        List<Integer> steps = new CopyOnWriteArrayList<>();
        List<String> finish = new CopyOnWriteArrayList<>();
        c.pause();   // paused before the first step
        Trainer tr = new Trainer(model(new CpuBackend()), TC, new TrainingListener() {
            @Override public void onStep(StepEvent e) { steps.add(e.step()); }
            @Override public void onFinish(String r) { finish.add(r); }
        }, c);
        Thread t = new Thread(() -> tr.fit(DATA.train(), DATA.val()));
        t.start();
        Thread.sleep(300);
        assertEquals(List.of(), steps, "no step while paused");
        c.stepOnce();
        awaitSize(steps, 1);
        Thread.sleep(200);
        assertEquals(List.of(1), steps, "exactly one step per stepOnce");
        c.stepOnce();
        c.stepOnce();
        awaitSize(steps, 3);
        Thread.sleep(200);
        assertEquals(3, steps.size());
        assertTrue(t.isAlive(), "still paused, not finished");
        c.resume();
        awaitSize(steps, 5);
        c.requestStop();
        t.join(10_000);
        assertFalse(t.isAlive());
        assertTrue(steps.size() < 12, "stopped before the 12 steps of the config: " + steps.size());
        assertEquals(List.of("stopped on request"), finish);
    }

    @Test
    void stopWhilePausedEndsTraining() throws Exception {
        TrainControl c = new TrainControl();
        c.pause();
        Trainer tr = new Trainer(model(new CpuBackend()), TC, null, c);
        TrainResult[] res = new TrainResult[1];
        Thread t = new Thread(() -> res[0] = tr.fit(DATA.train(), DATA.val()));
        t.start();
        Thread.sleep(200);
        c.requestStop();
        t.join(10_000);
        assertFalse(t.isAlive());
        assertEquals(0, res[0].steps());
    }

    @Test
    void hotLearningRateScalesTheScheduleFromTheNextStep() {
        TrainControl c = new TrainControl();
        List<Double> lrs = new ArrayList<>();
        new Trainer(model(new CpuBackend()), TC, new TrainingListener() {
            @Override public void onStep(StepEvent e) {
                lrs.add(e.lr());
                if (e.step() == 4) c.setLearningRate(TC.lr() * 0.5);
                if (e.step() == 8) c.setLearningRate(Double.NaN);
            }
        }, c).fit(DATA.train(), DATA.val());
        LrSchedule s = new LrSchedule(TC.schedule(), TC.lr(), TC.warmupSteps(), 12, TC.minLrRatio());
        for (int i = 0; i < 12; i++) {
            double want = s.at(i) * (i >= 4 && i < 8 ? 0.5 : 1.0);
            assertEquals(want, lrs.get(i), 1e-15, "lr of step " + (i + 1));
        }
        assertThrows(IllegalArgumentException.class, () -> c.setLearningRate(-1));
    }

    @Test
    void updateRatiosPerGroupMatchAHandComputation() {
        Backend be = new CpuBackend();
        Tsm2 m = model(be);
        TrainControl c = new TrainControl();
        c.setUpdateRatioEvery(4);
        List<TrainingListener.UpdateRatioEvent> events = new ArrayList<>();
        Map<Integer, List<float[]>> before = new ConcurrentHashMap<>(), after = new ConcurrentHashMap<>();
        new Trainer(m, TC, new TrainingListener() {
            @Override public void onStep(StepEvent e) {
                if (e.step() % 4 == 3) before.put(e.step() + 1, weights(be, m));   // = before the next step
                if (e.step() % 4 == 0) after.put(e.step(), weights(be, m));
            }
            @Override public void onUpdateRatios(UpdateRatioEvent e) { events.add(e); }
        }, c).fit(DATA.train(), DATA.val());
        assertEquals(List.of(4, 8, 12), events.stream().map(TrainingListener.UpdateRatioEvent::step).toList());
        TrainingListener.UpdateRatioEvent e = events.get(1);
        List<String> groups = e.groups().stream().map(TrainingListener.GroupRatio::group).toList();
        assertEquals(List.of("revin", "patch_embed", "averaging", "blocks.0.time", "blocks.0.variate", "final_norm",
                             "head"), groups);
        // hand computation for blocks.0.time from the weights seen around step 8
        double pp = 0, uu = 0;
        List<Parameter> ps = m.parameters();
        for (int i = 0; i < ps.size(); i++) {
            if (!UpdateRatios.group(ps.get(i).name()).equals("blocks.0.time")) continue;
            float[] a = before.get(8).get(i), b = after.get(8).get(i);
            for (int j = 0; j < a.length; j++) {
                pp += (double) a[j] * a[j];
                uu += ((double) b[j] - a[j]) * ((double) b[j] - a[j]);
            }
        }
        TrainingListener.GroupRatio g = e.groups().get(3);
        assertEquals(Math.sqrt(pp), g.paramNorm(), 1e-9 * Math.sqrt(pp));
        assertEquals(Math.sqrt(uu), g.updateNorm(), 1e-9 * Math.sqrt(uu));
        assertEquals(Math.log10(Math.sqrt(uu / pp)), g.log10Ratio(), 1e-9);
        assertTrue(g.log10Ratio() < -1 && g.log10Ratio() > -6, "a plausible ratio: " + g.log10Ratio());
    }

    @Test
    void groupNames() {
        assertEquals("averaging", UpdateRatios.group("blocks.1.variate.avg_weight"));
        assertEquals("blocks.1.variate", UpdateRatios.group("blocks.1.variate.mamba.A_b_log"));
        assertEquals("blocks.0.token", UpdateRatios.group("blocks.0.token.norm.weight"));
        assertEquals("head", UpdateRatios.group("head.proj.weight"));
        assertEquals("embedding", UpdateRatios.group("embedding.weight"));
    }

    @Test
    void sequenceTrainerObeysTheControl() throws Exception {
        SelectiveCopying task = new SelectiveCopying(16, 8, 2);
        SequenceModel m = new SequenceModel(new CpuBackend(),
                                            SequenceModelConfig.defaults(8, 16).withModel(8, 1, 4).withSeed(3));
        TeachConfig tc = new TeachConfig(1000, 8, 3e-3, 3, 0.05, 0.01, 1.0, 3L, 16, 0, 2.0);
        TrainControl c = new TrainControl();
        c.pause();
        c.setUpdateRatioEvery(2);
        List<Integer> steps = new CopyOnWriteArrayList<>();
        List<Integer> ratioSteps = new CopyOnWriteArrayList<>();
        SequenceTrainer st = new SequenceTrainer(m, task, tc, new TrainingListener() {
            @Override public void onStep(StepEvent e) { steps.add(e.step()); }
            @Override public void onUpdateRatios(TrainingListener.UpdateRatioEvent e) { ratioSteps.add(e.step()); }
        }, c);
        SequenceTrainer.Result[] res = new SequenceTrainer.Result[1];
        Thread t = new Thread(() -> res[0] = st.run());
        t.start();
        c.stepOnce();
        c.stepOnce();
        awaitSize(steps, 2);
        Thread.sleep(200);
        assertEquals(List.of(1, 2), steps);
        assertEquals(List.of(2), ratioSteps);
        c.requestStop();
        t.join(10_000);
        assertEquals(2, res[0].steps());
        assertTrue(res[0].stoppedEarly());
        assertNotNull(res[0].heldOut(), "a stopped run still reports held-out metrics");
    }

    static List<float[]> weights(Backend be, Tsm2 m) {
        List<float[]> w = new ArrayList<>();
        for (Parameter p : m.parameters()) w.add(be.toFloats(p.value()));
        return w;
    }

    static void awaitSize(List<?> list, int n) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (list.size() < n && System.nanoTime() < end) Thread.sleep(5);
        assertTrue(list.size() >= n, "waited for " + n + " events, got " + list.size());
    }

    @Test
    void workHandedToAPausedRunRunsOnTheTrainingThreadBetweenSteps() throws Exception {
        TrainControl c = new TrainControl();
        List<Integer> steps = new CopyOnWriteArrayList<>();
        Tsm2 m = model(new CpuBackend());
        Trainer tr = new Trainer(m, TC, new TrainingListener() {
            @Override public void onStep(StepEvent e) {
                steps.add(e.step());
                if (e.step() == 3) c.pause();
            }
        }, c);
        assertThrows(java.util.concurrent.ExecutionException.class, () -> c.runParked(() -> 1).get(),
                     "not paused: refused at once");
        Thread t = new Thread(() -> tr.fit(DATA.train(), DATA.val()), "training");
        t.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (c.parkedAt() < 0 && System.nanoTime() < deadline) Thread.onSpinWait();
        assertEquals(3, c.parkedAt(), "parked after the step it was paused in");
        String thread = c.runParked(() -> Thread.currentThread().getName()).get(30, TimeUnit.SECONDS);
        assertEquals("training", thread);
        float[] w = c.runParked(() -> m.backend().toFloats(m.parameters().get(0).value())).get(30, TimeUnit.SECONDS);
        assertArrayEquals(m.backend().toFloats(m.parameters().get(0).value()), w, "read while parked: no step in between");
        assertEquals(List.of(1, 2, 3), steps);
        c.resume();
        t.join(60_000);
        assertEquals(-1, c.parkedAt());
        assertEquals(12, steps.size());
    }
}
