package dev.mambamixer.engine.train;

import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.data.teaching.SequenceExample;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MaskedCrossEntropyTest {
    private static final int I = SequenceExample.IGNORE;

    @Test
    void knownValuesAndMask() {
        // row 0: uniform logits over 4 -> ln 4; row 1 ignored; row 2: target has logit 2 of [0, 2, 0, 0]
        float[] logits = {0, 0, 0, 0, 9, -9, 3, 1, 0, 2, 0, 0};
        int[] targets = {3, I, 1};
        float[] grad = new float[12];
        MaskedCrossEntropy.Result r = MaskedCrossEntropy.compute(logits, targets, 4, grad);
        double z = Math.log(3 + Math.exp(2));
        assertEquals((Math.log(4) + z - 2) / 2, r.loss(), 1e-6);
        assertEquals(2, r.count());
        assertEquals(1, r.correct(), "row 0 is a tie (argmax 0 != 3), row 2 is right");
        for (int j = 4; j < 8; j++) assertEquals(0f, grad[j], "ignored row has no gradient");
        assertEquals((0.25 - 1) / 2, grad[3], 1e-7);
        assertEquals((Math.exp(2 - z) - 1) / 2, grad[9], 1e-7);
    }

    @Test
    void gradientMatchesFiniteDifferencesAndFloatPathMatchesDouble() {
        SplittableRandom rng = new SplittableRandom(3);
        int rows = 7, v = 5;
        double[] x = new double[rows * v];
        for (int i = 0; i < x.length; i++) x[i] = rng.nextDouble() * 6 - 3;
        int[] t = {2, I, 0, 4, I, 1, 3};
        double[] g = MaskedCrossEntropy.gradient(x, t, v);
        double h = 1e-6;
        for (int i = 0; i < x.length; i++) {
            double o = x[i];
            x[i] = o + h;
            double lp = MaskedCrossEntropy.loss(x, t, v);
            x[i] = o - h;
            double lm = MaskedCrossEntropy.loss(x, t, v);
            x[i] = o;
            assertEquals((lp - lm) / (2 * h), g[i], 1e-8, "entry " + i);
        }
        float[] xf = new float[x.length], gf = new float[x.length];
        for (int i = 0; i < x.length; i++) xf[i] = (float) x[i];
        MaskedCrossEntropy.Result r = MaskedCrossEntropy.compute(xf, t, v, gf);
        assertEquals(MaskedCrossEntropy.loss(x, t, v), r.loss(), 1e-6);
        for (int i = 0; i < x.length; i++) assertEquals(g[i], gf[i], 1e-6);
    }

    @Test
    void labelSmoothingMatchesItsDefinitionAndFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(5);
        int rows = 4, v = 6;
        double eps = 0.1;
        double[] x = new double[rows * v];
        for (int i = 0; i < x.length; i++) x[i] = rng.nextDouble() * 4 - 2;
        int[] t = {5, 0, I, 2};
        // definition: -Σ_j q_j log softmax_j with q = (1-ε) onehot + ε/V, averaged over the 3 targets
        double want = 0;
        for (int r = 0; r < rows; r++) {
            if (t[r] == I) continue;
            double z = 0;
            for (int j = 0; j < v; j++) z += Math.exp(x[r * v + j]);
            for (int j = 0; j < v; j++) {
                double q = (j == t[r] ? 1 - eps : 0) + eps / v;
                want -= q * (x[r * v + j] - Math.log(z));
            }
        }
        assertEquals(want / 3, MaskedCrossEntropy.loss(x, t, v, eps), 1e-12);
        double[] g = MaskedCrossEntropy.gradient(x, t, v, eps);
        double h = 1e-6;
        for (int i = 0; i < x.length; i++) {
            double o = x[i];
            x[i] = o + h;
            double lp = MaskedCrossEntropy.loss(x, t, v, eps);
            x[i] = o - h;
            double lm = MaskedCrossEntropy.loss(x, t, v, eps);
            x[i] = o;
            assertEquals((lp - lm) / (2 * h), g[i], 1e-8, "entry " + i);
        }
        float[] xf = new float[x.length], gf = new float[x.length];
        for (int i = 0; i < x.length; i++) xf[i] = (float) x[i];
        assertEquals(want / 3, MaskedCrossEntropy.compute(xf, t, v, eps, gf).loss(), 1e-6);
        for (int i = 0; i < x.length; i++) assertEquals(g[i], gf[i], 1e-6);
    }
}
