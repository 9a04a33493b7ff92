package dev.mambamixer.engine.train;

/**
 * Training settings for ViM2 ({@link VisionTrainer}): epochs over the training images in
 * mini-batches shuffled per (seed, epoch), AdamW with warm-up and cosine decay (MODEL.md §7.5; the paper:
 * AdamW, lr 1e-3, weight decay 0.05 in the paper), global-norm clipping, label smoothing, and a
 * random shift of up to {@code maxShift} pixels as training augmentation (never at evaluation).
 * The warm-up is {@code warmup} steps but never more than a tenth of the run's steps.
 */
public record VisionTrainConfig(int epochs, int batch, double lr, int warmup, double minLrRatio, double weightDecay,
                                double gradClip, double labelSmoothing, int maxShift, int evalBatch, long seed) {

    /** The defaults used for the MNIST preset. */
    public static VisionTrainConfig defaults(int epochs) {
        return new VisionTrainConfig(epochs, 64, 2e-3, 100, 0.02, 0.05, 1.0, 0.1, 2, 256, 7L);
    }

    public VisionTrainConfig validate() {
        StringBuilder sb = new StringBuilder();
        if (epochs <= 0) sb.append("epochs: must be positive, got ").append(epochs).append("; ");
        if (batch <= 0) sb.append("batch: must be positive, got ").append(batch).append("; ");
        if (evalBatch <= 0) sb.append("evalBatch: must be positive, got ").append(evalBatch).append("; ");
        if (!(lr > 0)) sb.append("lr: must be positive, got ").append(lr).append("; ");
        if (warmup < 0) sb.append("warmup: must be >= 0, got ").append(warmup).append("; ");
        if (!(weightDecay >= 0)) sb.append("weightDecay: must be >= 0, got ").append(weightDecay).append("; ");
        if (!(gradClip >= 0)) sb.append("gradClip: must be >= 0 (0 = off), got ").append(gradClip).append("; ");
        if (!(labelSmoothing >= 0 && labelSmoothing < 1))
            sb.append("labelSmoothing: must be in [0, 1), got ").append(labelSmoothing).append("; ");
        if (!(minLrRatio >= 0 && minLrRatio <= 1)) sb.append("minLrRatio: must be in [0, 1], got ").append(minLrRatio).append("; ");
        if (maxShift < 0) sb.append("maxShift: must be >= 0, got ").append(maxShift).append("; ");
        if (sb.length() > 0) throw new IllegalArgumentException("invalid vision training config: " + sb.substring(0, sb.length() - 2));
        return this;
    }

    public VisionTrainConfig withEpochs(int e) {
        return new VisionTrainConfig(e, batch, lr, warmup, minLrRatio, weightDecay, gradClip, labelSmoothing, maxShift, evalBatch, seed);
    }

    public VisionTrainConfig withBatch(int b) {
        return new VisionTrainConfig(epochs, b, lr, warmup, minLrRatio, weightDecay, gradClip, labelSmoothing, maxShift, evalBatch, seed);
    }

    public VisionTrainConfig withLr(double v) {
        return new VisionTrainConfig(epochs, batch, v, warmup, minLrRatio, weightDecay, gradClip, labelSmoothing, maxShift, evalBatch, seed);
    }

    public VisionTrainConfig withRegularisation(double wd, double smoothing, int shift) {
        return new VisionTrainConfig(epochs, batch, lr, warmup, minLrRatio, wd, gradClip, smoothing, shift, evalBatch, seed);
    }

    public VisionTrainConfig withSeed(long s) {
        return new VisionTrainConfig(epochs, batch, lr, warmup, minLrRatio, weightDecay, gradClip, labelSmoothing, maxShift, evalBatch, s);
    }
}
