package dev.mambamixer.engine.model;

import dev.mambamixer.engine.io.ConfigJson;
import dev.mambamixer.engine.nn.WeightedAverage;
import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.ReferenceBackend;
import dev.mambamixer.engine.nn.GradCheck;
import dev.mambamixer.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Whole-model float64 gradient checks (every parameter of TSM2, both designs). */
class Tsm2GradientTest {
    private final Backend be = new ReferenceBackend();

    private static Tsm2Config small(String design, boolean padEnd, boolean bidirectionalTime, String averaging) {
        return Tsm2Config.builder(20, 4, 3).design(Tsm2Config.Design.valueOf(design)).patches(4, 3, padEnd).model(4, 2)
            .dState(3).dConv(3).expand(2).scanChunk(4).dropout(0.2).timeMixerBidirectional(bidirectionalTime)
            .averaging(WeightedAverage.Mode.parse(averaging)).seed(5L).build();
    }

    private void check(Tsm2Config cfg) {
        Tsm2 model = new Tsm2(be, cfg);
        GradCheck gc = new GradCheck(be, 9);
        gc.perturb(model.parameters(), 0.1);
        Tensor x = gc.random(2, 2, cfg.seqLen(), cfg.variates());
        gc.check(cfg.design().toString(), model.parameters(), null, () -> model.forward(x, 2, true, 3), d -> {
            model.backward(d);
            return null;
        }, 6);
    }

    @Test
    void i1PatchTokensDefault() { check(small("I1", false, false, "identity")); }

    @Test
    void i1WithEndPaddingBidirectionalTimeAndSoftmaxAveraging() { check(small("I1", true, true, "softmax")); }

    @Test
    void i2RawTime() { check(small("I2", false, false, "uniform")); }

    @Test
    void shapesFollowSpec66() {
        Tsm2Config cfg = Tsm2Config.defaults(512, 96, 7);
        assertEquals(63, cfg.numPatches());
        Tsm2 model = new Tsm2(be, cfg.withModel(8, 1));
        Tensor y = model.forward(be.zeros(2, 512, 7), 2, false, 0);
        assertArrayEquals(new int[] {2, 96, 7}, y.shape());
    }

    @Test
    void configErrorsNameTheField() {
        Tsm2Config bad = Tsm2Config.builder(16, 0, 3).model(-1, 2).norm(Tsm2Config.Norm2D.BN)
            .discretization(Tsm2Config.Discretization.ZOH).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad::validate);
        for (String s : new String[] {"horizon", "dModel", "norm: 'BN' is not implemented", "discretization: 'zoh' is not implemented"})
            assertTrue(e.getMessage().contains(s), e.getMessage());
        // tokens that name no value: the field and the allowed values are named
        String design = assertThrows(IllegalArgumentException.class,
                                     () -> ConfigJson.parse(Tsm2Config.Design.class, "I3", "design")).getMessage();
        assertEquals("design: unknown value 'I3' (expected I1, I2)", design);
        String avg = assertThrows(IllegalArgumentException.class,
                                  () -> ConfigJson.parse(WeightedAverage.Mode.class, "magic", "averaging")).getMessage();
        assertEquals("averaging: unknown value 'magic' (expected identity, uniform, softmax)", avg);
        // config.json keeps its tokens and reads them back
        Tsm2Config d = Tsm2Config.defaults(96, 24, 7);
        String json = ConfigJson.GSON.toJson(d);
        assertTrue(json.contains("\"design\": \"I1\"") && json.contains("\"averaging\": \"identity\"")
                   && json.contains("\"selectionSource\": \"post-conv\"") && json.contains("\"discretization\": \"euler-b\""), json);
        assertEquals(d, ConfigJson.GSON.fromJson(json, Tsm2Config.class));
        Tsm2Config lp = Tsm2Config.builder(16, 4, 3).patches(32, 8, false).model(8, 1).seed(1L).build();
        assertTrue(assertThrows(IllegalArgumentException.class, lp::validate).getMessage()
                       .contains("patchLen: 32 is longer than the look-back seqLen 16"));
    }
}
