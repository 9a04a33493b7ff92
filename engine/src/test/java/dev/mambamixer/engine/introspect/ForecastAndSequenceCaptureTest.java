package dev.mambamixer.engine.introspect;

import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.CpuBackend;
import dev.mambamixer.engine.data.ForecastData;
import dev.mambamixer.engine.data.SplitRule;
import dev.mambamixer.engine.data.SyntheticSeriesGenerator;
import dev.mambamixer.engine.data.teaching.SelectiveCopying;
import dev.mambamixer.engine.data.teaching.SequenceExample;
import dev.mambamixer.engine.model.SequenceModel;
import dev.mambamixer.engine.model.SequenceModelConfig;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.model.Tsm2Config;
import dev.mambamixer.engine.train.Evaluation;
import dev.mambamixer.engine.introspect.SelectionProbe;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Forecast windows with history and truth; captures of the teaching model. */
class ForecastAndSequenceCaptureTest {
    static final ForecastData DATA =
        ForecastData.of(SyntheticSeriesGenerator.generate(1200, 7L), 48, 12, SplitRule.RATIO);

    @Test
    void forecastWindowsAgreeWithEvaluationAndTheScaler() {
        Backend be = new CpuBackend();
        Tsm2 model = new Tsm2(be, Tsm2Config.defaults(48, 12, DATA.variates()).withModel(8, 1));
        List<ForecastWindow> std = Introspector.forecasts(model, DATA.test(), 0, 5, 17);
        List<ForecastWindow> orig = Introspector.forecasts(model, DATA, DATA.test(), 0, 5, 17);
        assertEquals(3, std.size());
        int m = DATA.variates();
        for (int k = 0; k < 3; k++) {
            ForecastWindow s = std.get(k), o = orig.get(k);
            int w = s.window();
            assertArrayEquals(DATA.test().input(w), s.history());
            assertArrayEquals(DATA.test().target(w), s.truth());
            assertFalse(s.originalUnits());
            assertTrue(o.originalUnits());
            assertEquals(DATA.columns(), o.variateNames());
            assertEquals(s.mse(), o.mse(), 0.0, "metrics stay in standardised space");
            // original units = inverse scaling of the standardised values
            assertArrayEquals(DATA.scaler().inverseTransform(s.prediction()), o.prediction());
            assertArrayEquals(DATA.scaler().inverseTransform(s.truth()), o.truth());
            // per-variate column accessors
            double[] h2 = o.history(2);
            assertEquals(48, h2.length);
            assertEquals(o.history()[47 * m + 2], h2[47], 0.0);
            // the window's MSE / MAE over its H×M values
            double se = 0, ae = 0;
            for (int i = 0; i < s.prediction().length; i++) {
                double d = (double) s.prediction()[i] - s.truth()[i];
                se += d * d;
                ae += Math.abs(d);
            }
            assertEquals(se / (12 * m), s.mse(), 1e-12);
            assertEquals(ae / (12 * m), s.mae(), 1e-12);
            assertTrue(s.mse() > 0);
        }
        // the batch-of-one forecast equals the batched evaluation's prediction for that window
        float[] fromEval = new float[12 * m];
        Evaluation.run(model, DATA.test(), 8, (first, n, pred, target) -> {
            if (first <= 5 && 5 < first + n) System.arraycopy(pred, (5 - first) * 12 * m, fromEval, 0, 12 * m);
        });
        assertArrayEquals(fromEval, std.get(1).prediction(), 1e-5f);
        assertThrows(IllegalArgumentException.class,
                     () -> Introspector.forecasts(new Tsm2(be, Tsm2Config.defaults(96, 12, m).withModel(8, 1)),
                                                  DATA.test(), 0));
    }

    @Test
    void forecastWindowsRoundTripThroughTheRunFolder(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
        throws Exception {
        Tsm2 model = new Tsm2(new CpuBackend(), Tsm2Config.defaults(48, 12, DATA.variates()).withModel(8, 1));
        List<ForecastWindow> ws = Introspector.forecasts(model, DATA, DATA.test(), 3, 30);
        CaptureFiles.writeForecasts(ws, dir);
        assertEquals(ws, CaptureFiles.readForecasts(dir));
        java.nio.file.Files.writeString(dir.resolve(CaptureFiles.FORECASTS_JSON), "{\"windows\": [{\"window\": 1}]}");
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> CaptureFiles.readForecasts(dir));
        assertTrue(e.getMessage().contains("forecasts.json"), e.getMessage());
    }

    @Test
    void sequenceCaptureHasTheModelsShapesMarksAndDelta() {
        Backend be = new CpuBackend();
        SelectiveCopying task = new SelectiveCopying(20, 10, 3);
        SequenceModel model = new SequenceModel(be, SequenceModelConfig.defaults(10, 20).withModel(8, 2, 4).withSeed(5));
        SplittableRandom rng = new SplittableRandom(1);
        List<SequenceExample> ex = List.of(task.sample(rng), task.sample(rng), task.sample(rng));
        SequenceCapture cap = Introspector.capture(model, ex, 42);
        assertEquals(42, cap.step());
        assertEquals(3, cap.batch());
        int e = 2 * 8;   // expand 2
        assertEquals(List.of("blocks.0.token", "blocks.0.channel", "blocks.1.token", "blocks.1.channel"),
                     cap.mixers().stream().map(MixerCapture::name).toList());
        MixerCapture tok = cap.tokenMixer(0);
        assertEquals(3, tok.s());
        assertEquals(20, tok.l());
        assertEquals(8, tok.f());
        assertEquals("position", tok.positionAxis());
        assertFalse(tok.bidirectional());
        ScanCapture sc = tok.direction("forward");
        assertEquals(3 * 20 * e, sc.delta().length);
        assertEquals(3 * 20 * 4, sc.b().length);
        MixerCapture ch = cap.mixer("blocks.0.channel");
        assertTrue(ch.bidirectional());
        assertEquals(8, ch.l());
        assertEquals(20, ch.f());
        assertEquals("channel", ch.positionAxis());
        assertEquals(4, cap.averaging().targetCount());
        assertEquals(3, cap.examples().get(0).positions("data").length);
        // Δ per position (mean over e) equals SelectionProbe's measurement of the same block
        SelectionProbe.Profile p = SelectionProbe.delta(model, ex, 1, 3);
        SequenceCapture again = Introspector.capture(model, ex, 42);
        float[] d = again.tokenMixer(1).direction("forward").delta();
        for (int b = 0; b < 3; b++)
            for (int t = 0; t < 20; t++) {
                double s = 0;
                for (int c = 0; c < e; c++) s += d[(b * 20 + t) * e + c];
                assertEquals(p.perPosition()[b * 20 + t], s / e, 1e-5);
            }
        assertThrows(IllegalArgumentException.class,
                     () -> Introspector.capture(model, List.of(new SelectiveCopying(24, 10, 3).sample(rng)), 0));
    }
}
