package dev.mambamixer.engine.introspect;

import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.CpuBackend;
import dev.mambamixer.engine.data.ForecastData;
import dev.mambamixer.engine.data.SplitRule;
import dev.mambamixer.engine.data.SyntheticSeriesGenerator;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.model.Tsm2Config;
import dev.mambamixer.engine.nn.Mixer;
import dev.mambamixer.engine.nn.Parameter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCaptureTest {
    static final ForecastData DATA =
        ForecastData.of(SyntheticSeriesGenerator.generate(600, 7L), 48, 12, SplitRule.RATIO);
    static final int[] WINDOWS = {0, 5, 17};

    static Tsm2Config i1() { return Tsm2Config.defaults(48, 12, DATA.variates()).withModel(8, 2); }

    static Tsm2Config i2() {
        Tsm2Config c = i1();
        return c.toBuilder().design(Tsm2Config.Design.I2).model(c.dModel(), 1).build();
    }

    @Test
    void i1ShapesFollowTheConfiguration() {
        Backend be = new CpuBackend();
        Tsm2Config cfg = i1();
        ModelCapture cap = Introspector.capture(new Tsm2(be, cfg), DATA.val(), WINDOWS, 7);
        int b = WINDOWS.length, m = cfg.variates(), np = cfg.numPatches(), e = cfg.expand() * cfg.dModel();
        assertEquals(7, cap.step());
        assertEquals(2 * cfg.layers(), cap.mixers().size());
        for (int i = 0; i < cap.mixers().size(); i++) {
            MixerCapture mc = cap.mixers().get(i);
            boolean time = i % 2 == 0;
            assertEquals("blocks." + i / 2 + (time ? ".time" : ".variate"), mc.name());
            assertEquals(time ? MixerKind.TIME : MixerKind.VARIATE, mc.kind());
            assertEquals(i / 2, mc.block());
            assertEquals(time ? b * m : b * np, mc.s());
            assertEquals(time ? np : m, mc.l());
            assertEquals(cfg.dModel(), mc.f());
            assertEquals(time ? List.of("batch", "variate") : List.of("batch", "patch"), mc.sequenceAxes());
            assertEquals(time ? 1 : 2, mc.directions().size(), "time mixer unidirectional by default (MODEL.md §9 A1)");
            for (ScanCapture sc : mc.directions()) {
                assertEquals(e, sc.e());
                assertEquals(cfg.dState(), sc.n());
                assertEquals(mc.s() * mc.l() * e, sc.delta().length);
                assertEquals(mc.s() * mc.l() * cfg.dState(), sc.b().length);
                for (float d : sc.delta()) assertTrue(d > 0, "Δ after softplus is positive");
                for (float r : sc.retention()) assertTrue(r > 0 && r <= 1, "retention in (0, 1]");
            }
            assertEquals(mc.l(), mc.meanAbsAttention(mc.s() - 1).length);
        }
        assertEquals(b * cfg.horizon() * m, cap.forecast().length);
        assertEquals(3 * cfg.layers(), cap.layerStats().size());   // 1 + 2 directions per block
        Stats ds = cap.layerStats().get(0).delta();
        assertTrue(ds.p5() <= ds.p50() && ds.p50() <= ds.p95() && ds.min() <= ds.p5() && ds.p95() <= ds.max());
    }

    @Test
    void i2ShapesFollowTheConfiguration() {
        Backend be = new CpuBackend();
        Tsm2Config cfg = i2();
        ModelCapture cap = Introspector.capture(new Tsm2(be, cfg), DATA.val(), WINDOWS, -1);
        int b = WINDOWS.length, m = cfg.variates(), t = cfg.seqLen();
        MixerCapture time = cap.mixer("blocks.0.time"), var = cap.mixer("blocks.0.variate");
        assertEquals(List.of(b, t, m, 2 * m), List.of(time.s(), time.l(), time.f(), time.directions().get(0).e()));
        assertEquals(List.of(b, m, t, 2 * t), List.of(var.s(), var.l(), var.f(), var.directions().get(1).e()));
        assertEquals("variate", var.positionAxis());
    }

    @Test
    void forecastIsTheEvaluationForwardAndOutputNormsUseScanCoordinates() {
        Backend be = new CpuBackend();
        Tsm2 model = new Tsm2(be, i1());
        ModelCapture cap = Introspector.capture(model, DATA.val(), WINDOWS, -1);
        Mixer var = model.stack().mixers().get(1);
        float[] y = be.toFloats(var.lastOutput());                       // (B, M, Nₚ, D), not swapped
        MixerCapture mc = cap.mixer(var.name());
        int m = i1().variates(), np = i1().numPatches(), d = i1().dModel();
        for (int b = 0; b < WINDOWS.length; b++)
            for (int p = 0; p < np; p += 2)
                for (int v = 0; v < m; v++) {
                    double sq = 0;
                    for (int k = 0; k < d; k++) sq += Math.pow(y[((b * m + v) * np + p) * d + k], 2);
                    // variate mixer: sequence (batch, patch), position = variate
                    assertEquals(Math.sqrt(sq), mc.outputNorm()[mc.seq(b, p) * m + v], 1e-4);
                }
        float[] again = be.toFloats(model.forward(be.fromFloats(cap.input(), WINDOWS.length, 48, m), WINDOWS.length,
                                                  false, 99));
        assertArrayEquals(again, cap.forecast(), "eval forward is deterministic and equals the capture's forecast");
    }

    @Test
    void identityInitialisedAveragingMatrix() {
        Tsm2 model = new Tsm2(new CpuBackend(), i1());
        AveragingMatrix a = Introspector.averaging(model);
        assertEquals(4, a.targetCount());
        assertEquals(List.of("x (y_T^(0))", "x (y_C^(0))", "blocks.0.time", "blocks.0.variate", "blocks.1.time"),
                     a.sources());
        for (int t = 0; t < 4; t++)
            for (int s = 0; s < 5; s++) {
                if (!a.connected(t, s)) {
                    assertTrue(Float.isNaN(a.weight(t, s)));
                    continue;
                }
                int hot = t == 0 ? 1 : t + 1;   // β_{1,0} = 1, else the previous mixer (MODEL.md §5.3 DenseFormer init)
                assertEquals(s == hot ? 1f : 0f, a.weight(t, s), "target " + t + " source " + s);
            }
        assertEquals("β_{1,0}", a.symbol(0, 1));
        assertEquals("θ_{1,1}", a.symbol(1, 2));
        assertEquals("γ_{2,1}", a.symbol(3, 3));
        assertEquals("α_{2,1}", a.symbol(2, 2));
    }

    @Test
    void captureLeavesParametersUntouchedAndReloadsEqual(@TempDir Path dir) throws Exception {
        Backend be = new CpuBackend();
        Tsm2 model = new Tsm2(be, i1());
        List<float[]> before = new ArrayList<>();
        for (Parameter p : model.parameters()) before.add(be.toFloats(p.value()));
        ModelCapture cap = Introspector.capture(model, DATA.val(), WINDOWS, 12);
        for (int i = 0; i < before.size(); i++)
            assertArrayEquals(before.get(i), be.toFloats(model.parameters().get(i).value()));

        CaptureFiles.write(cap, dir.resolve("cap"));
        ModelCapture back = CaptureFiles.read(dir.resolve("cap"));
        assertEquals(cap, back);
        assertNotSame(cap.mixers().get(1).directions().get(1).delta(), back.mixers().get(1).directions().get(1).delta());
        ScanCapture a = cap.mixers().get(1).direction("backward"), b = back.mixers().get(1).direction("backward");
        assertTrue(b.reversed());
        assertArrayEquals(a.attention(2, 3).matrix(), b.attention(2, 3).matrix());
        assertTrue(Arrays.deepEquals(cap.mixers().get(0).meanAbsAttention(1), back.mixers().get(0).meanAbsAttention(1)));

        // a damaged file is reported, not silently accepted
        ModelCapture other = Introspector.capture(model, DATA.val(), new int[] {1, 2}, 12);
        CaptureFiles.write(other, dir.resolve("cap2"));
        java.nio.file.Files.copy(dir.resolve("cap2").resolve(CaptureFiles.CAPTURE_ARRAYS),
                                 dir.resolve("cap").resolve(CaptureFiles.CAPTURE_ARRAYS),
                                 java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> CaptureFiles.read(dir.resolve("cap")));
        assertTrue(ex.getMessage().contains("has shape"), ex.getMessage());
    }
}
