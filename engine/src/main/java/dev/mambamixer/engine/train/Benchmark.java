package dev.mambamixer.engine.train;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.model.Tsm2Config;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Throughput of TSM2 training steps (forward + backward + AdamW) and inference forwards on random
 * data of a given shape. Reports medians over timed repetitions after warm-up.
 */
public final class Benchmark {
    private Benchmark() {}

    public record Result(Tsm2Config config, int batch, double trainSamplesPerSec, double inferSamplesPerSec,
                         double medianStepMs, double medianForwardMs, long params,
                         java.util.Map<String, Double> profileMsPerStep) {}

    public static Result run(Backend be, Tsm2Config cfg, int batch, int warmup, int reps) {
        return run(be, cfg, batch, warmup, reps, false);
    }

    /** With {@code profile}, also times each model section over the timed training steps. */
    public static Result run(Backend be, Tsm2Config cfg, int batch, int warmup, int reps, boolean profile) {
        return run(be, cfg, batch, warmup, reps, profile, null);
    }

    /**
     * With {@code kernels} (whose {@link dev.mambamixer.engine.backend.KernelProfile#wrap wrapped}
     * backend is {@code be}), also records every kernel call of the timed training steps.
     */
    public static Result run(Backend be, Tsm2Config cfg, int batch, int warmup, int reps, boolean profile,
                             dev.mambamixer.engine.backend.KernelProfile kernels) {
        if (kernels != null) kernels.recording(false);
        Tsm2 model = new Tsm2(be, cfg);
        dev.mambamixer.engine.nn.Profile prof = new dev.mambamixer.engine.nn.Profile();
        AdamW opt = AdamW.defaults(be, model.parameters(), 0.01);
        int t = cfg.seqLen(), h = cfg.horizon(), m = cfg.variates();
        SplittableRandom rng = new SplittableRandom(1);
        float[] xh = new float[batch * t * m], yh = new float[batch * h * m];
        for (int i = 0; i < xh.length; i++) xh[i] = (float) rng.nextGaussian();
        for (int i = 0; i < yh.length; i++) yh[i] = (float) rng.nextGaussian();
        Tensor x = be.fromFloats(xh, batch, t, m), y = be.fromFloats(yh, batch, h, m);
        Tensor diff = be.zeros(batch, h, m);
        double[] step = new double[reps], fwd = new double[reps];
        for (int r = -warmup; r < reps; r++) {
            if (profile && r == 0) {
                prof.reset();
                model.setProfile(prof);
            }
            if (kernels != null) kernels.recording(r >= 0);
            long t0 = System.nanoTime();
            Tensor pred = model.forward(x, batch, true, r);
            be.sub(pred, y, diff);
            be.scale(diff, 2.0 / diff.size());
            opt.zeroGrad();
            model.backward(diff);
            long tOpt = System.nanoTime();
            opt.step(1e-4, 1.0);
            if (profile && r >= 0) prof.add("optimizer (AdamW)", System.nanoTime() - tOpt);
            be.toFloats(model.parameters().get(0).value());   // synchronise device backends
            long t1 = System.nanoTime();
            if (kernels != null) kernels.recording(false);
            model.setProfile(null);
            Tensor p2 = model.forward(x, batch, false, 0);
            be.toFloats(p2);
            long t2 = System.nanoTime();
            if (r >= 0) {
                step[r] = (t1 - t0) / 1e6;
                fwd[r] = (t2 - t1) / 1e6;
            }
            if (profile && r >= 0) model.setProfile(prof);
        }
        java.util.Map<String, Double> perStep = new java.util.LinkedHashMap<>();
        if (profile) prof.millis().forEach((k, v) -> perStep.put(k, v / reps));
        double ms = median(step), fms = median(fwd);
        return new Result(cfg, batch, batch / (ms / 1e3), batch / (fms / 1e3), ms, fms, model.parameterCount(), perStep);
    }

    /** The median (mean of the middle two for an even count). */
    public static double median(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }
}
