package dev.mambamixer.engine.backend.cuda;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.CpuBackend;
import dev.mambamixer.engine.model.Vim2;
import dev.mambamixer.engine.model.Vim2Config;
import dev.mambamixer.engine.nn.Parameter;
import dev.mambamixer.engine.nn.WeightedAverage;
import dev.mambamixer.engine.tensor.Tensor;
import dev.mambamixer.engine.train.AdamW;
import dev.mambamixer.engine.train.MaskedCrossEntropy;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A whole ViM2 training step (forward, cross-entropy, backward, clipping, AdamW) on the GPU against
 * the CPU backend from identical weights and images, for both channel-mixer readings: logits, loss,
 * every parameter gradient, then three AdamW steps. Skips without a GPU.
 */
class CudaVim2StepParityTest {

    private static final class Run {
        final Backend be;
        final Vim2 model;
        final AdamW opt;
        final Tensor x, dl;
        final int[] y;
        double[] logits;

        Run(Backend be, Vim2Config cfg, float[] px, int[] y, int b) {
            this.be = be;
            this.model = new Vim2(be, cfg);
            this.opt = AdamW.defaults(be, model.parameters(), 0.05);
            this.x = be.fromFloats(px, b, cfg.height(), cfg.width(), cfg.channels());
            this.dl = be.zeros(b, cfg.classes());
            this.y = y;
        }

        double step(int b, boolean update) {
            Tensor out = model.forward(x, b);
            logits = be.toDoubles(out);
            float[] g = new float[logits.length];
            double loss = MaskedCrossEntropy.compute(be.toFloats(out), y, model.config().classes(), 0.1, g).loss();
            be.upload(g, dl);
            opt.zeroGrad();
            model.backward(dl);
            if (update) {
                double gn = opt.gradNorm();
                opt.step(1e-3, gn > 1 ? 1 / gn : 1);
            }
            return loss;
        }
    }

    @Test
    void trainingStepMatchesTheCpuBackend() {
        CudaBackend gpu = CudaTestSupport.requireGpu();
        for (Vim2Config.ChannelMixer cm : new Vim2Config.ChannelMixer[] {Vim2Config.ChannelMixer.PER_TOKEN_LIFT,
                                                                         Vim2Config.ChannelMixer.TOKENS}) {
            // 28×20 grey, patch 4 -> 7×5 tokens, then 4×3 (odd sizes padded by the merge)
            Vim2Config cfg = new Vim2Config(28, 20, 1, 10, 4, List.of(16, 24), List.of(2, 2), 2, cm, 4, 4, 4, 8, 2, 3, 16,
                                            WeightedAverage.Mode.IDENTITY, 13);
            int b = 6;
            SplittableRandom rng = new SplittableRandom(7);
            float[] px = new float[b * 28 * 20];
            for (int i = 0; i < px.length; i++) px[i] = (float) rng.nextDouble();
            int[] y = new int[b];
            for (int i = 0; i < b; i++) y[i] = rng.nextInt(10);
            Run cpu = new Run(new CpuBackend(), cfg, px, y, b), gpuRun = new Run(gpu, cfg, px, y, b);
            CudaTestSupport.Checks checks = new CudaTestSupport.Checks();
            String tag = "vim2 " + cm;
            double lc = cpu.step(b, false), lg = gpuRun.step(b, false);
            checks.check(tag + " step: logits", gpuRun.logits, cpu.logits, 1e-4);
            checks.check(tag + " step: loss", lg, lc, 1e-5);
            double worstGrad = 0;
            String worstName = "";
            for (int i = 0; i < cpu.model.parameters().size(); i++) {
                Parameter pc = cpu.model.parameters().get(i), pg = gpuRun.model.parameters().get(i);
                double e = CudaTestSupport.relErr(gpu.toDoubles(pg.grad()), cpu.be.toDoubles(pc.grad()));
                if (!(e <= worstGrad)) { worstGrad = e; worstName = pc.name(); }
            }
            checks.checkError(tag + " step: worst param grad (" + worstName + ")", worstGrad, 2e-3);
            double[] lcs = new double[3], lgs = new double[3];
            for (int s = 0; s < 3; s++) {
                lcs[s] = cpu.step(b, true);
                lgs[s] = gpuRun.step(b, true);
            }
            checks.check(tag + " 3 AdamW steps: losses", lgs, lcs, 1e-3);
            checks.assertAll();
        }
    }
}
