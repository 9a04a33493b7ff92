package dev.mambamixer.engine.train;

/** How a fit ended. {@code aborted} is true when a non-finite loss or gradient stopped it. */
public record TrainResult(int epochsRun, int steps, int bestEpoch, double bestValMse, boolean earlyStopped,
                          boolean aborted, String reason, double wallSeconds) {}
