package dev.mambamixer.engine.train;

import dev.mambamixer.engine.model.Tsm2Defaults;
import java.util.ArrayList;
import java.util.List;

/**
 * Training settings (MODEL.md §6.5: Adam(W), batch 32, early stopping on val MSE with patience,
 * restore-best). {@code maxStepsPerEpoch} <= 0 means full epochs. {@code evalEvery} > 0 also
 * validates every that many steps (early-stopping patience then counts validations), since
 * ETTh1-like data can overfit within an epoch; 0 validates at epoch ends only. {@code headStart}
 * chooses how the head starts ({@link HeadStart}).
 */
public record TrainConfig(int epochs, int batchSize, double lr, double weightDecay, double clipNorm,
                          String schedule, int warmupSteps, double minLrRatio, int patience, long seed,
                          int maxStepsPerEpoch, int evalBatchSize, int evalEvery, HeadStart headStart) {

    /** The head as initialised ({@link HeadStart#RANDOM}). */
    public TrainConfig(int epochs, int batchSize, double lr, double weightDecay, double clipNorm, String schedule,
                       int warmupSteps, double minLrRatio, int patience, long seed, int maxStepsPerEpoch,
                       int evalBatchSize, int evalEvery) {
        this(epochs, batchSize, lr, weightDecay, clipNorm, schedule, warmupSteps, minLrRatio, patience, seed,
             maxStepsPerEpoch, evalBatchSize, evalEvery, HeadStart.RANDOM);
    }

    /** Validation at epoch ends only. */
    public TrainConfig(int epochs, int batchSize, double lr, double weightDecay, double clipNorm, String schedule,
                       int warmupSteps, double minLrRatio, int patience, long seed, int maxStepsPerEpoch,
                       int evalBatchSize) {
        this(epochs, batchSize, lr, weightDecay, clipNorm, schedule, warmupSteps, minLrRatio, patience, seed,
             maxStepsPerEpoch, evalBatchSize, 0);
    }

    public static TrainConfig defaults() {
        return new TrainConfig(Tsm2Defaults.EPOCHS, Tsm2Defaults.BATCH, Tsm2Defaults.LR, Tsm2Defaults.WEIGHT_DECAY, Tsm2Defaults.CLIP,
                               "cosine", Tsm2Defaults.WARMUP, 0.01, Tsm2Defaults.PATIENCE, Tsm2Defaults.SEED, 0, 128);
    }

    public TrainConfig validate() {
        List<String> errs = new ArrayList<>();
        if (epochs <= 0) errs.add("epochs: must be positive, got " + epochs);
        if (batchSize <= 0) errs.add("batchSize: must be positive, got " + batchSize);
        if (evalBatchSize <= 0) errs.add("evalBatchSize: must be positive, got " + evalBatchSize);
        if (!(lr > 0)) errs.add("lr: must be positive, got " + lr);
        if (!(weightDecay >= 0)) errs.add("weightDecay: must be >= 0, got " + weightDecay);
        if (!(clipNorm >= 0)) errs.add("clipNorm: must be >= 0 (0 = off), got " + clipNorm);
        if (warmupSteps < 0) errs.add("warmupSteps: must be >= 0, got " + warmupSteps);
        if (patience <= 0) errs.add("patience: must be positive, got " + patience);
        if (!(minLrRatio >= 0 && minLrRatio <= 1)) errs.add("minLrRatio: must be in [0, 1], got " + minLrRatio);
        if (maxStepsPerEpoch < 0) errs.add("maxStepsPerEpoch: must be >= 0 (0 = full epochs), got " + maxStepsPerEpoch);
        if (evalEvery < 0) errs.add("evalEvery: must be >= 0 (0 = at epoch ends only), got " + evalEvery);
        if (headStart == null) errs.add("headStart: must be set (random or least-squares)");
        if (schedule == null || !schedule.equalsIgnoreCase("constant") && !schedule.equalsIgnoreCase("cosine"))
            errs.add("schedule: unknown value '" + schedule + "' (expected constant or cosine)");
        if (!errs.isEmpty()) throw new IllegalArgumentException("invalid training config: " + String.join("; ", errs));
        return this;
    }

    public TrainConfig withEpochs(int e) {
        return new TrainConfig(e, batchSize, lr, weightDecay, clipNorm, schedule, warmupSteps, minLrRatio, patience,
                               seed, maxStepsPerEpoch, evalBatchSize, evalEvery, headStart);
    }

    public TrainConfig withMaxStepsPerEpoch(int s) {
        return new TrainConfig(epochs, batchSize, lr, weightDecay, clipNorm, schedule, warmupSteps, minLrRatio,
                               patience, seed, s, evalBatchSize, evalEvery, headStart);
    }

    public TrainConfig withHeadStart(HeadStart hs) {
        return new TrainConfig(epochs, batchSize, lr, weightDecay, clipNorm, schedule, warmupSteps, minLrRatio,
                               patience, seed, maxStepsPerEpoch, evalBatchSize, evalEvery, hs);
    }
}
