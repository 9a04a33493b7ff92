package dev.mambamixer.engine.train;

import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.CpuBackend;
import dev.mambamixer.engine.data.ForecastData;
import dev.mambamixer.engine.data.SplitRule;
import dev.mambamixer.engine.data.SyntheticSeriesGenerator;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.model.Tsm2Config;
import dev.mambamixer.engine.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainerTest {
    static final ForecastData DATA =
        ForecastData.of(SyntheticSeriesGenerator.generate(1200, 7L), 48, 12, SplitRule.RATIO);

    static Tsm2Config model() {
        return Tsm2Config.defaults(48, 12, DATA.variates()).withModel(8, 1);
    }

    static TrainConfig train(int epochs) {
        return new TrainConfig(epochs, 16, 3e-3, 0.01, 1.0, "cosine", 5, 0.1, 5, 3L, 12, 64);
    }

    static List<Double> curve(Backend be, TrainConfig tc) {
        List<Double> losses = new ArrayList<>();
        Trainer tr = new Trainer(new Tsm2(be, model()), tc, new TrainingListener() {
            @Override public void onStep(StepEvent e) { losses.add(e.loss()); }
        });
        tr.fit(DATA.train(), DATA.val());
        return losses;
    }

    @Test
    void sameSeedGivesIdenticalLossCurveAndLossFalls() {
        Backend be = new CpuBackend();
        List<Double> a = curve(be, train(2)), b = curve(be, train(2));
        assertEquals(24, a.size());
        assertEquals(a, b, "same seed, same curve, bit for bit");
        double first = a.subList(0, 4).stream().mapToDouble(d -> d).average().orElseThrow();
        double last = a.subList(20, 24).stream().mapToDouble(d -> d).average().orElseThrow();
        assertTrue(last < first, "training reduces the loss: " + first + " -> " + last);
    }

    @Test
    void nonFiniteLossStopsCleanlyAndKeepsTheLastGoodWeights() {
        Backend be = new CpuBackend();
        Tsm2 m = new Tsm2(be, model());
        List<TrainingListener.EpochEvent> epochs = new ArrayList<>();
        // an absurd learning rate with no clipping blows the model up within a few epochs
        TrainConfig tc = new TrainConfig(30, 16, 1e6, 0, 0, "constant", 0, 1, 30, 3L, 12, 64);
        Trainer tr = new Trainer(m, tc, new TrainingListener() {
            @Override public void onEpoch(EpochEvent e) { epochs.add(e); }
        });
        TrainResult r = tr.fit(DATA.train(), DATA.val());
        assertTrue(r.aborted(), r.reason());
        assertTrue(r.reason().matches(".*(loss|gradient norm|validation MSE) became .*"), r.reason());
        for (Parameter p : m.parameters())
            for (float v : be.toFloats(p.value())) assertTrue(Float.isFinite(v), p.name() + " is finite after abort");
        Metrics after = tr.evaluate(DATA.val());
        if (r.bestEpoch() > 0) assertEquals(r.bestValMse(), after.mse(), 1e-9, "restored the best epoch's weights");
        else assertTrue(Double.isFinite(after.mse()));
    }

    @Test
    void earlyStoppingRestoresTheBestEpoch() {
        Backend be = new CpuBackend();
        Tsm2 m = new Tsm2(be, model());
        TrainConfig tc = new TrainConfig(6, 16, 1e-2, 0, 1.0, "constant", 0, 1, 1, 3L, 6, 64);
        Trainer tr = new Trainer(m, tc, null);
        TrainResult r = tr.fit(DATA.train(), DATA.val());
        assertTrue(r.bestEpoch() >= 1);
        assertEquals(r.bestValMse(), tr.evaluate(DATA.val()).mse(), 1e-9);
        if (r.earlyStopped()) assertTrue(r.epochsRun() < 6);
    }

    @Test
    void evalEveryValidatesMidEpochAndAtEpochEnds() {
        Backend be = new CpuBackend();
        List<TrainingListener.EpochEvent> evs = new ArrayList<>();
        TrainConfig tc = new TrainConfig(2, 16, 3e-3, 0.01, 1.0, "cosine", 5, 0.1, 10, 3L, 12, 64, 5);
        new Trainer(new Tsm2(be, model()), tc, new TrainingListener() {
            @Override public void onEpoch(EpochEvent e) { evs.add(e); }
        }).fit(DATA.train(), DATA.val());
        assertEquals(List.of(5, 10, 12, 15, 20, 24), evs.stream().map(TrainingListener.EpochEvent::step).toList());
        assertEquals(List.of(false, false, true, false, false, true),
                     evs.stream().map(TrainingListener.EpochEvent::endOfEpoch).toList());
    }
}
