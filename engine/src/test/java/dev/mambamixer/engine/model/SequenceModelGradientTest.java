package dev.mambamixer.engine.model;

import dev.mambamixer.engine.nn.WeightedAverage;
import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.ReferenceBackend;
import dev.mambamixer.engine.data.teaching.SelectiveCopying;
import dev.mambamixer.engine.data.teaching.SequenceExample;
import dev.mambamixer.engine.nn.GradCheck;
import dev.mambamixer.engine.nn.Parameter;
import dev.mambamixer.engine.tensor.Tensor;
import dev.mambamixer.engine.train.MaskedCrossEntropy;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Whole-model float64 gradient checks of the token-sequence model (every parameter). */
class SequenceModelGradientTest {
    private final Backend be = new ReferenceBackend();

    // V 6, L 7, D 4, 2 layers, N 3, conv 3, expand 2, scan chunk 4 (so the scan backward crosses a checkpoint)
    private static SequenceModelConfig small(boolean channel, String averaging) {
        return new SequenceModelConfig(6, 7, 4, 2, 3, 3, 2, 4, channel, WeightedAverage.Mode.parse(averaging), 5L);
    }

    private static int[] tokens(int b, int l, int v, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] t = new int[b * l];
        for (int i = 0; i < t.length; i++) t[i] = rng.nextInt(v);
        return t;
    }

    private void check(SequenceModelConfig cfg) {
        SequenceModel model = new SequenceModel(be, cfg);
        GradCheck gc = new GradCheck(be, 9);
        gc.perturb(model.parameters(), 0.1);
        int[] tok = tokens(3, cfg.length(), cfg.vocab(), 1);
        gc.check("sequence model", model.parameters(), null, () -> model.forward(tok, 3), d -> {
            model.backward(d);
            return null;
        }, 6);
    }

    @Test
    void tokenAndChannelMixersIdentityAveraging() { check(small(true, "identity")); }

    @Test
    void tokenMixersOnlySoftmaxAveraging() { check(small(false, "softmax")); }

    @Test
    void maskedCrossEntropyThroughTheWholeModel() {
        // end to end: d(mean CE over the output positions)/dθ by backward vs central differences
        SelectiveCopying task = new SelectiveCopying(7, 6, 2);
        SequenceModelConfig cfg = small(true, "uniform");
        SequenceModel model = new SequenceModel(be, cfg);
        new GradCheck(be, 4).perturb(model.parameters(), 0.1);
        List<SequenceExample> ex = task.examples(2L, 2);
        int[] tok = new int[14], tgt = new int[14];
        for (int i = 0; i < 2; i++) ex.get(i).copyInto(tok, tgt, i);
        for (Parameter p : model.parameters()) p.zeroGrad();
        double[] logits = be.toDoubles(model.forward(tok, 2));
        model.backward(be.fromDoubles(MaskedCrossEntropy.gradient(logits, tgt, 6), 14, 6));
        SplittableRandom rng = new SplittableRandom(8);
        double h = 1e-6;
        for (Parameter p : model.parameters()) {
            double[] g = be.toDoubles(p.grad()), v = be.toDoubles(p.value());
            int i = rng.nextInt(v.length);
            double o = v[i];
            v[i] = o + h;
            be.upload(v, p.value());
            double lp = MaskedCrossEntropy.loss(be.toDoubles(model.forward(tok, 2)), tgt, 6);
            v[i] = o - h;
            be.upload(v, p.value());
            double lm = MaskedCrossEntropy.loss(be.toDoubles(model.forward(tok, 2)), tgt, 6);
            v[i] = o;
            be.upload(v, p.value());
            double num = (lp - lm) / (2 * h);
            double err = Math.abs(num - g[i]) <= 1e-8 ? 0 : Math.abs(num - g[i]) / (Math.abs(num) + Math.abs(g[i]));
            assertTrue(err < 1e-5, p.name() + "[" + i + "]: analytic " + g[i] + " vs numeric " + num);
        }
    }

    @Test
    void shapesNamesAndErrors() {
        SequenceModelConfig cfg = SequenceModelConfig.defaults(12, 32);
        SequenceModel m = new SequenceModel(be, cfg.withModel(8, 2, 4));
        Tensor y = m.forward(new int[2 * 32], 2);
        assertArrayEquals(new int[] {64, 12}, y.shape());
        assertEquals("embedding.weight", m.parameters().get(0).name());
        assertTrue(m.parameters().stream().anyMatch(p -> p.name().equals("blocks.1.channel.mamba.A_b_log")));
        assertEquals("blocks.1.token", m.tokenMixer(1).name());
        // 𝓛(2𝓛+3) averaging scalars for 𝓛 = 2 blocks of (token, channel), MODEL.md §5.3
        long avg = m.parameters().stream().filter(p -> p.name().endsWith("avg_weight")).mapToLong(Parameter::size).sum();
        assertEquals(14, avg);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> m.forward(new int[10], 2)).getMessage()
                       .contains("expected B*L"));
        int[] bad = new int[32];
        bad[5] = 12;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> m.forward(bad, 1)).getMessage()
                       .contains("token 12 at position 5"));
        SequenceModelConfig broken = new SequenceModelConfig(0, 32, 8, 0, 4, 4, 2, 64, true, null, 1L);
        String msg = assertThrows(IllegalArgumentException.class, broken::validate).getMessage();
        for (String s : new String[] {"vocab", "layers", "averaging"}) assertTrue(msg.contains(s), msg);
    }
}
