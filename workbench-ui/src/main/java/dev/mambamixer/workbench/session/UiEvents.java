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
                            double wallSeconds, long totalSteps, double accuracy) {
        /** A step without a batch accuracy (forecasting). */
        public StepPoint(int step, int epoch, double loss, double lr, double gradNorm, long samples, double wallSeconds,
                         long totalSteps) {
            this(step, epoch, loss, lr, gradNorm, samples, wallSeconds, totalSteps, Double.NaN);
        }
    }

    /**
     * One validation. TSM2: val MSE/MAE (standardised space). Teaching: held-out cross-entropy in
     * {@code heldOutLoss} and token accuracy; MSE/MAE are NaN.
     */
    public record EvalPoint(int step, double wallSeconds, double trainLoss, double valMse, double valMae,
                            double heldOutLoss, double accuracy, boolean best) {}

    /** Update:parameter ratios of one step, log10 per parameter group (DL4J guideline about -3). */
    public record RatioPoint(int step, List<GroupRatio> groups) {
        /** The engine's event (live, or read back from a run folder's events.jsonl). */
        public static RatioPoint of(dev.mambamixer.engine.train.TrainingListener.UpdateRatioEvent e) {
            List<GroupRatio> g = new java.util.ArrayList<>();
            for (dev.mambamixer.engine.train.TrainingListener.GroupRatio r : e.groups()) g.add(new GroupRatio(r.group(), r.log10Ratio()));
            return new RatioPoint(e.step(), g);
        }
    }

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

    /**
     * A ViM2 capture of the fixed probe images (held-out images {@code probeIndices}) after optimiser
     * step {@code capture.step()}; {@code epoch} is the number of finished epochs.
     */
    public record VisionSnapshot(int epoch, dev.mambamixer.engine.introspect.Vim2Capture capture, int[] probeIndices,
                                 int[] probeLabels, java.util.List<String> classNames) {
        public VisionSnapshot { classNames = java.util.List.copyOf(classNames); }
    }

    /** One wrongly classified held-out image: pixels (H, W, C), true and predicted class, the predicted probability. */
    public record Mistake(int index, float[] pixels, int height, int width, int channels, int trueClass, int predicted,
                          double confidence) {}

    /**
     * The held-out evaluation after {@code step} (the kept weights at the end of a run):
     * confusion matrix (rows = true class), accuracy per true class, the most confidently wrong images.
     */
    public record VisionResults(int step, int epoch, boolean fin, double accuracy, double loss, int count, int[][] confusion,
                                double[] perClassAccuracy, java.util.List<String> classNames, java.util.List<Mistake> mistakes) {
        public VisionResults {
            classNames = java.util.List.copyOf(classNames);
            mistakes = java.util.List.copyOf(mistakes);
        }
    }

    /** Training ended; {@code error} is set when it ended with an exception. */
    public record Finished(String reason, boolean failed, Throwable error) {}
}
