package dev.mambamixer.workbench.session;

import java.util.List;

/**
 * What the training side hands to the UI: plain records, produced off the FX thread, batched by
 * {@link EventBuffer} and applied on the FX thread by {@link FxThrottle}.
 */
public final class UiEvents {
    private UiEvents() {}

    /** One optimiser step. {@code totalSteps} is the planned number of steps (for ETA), 0 when unknown. */
    public record StepPoint(int step, int epoch, double loss, double lr, double gradNorm, long samples,
                            double wallSeconds, long totalSteps) {}

    /**
     * One validation. TSM2: val MSE/MAE (standardised space). Teaching: held-out cross-entropy in
     * {@code heldOutLoss} and token accuracy; MSE/MAE are NaN.
     */
    public record EvalPoint(int step, double wallSeconds, double trainLoss, double valMse, double valMae,
                            double heldOutLoss, double accuracy, boolean best) {}

    /** Update:parameter ratios of one step, log10 per parameter group (DL4J guideline about -3). */
    public record RatioPoint(int step, List<GroupRatio> groups) {}

    public record GroupRatio(String group, double log10Ratio) {}

    /** A line for the status bar (model size, backend, data summary, ...). */
    public record Status(String text) {}

    /**
     * A new run began: what it trains ({@code description}) and on which backend ({@code backend},
     * null when not known, e.g. a loaded checkpoint).
     */
    public record Started(String description, String backend) {
        /** The line for the log: the description, then the backend when known. */
        public String text() { return backend == null ? description : description + "; " + backend; }
    }

    /** Training ended; {@code error} is set when it ended with an exception. */
    public record Finished(String reason, boolean failed, Throwable error) {}
}
