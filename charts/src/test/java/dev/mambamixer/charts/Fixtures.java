package dev.mambamixer.charts;

import dev.mambamixer.engine.backend.CpuBackend;
import dev.mambamixer.engine.data.ForecastData;
import dev.mambamixer.engine.data.SplitRule;
import dev.mambamixer.engine.data.SyntheticSeriesGenerator;
import dev.mambamixer.engine.introspect.AveragingHistory;
import dev.mambamixer.engine.introspect.Introspector;
import dev.mambamixer.engine.introspect.ModelCapture;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.model.Tsm2Config;
import dev.mambamixer.engine.train.TrainConfig;
import dev.mambamixer.engine.train.Trainer;
import java.util.ArrayList;
import java.util.List;

/**
 * A tiny design-I1 TSM2 (T = 48, H = 12, patches of 16 stride 8 → 5 patches, d_model 8, 2 blocks)
 * on CpuBackend, trained for 8 steps on synthetic data, with captures before and after and the
 * averaging weights recorded every 2 steps. Built once per test JVM.
 */
final class Fixtures {
    private Fixtures() {}

    static final ForecastData DATA = ForecastData.of(SyntheticSeriesGenerator.generate(600, 7L), 48, 12, SplitRule.RATIO);
    static final int[] PROBE = {0, 5, 17};

    record Trained(Tsm2Config config, ModelCapture before, ModelCapture after, List<ModelCapture> captures,
                   AveragingHistory history) {}

    private static Trained trained;

    static synchronized Trained trained() {
        if (trained != null) return trained;
        Tsm2Config cfg = Tsm2Config.defaults(48, 12, DATA.variates()).withModel(8, 2);
        Tsm2 model = new Tsm2(new CpuBackend(), cfg);
        ModelCapture before = Introspector.capture(model, DATA.val(), PROBE, 0);
        AveragingHistory hist = new AveragingHistory();
        hist.record(0, model);
        List<ModelCapture> caps = new ArrayList<>(List.of(before));
        TrainConfig tc = new TrainConfig(1, 16, 3e-3, 0.01, 1.0, "cosine", 2, 0.1, 5, 3L, 8, 64);
        Trainer tr = new Trainer(model, tc, new dev.mambamixer.engine.train.TrainingListener() {
            @Override public void onStep(StepEvent e) {
                if (e.step() % 2 == 0) {
                    hist.record(e.step(), model);
                    caps.add(Introspector.capture(model, DATA.val(), PROBE, e.step()));
                }
            }
        });
        tr.fit(DATA.train(), DATA.val());
        trained = new Trained(cfg, before, caps.get(caps.size() - 1), caps, hist);
        return trained;
    }
}
