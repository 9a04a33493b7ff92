package dev.mambamixer.engine.train;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.model.Vim2;
import dev.mambamixer.engine.model.Vim2Config;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * ViM2 speed on random images: median wall time of an inference forward and of a whole training
 * step (forward, cross-entropy on the host, backward, AdamW) at one batch size, after warm-up.
 */
public final class VisionBenchmark {
    private VisionBenchmark() {}

    public record Result(Vim2Config config, int batch, long params, double trainImagesPerSec, double inferImagesPerSec,
                         double medianStepMs, double medianForwardMs) {}

    public static Result run(Backend be, Vim2Config cfg, int batch, int warmup, int reps) {
        Vim2 model = new Vim2(be, cfg);
        int per = cfg.height() * cfg.width() * cfg.channels(), k = cfg.classes();
        SplittableRandom rng = new SplittableRandom(1);
        float[] px = new float[batch * per];
        for (int i = 0; i < px.length; i++) px[i] = (float) rng.nextDouble();
        int[] y = new int[batch];
        for (int i = 0; i < batch; i++) y[i] = rng.nextInt(k);
        Tensor images = be.fromFloats(px, batch, cfg.height(), cfg.width(), cfg.channels());
        Tensor dLogits = be.zeros(batch, k);
        float[] grad = new float[batch * k];
        AdamW opt = AdamW.defaults(be, model.parameters(), 0.05);
        double[] step = new double[reps], fwd = new double[reps];
        for (int i = 0; i < warmup + reps; i++) {
            long t0 = System.nanoTime();
            opt.zeroGrad();
            Tensor logits = model.forward(images, batch);
            MaskedCrossEntropy.compute(be.toFloats(logits), y, k, 0.1, grad);
            be.upload(grad, dLogits);
            model.backward(dLogits);
            opt.step(1e-4, Math.min(1, 1 / Math.max(1e-12, opt.gradNorm())));
            be.toFloats(model.parameters().get(0).value());   // wait for device work
            long t1 = System.nanoTime();
            be.toFloats(model.forward(images, batch));
            long t2 = System.nanoTime();
            if (i >= warmup) {
                step[i - warmup] = (t1 - t0) / 1e6;
                fwd[i - warmup] = (t2 - t1) / 1e6;
            }
        }
        double s = Benchmark.median(step), f = Benchmark.median(fwd);
        return new Result(cfg, batch, model.parameterCount(), batch / (s / 1e3), batch / (f / 1e3), s, f);
    }
}
