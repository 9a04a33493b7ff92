package dev.mambamixer.engine.backend.cuda;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.CpuBackend;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.model.Tsm2Config;
import dev.mambamixer.engine.nn.Parameter;
import dev.mambamixer.engine.tensor.Tensor;
import dev.mambamixer.engine.train.AdamW;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A whole TSM2 training step (forward with dropout, MSE, backward, clipping, AdamW) on the GPU
 * against the CPU backend from identical weights and data: predictions, loss, every parameter
 * gradient and every updated weight, then the losses of three more steps. Skips without a GPU.
 */
class CudaTsm2StepParityTest {

    private static final class Run {
        final Backend be;
        final Tsm2 model;
        final AdamW opt;
        final Tensor x, y, diff;

        Run(Backend be, Tsm2Config cfg, float[] xh, float[] yh, int b) {
            this.be = be;
            this.model = new Tsm2(be, cfg);
            this.opt = AdamW.defaults(be, model.parameters(), 0.01);
            this.x = be.fromFloats(xh, b, cfg.seqLen(), cfg.variates());
            this.y = be.fromFloats(yh, b, cfg.horizon(), cfg.variates());
            this.diff = be.zeros(b, cfg.horizon(), cfg.variates());
        }

        double[] pred;

        double step(int b, long seed, boolean update) {
            Tensor p = model.forward(x, b, true, seed);
            pred = be.toDoubles(p);
            be.sub(p, y, diff);
            double loss = be.dot(diff, diff) / diff.size();
            be.scale(diff, 2.0 / diff.size());
            opt.zeroGrad();
            model.backward(diff);
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
        for (String design : new String[] {"I1", "I2"}) {
            Tsm2Config cfg = Tsm2Config.builder(96, 24, 7).design(Tsm2Config.Design.valueOf(design)).model(16, 2)
                .dropout(0.1).seed(11L).build();
            int b = 8;
            SplittableRandom rng = new SplittableRandom(5);
            float[] xh = new float[b * 96 * 7], yh = new float[b * 24 * 7];
            for (int i = 0; i < xh.length; i++) xh[i] = (float) (rng.nextGaussian() + Math.sin(i * 0.01));
            for (int i = 0; i < yh.length; i++) yh[i] = (float) rng.nextGaussian();
            Run cpu = new Run(new CpuBackend(), cfg, xh, yh, b);
            Run gpuRun = new Run(gpu, cfg, xh, yh, b);
            CudaTestSupport.Checks checks = new CudaTestSupport.Checks();

            double lc = cpu.step(b, 3, false), lg = gpuRun.step(b, 3, false);
            checks.check("tsm2 " + design + " step: forecast", gpuRun.pred, cpu.pred, 1e-4);
            checks.check("tsm2 " + design + " step: loss", lg, lc, 1e-5);
            double worstGrad = 0;
            String worstName = "";
            for (int i = 0; i < cpu.model.parameters().size(); i++) {
                Parameter pc = cpu.model.parameters().get(i), pg = gpuRun.model.parameters().get(i);
                double e = CudaTestSupport.relErr(gpu.toDoubles(pg.grad()), cpu.be.toDoubles(pc.grad()));
                if (!(e <= worstGrad)) { worstGrad = e; worstName = pc.name(); }
            }
            checks.checkError("tsm2 " + design + " step: worst param grad (" + worstName + ")", worstGrad, 2e-3);
            // three optimiser steps, then every weight and the loss curve
            double[] lcs = new double[3], lgs = new double[3];
            for (int s = 0; s < 3; s++) {
                lcs[s] = cpu.step(b, 10 + s, true);
                lgs[s] = gpuRun.step(b, 10 + s, true);
            }
            checks.check("tsm2 " + design + " 3 AdamW steps: losses", lgs, lcs, 1e-3);
            double worstW = 0;
            for (int i = 0; i < cpu.model.parameters().size(); i++) {
                Parameter pc = cpu.model.parameters().get(i), pg = gpuRun.model.parameters().get(i);
                worstW = Math.max(worstW, CudaTestSupport.relErr(gpu.toDoubles(pg.value()), cpu.be.toDoubles(pc.value())));
            }
            checks.checkError("tsm2 " + design + " 3 AdamW steps: worst weight", worstW, 1e-3);
            checks.assertAll();
        }
    }
}
