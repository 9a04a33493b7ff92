package dev.mambamixer.engine.model;

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
        return new Tsm2Config(20, 4, 3, design, 4, 3, padEnd, 4, 2, 3, 3, 2, 4, true, 0.2, bidirectionalTime,
                              averaging, "LN", "post-conv", "euler-b", false, 5L);
    }

    private void check(Tsm2Config cfg) {
        Tsm2 model = new Tsm2(be, cfg);
        GradCheck gc = new GradCheck(be, 9);
        gc.perturb(model.parameters(), 0.1);
        Tensor x = gc.random(2, 2, cfg.seqLen(), cfg.variates());
        gc.check(cfg.design(), model.parameters(), null, () -> model.forward(x, 2, true, 3), d -> {
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
        Tsm2Config bad = new Tsm2Config(16, 0, 3, "I3", 32, 8, false, -1, 2, 16, 4, 2, 64, true, 0.1, false,
                                        "magic", "BN", "post-conv", "zoh", false, 1L);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad::validate);
        for (String s : new String[] {"horizon", "dModel", "design", "averaging", "norm", "discretization"})
            assertTrue(e.getMessage().contains(s), e.getMessage());
        Tsm2Config longPatch = Tsm2Config.defaults(16, 4, 3);
        longPatch = new Tsm2Config(16, 4, 3, "I1", 32, 8, false, 8, 1, 16, 4, 2, 64, true, 0.1, false,
                                   "identity", "LN", "post-conv", "euler-b", false, 1L);
        Tsm2Config lp = longPatch;
        assertTrue(assertThrows(IllegalArgumentException.class, lp::validate).getMessage()
                       .contains("patchLen: 32 is longer than the look-back seqLen 16"));
    }
}
