package dev.mambamixer.engine.introspect;

import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.backend.CpuBackend;
import dev.mambamixer.engine.data.ForecastData;
import dev.mambamixer.engine.data.SplitRule;
import dev.mambamixer.engine.data.SyntheticSeriesGenerator;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.model.Tsm2Config;
import dev.mambamixer.engine.train.TrainConfig;
import dev.mambamixer.engine.train.TrainControl;
import dev.mambamixer.engine.train.Trainer;
import dev.mambamixer.engine.train.TrainingListener;
import dev.mambamixer.engine.train.TrainingListener.UpdateRatioEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Update-ratio events travel through AsyncListener/CompositeListener into events.jsonl and back. */
class UpdateRatioEventsTest {
    @Test
    void ratiosAreLoggedAndReadBack(@TempDir Path dir) throws Exception {
        ForecastData data = ForecastData.of(SyntheticSeriesGenerator.generate(1200, 7L), 48, 12, SplitRule.RATIO);
        Tsm2 model = new Tsm2(new CpuBackend(), Tsm2Config.defaults(48, 12, data.variates()).withModel(8, 1));
        TrainConfig tc = new TrainConfig(2, 16, 3e-3, 0.01, 1.0, "cosine", 5, 0.1, 5, 3L, 6, 64);
        TrainControl control = new TrainControl();
        control.setUpdateRatioEvery(3);
        List<UpdateRatioEvent> seen = new ArrayList<>();
        EventLog log = new EventLog(dir);
        AsyncListener async = new AsyncListener(new TrainingListener() {
            @Override public void onUpdateRatios(UpdateRatioEvent e) { seen.add(e); }
        });
        new Trainer(model, tc, CompositeListener.of(log, async), control).fit(data.train(), data.val());
        async.close();
        log.close();
        assertEquals(List.of(3, 6, 9, 12), seen.stream().map(UpdateRatioEvent::step).toList());
        RunHistory h = RunHistory.read(dir);
        assertEquals(seen, h.updateRatios(), "read back exactly (records compare by value)");
        assertEquals(12, h.steps().size());
        for (TrainingListener.GroupRatio g : h.updateRatios().get(0).groups())
            assertTrue(Double.isFinite(g.log10Ratio()) && g.updateNorm() > 0, g.toString());
    }
}
