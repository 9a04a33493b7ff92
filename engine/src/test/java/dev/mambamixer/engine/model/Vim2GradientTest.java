package dev.mambamixer.engine.model;

import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.ReferenceBackend;
import dev.mambamixer.engine.nn.GradCheck;
import dev.mambamixer.engine.nn.Init;
import dev.mambamixer.engine.nn.MambaOptions;
import dev.mambamixer.engine.nn.Mixer;
import dev.mambamixer.engine.nn.Parameter;
import dev.mambamixer.engine.nn.Ss2dMixer;
import dev.mambamixer.engine.nn.WeightedAverage;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Float64 finite-difference checks of ViM2's layers (MODEL.md §7) and the whole model, plus the
 * cross-scan orders: the backward of every new piece is hand-written, so each is checked here.
 */
class Vim2GradientTest {
    private final Backend be = new ReferenceBackend();

    @Test
    void depthwiseConv2d() {
        GradCheck gc = new GradCheck(be, 1);
        int b = 2, h = 3, w = 4, e = 3, k = 3;
        Parameter wt = new Parameter(be, "w", new Init(2).uniform(e * k * k, 1), false, e, k, k);
        Parameter bias = new Parameter(be, "b", new Init(3).uniform(e, 1), true, e);
        Tensor x = gc.random(1, b, h, w, e), out = be.zeros(b, h, w, e), dx = be.zeros(b, h, w, e);
        gc.check("dwconv2d", List.of(wt, bias), x, () -> {
            be.depthwiseConv2dForward(x, wt.value(), bias.value(), b, h, w, e, k, out);
            return out;
        }, dy -> {
            be.depthwiseConv2dBackward(x, wt.value(), dy, b, h, w, e, k, dx, wt.grad(), bias.grad());
            return dx;
        }, 80);
    }

    @Test
    void patchMergingGatherWithOddSizes() {
        GradCheck gc = new GradCheck(be, 4);
        int b = 2, h = 3, w = 5, c = 2;
        Tensor x = gc.random(1, b, h, w, c), out = be.zeros(b, 2, 3, 4 * c), dx = be.zeros(b, h, w, c);
        gc.check("merge2x2", List.of(), x, () -> {
            be.mergePatches2x2(x, b, h, w, c, out);
            return out;
        }, dy -> {
            be.mergePatches2x2Backward(dy, b, h, w, c, dx);
            return dx;
        }, 100);
        // the order is (0,0), (1,0), (0,1), (1,1): row offset first
        double[] xs = be.toDoubles(x), o = be.toDoubles(out);
        int bi = 1, i = 0, j = 1, ch = 1;                      // output cell (1, 0, 1)
        assertEquals(xs[((bi * h + 2 * i) * w + 2 * j) * c + ch], o[((bi * 2 + i) * 3 + j) * 4 * c + ch]);
        assertEquals(xs[((bi * h + 2 * i + 1) * w + 2 * j) * c + ch], o[((bi * 2 + i) * 3 + j) * 4 * c + c + ch]);
        assertEquals(xs[((bi * h + 2 * i) * w + 2 * j + 1) * c + ch], o[((bi * 2 + i) * 3 + j) * 4 * c + 2 * c + ch]);
        assertEquals(0.0, o[((bi * 2 + 1) * 3 + j) * 4 * c + c + ch], "row 3 is padding");
    }

    @Test
    void ss2dTokenMixer() {
        MambaOptions mo = MambaOptions.defaults().with(3, 4, 2, 2, false);
        Ss2dMixer mx = new Ss2dMixer(be, "tm.", 4, 3, mo, new Init(5));
        GradCheck gc = new GradCheck(be, 6);
        gc.perturb(mx.parameters(), 0.2);
        int b = 2, h = 3, w = 2;                             // non-square: rows and columns differ
        Mixer.Geometry g = new Mixer.Geometry(b, h, w, 4, false, b, h * w, 4);
        Tensor x = gc.random(1, b, h, w, 4);
        gc.check("ss2d", mx.parameters(), x, () -> mx.forward(x, g), mx::backward, 20);
    }

    @Test
    void crossScanOrdersAreRowColumnAndTheirReverses() {
        MambaOptions mo = MambaOptions.defaults().with(2, 4, 2, 4, false);
        Ss2dMixer mx = new Ss2dMixer(be, "tm.", 2, 3, mo, new Init(7));
        int b = 1, h = 3, w = 4, e = mx.innerWidth(), l = h * w;
        GradCheck gc = new GradCheck(be, 8);
        mx.forward(gc.random(1, b, h, w, 2), new Mixer.Geometry(b, h, w, 2, false, b, l, 2));
        double[] u0 = be.toDoubles(mx.scan(0).lastU()), u1 = be.toDoubles(mx.scan(1).lastU());
        double[] u2 = be.toDoubles(mx.scan(2).lastU()), u3 = be.toDoubles(mx.scan(3).lastU());
        for (int i = 0; i < h; i++)
            for (int j = 0; j < w; j++)
                for (int c = 0; c < e; c++) {
                    double v = u0[(i * w + j) * e + c];                    // row-major position i·W + j
                    assertEquals(v, u1[(j * h + i) * e + c], "column-major position j·H + i");
                    assertEquals(v, u2[(l - 1 - (i * w + j)) * e + c], "row-major reversed");
                    assertEquals(v, u3[(l - 1 - (j * h + i)) * e + c], "column-major reversed");
                }
    }

    @Test
    void perTokenLiftChannelMixer() {
        // V-B (MODEL.md §7.3): every token's D channels are a sequence of scalars, F = 1, lifted to e_c
        MambaOptions mo = MambaOptions.defaults().with(3, 2, 4, 2, false);
        Mixer mx = new Mixer(be, "cm.", "channel", new int[] {5}, 1, true, mo, new Init(9));
        GradCheck gc = new GradCheck(be, 10);
        gc.perturb(mx.parameters(), 0.2);
        int b = 2, h = 2, w = 1, d = 5;
        Tensor x = gc.random(1, b, h, w, d);
        Mixer.Geometry g = new Mixer.Geometry(b * h * w, 1, d, 1, false, b * h * w, d, 1);
        gc.check("v-b channel mixer", mx.parameters(), x, () -> mx.forward(x, g), mx::backward, 20);
    }

    private static Vim2Config tiny(Vim2Config.ChannelMixer cm, WeightedAverage.Mode avg) {
        // 8×6 RGB, patch 2 -> 4×3 tokens, then 2×2 (odd width padded); averaging inside both stages
        return new Vim2Config(8, 6, 3, 4, 2, List.of(4, 6), List.of(2, 1), 2, cm, 3, 2, 2, 2, 2, 3, 4, avg, 11);
    }

    @Test
    void wholeModelPerTokenLift() { wholeModel(tiny(Vim2Config.ChannelMixer.PER_TOKEN_LIFT, WeightedAverage.Mode.IDENTITY), 12); }

    @Test
    void wholeModelTokensAsFeaturesWithSoftmaxAveraging() {
        wholeModel(tiny(Vim2Config.ChannelMixer.TOKENS, WeightedAverage.Mode.SOFTMAX), 13);
    }

    private void wholeModel(Vim2Config cfg, long seed) {
        Vim2 model = new Vim2(be, cfg);
        GradCheck gc = new GradCheck(be, seed);
        gc.perturb(model.parameters(), 0.1);
        int b = 2;
        Tensor images = gc.random(1, b, cfg.height(), cfg.width(), cfg.channels());
        gc.check("vim2 " + cfg.channelMixer(), model.parameters(), null, () -> model.forward(images, b), dl -> {
            model.backward(dl);
            return null;
        }, 4);
    }
}
