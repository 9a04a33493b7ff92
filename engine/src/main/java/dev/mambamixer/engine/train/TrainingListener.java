package dev.mambamixer.engine.train;

/**
 * Training events (engine -> front ends; the engine never knows who listens). Called on the
 * training thread: a UI must hand off, never block.
 */
public interface TrainingListener {
    /** After each optimiser step. */
    default void onStep(StepEvent e) {}

    /** After each held-out evaluation of a teaching task ({@code SequenceTrainer}). */
    default void onHeldOut(HeldOutEvent e) {}

    /** After each validation (every epoch end, and every evalEvery steps when set). */
    default void onEpoch(EpochEvent e) {}

    /** When validation improved and the model is the new best. */
    default void onNewBest(EpochEvent e) {}

    /**
     * Update:parameter ratios per parameter group after a step, every
     * {@link TrainControl#setUpdateRatioEvery} steps (off by default).
     */
    default void onUpdateRatios(UpdateRatioEvent e) {}

    /** Training ended (normally, early-stopped, or aborted). */
    default void onFinish(String reason) {}

    /**
     * Training ended; {@code failed} when a non-finite loss, gradient or validation MSE aborted it
     * (the weights are restored to the best ones). {@link Trainer} calls this one; the default
     * forwards to {@link #onFinish(String)}.
     */
    default void onFinish(String reason, boolean failed) { onFinish(reason); }

    /**
     * A snapshot (a capture on the fixed probe batch, see {@code introspect.SnapshotRecorder}) has
     * been written to {@code path}. Not called by {@link Trainer}; emitted by the recorder, possibly
     * from its writer thread.
     */
    default void onSnapshot(SnapshotEvent e) {}

    /**
     * The run failed with an exception thrown out of {@code Trainer.fit} (not called by
     * {@link Trainer}: a caller that catches the exception reports it here). Non-finite loss aborts
     * are reported through {@link #onFinish(String, boolean)}.
     */
    default void onFailed(String reason, Throwable error) {}

    /**
     * After optimiser step {@code step}: the training batch's loss, and for classification tasks
     * (the teaching model) its token accuracy ({@code accuracy} NaN for forecasting).
     */
    record StepEvent(int epoch, int step, int stepInEpoch, int stepsPerEpoch, double loss, double lr,
                     double gradNorm, long samples, double wallSeconds, double accuracy) {
        /** A forecasting step (no accuracy). */
        public StepEvent(int epoch, int step, int stepInEpoch, int stepsPerEpoch, double loss, double lr,
                         double gradNorm, long samples, double wallSeconds) {
            this(epoch, step, stepInEpoch, stepsPerEpoch, loss, lr, gradNorm, samples, wallSeconds, Double.NaN);
        }
    }

    /** A held-out evaluation of a teaching task after step {@code step} (token accuracy, exact-match rate). */
    record HeldOutEvent(int step, double loss, double accuracy, double exactMatch, int targets, int examples,
                        double wallSeconds) {}

    /** A validation. {@code endOfEpoch} is false for the mid-epoch ones of {@code evalEvery}. */
    record EpochEvent(int epoch, int step, double trainLoss, double valMse, double valMae, double lr,
                      double wallSeconds, boolean best, boolean endOfEpoch) {}

    /** Update:parameter ratios of every parameter group after optimiser step {@code step}. */
    record UpdateRatioEvent(int step, java.util.List<GroupRatio> groups) {
        public UpdateRatioEvent { groups = java.util.List.copyOf(groups); }
    }

    /**
     * ‖θ_after − θ_before‖₂ / ‖θ_before‖₂ over a group's parameters, as log10 (DL4J's guideline:
     * around −3; much larger means unstable, much smaller means the group barely learns).
     * Group names: see {@code UpdateRatios.group}.
     */
    record GroupRatio(String group, double paramNorm, double updateNorm, double log10Ratio) {}

    /** A snapshot taken after optimiser step {@code step}, saved in the folder {@code path}. */
    record SnapshotEvent(long step, java.nio.file.Path path) {}
}
