package dev.mambamixer.engine.train;

/**
 * Training events (engine -> front ends; the engine never knows who listens). Called on the
 * training thread: a UI must hand off, never block.
 */
public interface TrainingListener {
    /** After each optimiser step. */
    default void onStep(StepEvent e) {}

    /** After each validation (every epoch end, and every evalEvery steps when set). */
    default void onEpoch(EpochEvent e) {}

    /** When validation improved and the model is the new best. */
    default void onNewBest(EpochEvent e) {}

    /** Training ended (normally, early-stopped, or aborted). */
    default void onFinish(String reason) {}

    record StepEvent(int epoch, int step, int stepInEpoch, int stepsPerEpoch, double loss, double lr,
                     double gradNorm, long samples, double wallSeconds) {}

    /** A validation. {@code endOfEpoch} is false for the mid-epoch ones of {@code evalEvery}. */
    record EpochEvent(int epoch, int step, double trainLoss, double valMse, double valMae, double lr,
                      double wallSeconds, boolean best, boolean endOfEpoch) {}
}
