package dev.mambamixer.engine.introspect;

import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.CpuBackend;
import dev.mambamixer.engine.data.ForecastData;
import dev.mambamixer.engine.data.SplitRule;
import dev.mambamixer.engine.data.SyntheticSeriesGenerator;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.model.Tsm2Config;
import dev.mambamixer.engine.nn.Parameter;
import dev.mambamixer.engine.train.TrainConfig;
import dev.mambamixer.engine.train.Trainer;
import dev.mambamixer.engine.train.TrainingListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Capturing inside TrainingListener.onStep must not change training, bit for bit. */
class CaptureDuringTrainingTest {
    static final ForecastData DATA =
        ForecastData.of(SyntheticSeriesGenerator.generate(1200, 7L), 48, 12, SplitRule.RATIO);

    record Run(List<Double> losses, List<float[]> weights, List<ModelCapture> captures, AveragingHistory history) {}

    /** TrainerTest's tiny setup (dropout 0.1 is on, so RNG-driven masks are part of the curve). */
    static Run run(boolean capture) {
        Backend be = new CpuBackend();
        Tsm2 model = new Tsm2(be, Tsm2Config.defaults(48, 12, DATA.variates()).withModel(8, 1));
        TrainConfig tc = new TrainConfig(2, 16, 3e-3, 0.01, 1.0, "cosine", 5, 0.1, 5, 3L, 6, 64);
        List<Double> losses = new ArrayList<>();
        List<ModelCapture> caps = new ArrayList<>();
        AveragingHistory hist = new AveragingHistory();
        TrainingListener record = hist.listener(model, 2);
        Trainer tr = new Trainer(model, tc, new TrainingListener() {
            @Override public void onStep(StepEvent e) {
                losses.add(e.loss());
                if (capture && e.step() % 3 == 0)   // probe batch of 5 != training batch 16: buffers get resized
                    caps.add(Introspector.capture(model, DATA.val(), new int[] {0, 3, 9, 20, 31}, e.step()));
                if (capture) record.onStep(e);
            }
        });
        tr.fit(DATA.train(), DATA.val());
        List<float[]> w = new ArrayList<>();
        for (Parameter p : model.parameters()) w.add(be.toFloats(p.value()));
        return new Run(losses, w, caps, hist);
    }

    @Test
    void lossCurveAndWeightsAreBitIdenticalWithAndWithoutCaptures(@TempDir Path dir) throws Exception {
        Run plain = run(false), probed = run(true);
        assertEquals(12, plain.losses().size());
        assertEquals(plain.losses(), probed.losses(), "capturing every 3 steps must not change the loss curve");
        for (int i = 0; i < plain.weights().size(); i++)
            assertArrayEquals(plain.weights().get(i), probed.weights().get(i), "final weights, parameter " + i);
        assertEquals(4, probed.captures().size());
        assertEquals(List.of(3L, 6L, 9L, 12L), probed.captures().stream().map(ModelCapture::step).toList());
        assertNotEquals(probed.captures().get(0).forecast()[0], probed.captures().get(3).forecast()[0],
                        "the model trained between captures");

        AveragingHistory h = probed.history();
        assertEquals(List.of(2L, 4L, 6L, 8L, 10L, 12L), h.steps());
        float[] beta10 = h.series(0, 1);                      // β_{1,0}, identity init 1
        assertEquals(6, beta10.length);
        assertNotEquals(1f, beta10[5], "the averaging weights are trained");
        CaptureFiles.write(h, dir);
        assertEquals(h, CaptureFiles.readHistory(dir));
    }
}
