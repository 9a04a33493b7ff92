package dev.mambamixer.engine.train;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.data.ForecastData;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.model.Tsm2Config;
import java.util.function.Supplier;

/**
 * Wall time of real training epochs ({@link Trainer#fit} over a whole training split, validation at
 * epoch ends), for the GPU goal "an ETTh1 epoch in about a second". The first epoch includes
 * warm-up (buffer sizing, graph recording); later epochs are the steady state. Each epoch's time
 * counts its training steps only, from the end of the previous validation to the last step's
 * results; validation is timed separately.
 */
public final class EpochBenchmark {
    private EpochBenchmark() {}

    /**
     * @param epochSeconds      training-step wall time per epoch (index 0 = first epoch)
     * @param validationSeconds validation wall time after each epoch
     * @param profile           what {@code profile} returned over the second epoch's steps ("" if none)
     */
    public record Result(String stepMode, int stepsPerEpoch, int windowsPerEpoch, double[] epochSeconds,
                         double[] validationSeconds, String profile) {}

    /**
     * @param resetProfile called when the second epoch's steps start
     * @param profile      called when they end (e.g. the CUDA per-kernel table)
     */
    public static Result run(Backend be, Tsm2Config model, ForecastData data, int batch, int epochs, StepDriver driver,
                             Runnable resetProfile, Supplier<String> profile) {
        Tsm2 tsm2 = new Tsm2(be, model);
        TrainConfig tc = new TrainConfig(epochs, batch, 1e-3, 0.01, 1.0, "cosine", 100, 0.01, epochs + 1, 42L, 0, 128);
        int steps = data.train().size() / batch;
        double[] epochS = new double[epochs], valS = new double[epochs];
        String[] prof = {""};
        long t0 = System.nanoTime();
        long[] epochStart = {t0}, lastStep = {t0};
        TrainingListener l = new TrainingListener() {
            @Override public void onStep(StepEvent e) {
                if (e.stepInEpoch() != e.stepsPerEpoch()) return;
                long now = System.nanoTime();
                lastStep[0] = now;
                epochS[e.epoch() - 1] = (now - epochStart[0]) / 1e9;
                if (e.epoch() == 2) prof[0] = profile.get();
            }

            @Override public void onEpoch(EpochEvent e) {
                if (!e.endOfEpoch()) return;
                long now = System.nanoTime();
                valS[e.epoch() - 1] = (now - lastStep[0]) / 1e9;
                epochStart[0] = now;
                if (e.epoch() == 1) resetProfile.run();
            }
        };
        Trainer tr = new Trainer(tsm2, tc, l).driver(driver);
        tr.fit(data.train(), data.val());
        return new Result(tr.stepMode(), steps, steps * batch, epochS, valS, prof[0]);
    }
}
