package dev.mambamixer.engine.train;

/**
 * Training settings for a teaching task ({@link SequenceTrainer}). Batches are drawn fresh every
 * step from a stream seeded with {@code seed}; the held-out set comes from a different stream.
 * {@code evalEvery} > 0 evaluates the held-out set every that many steps, and training stops
 * early once its token accuracy reaches {@code stopAccuracy} (> 1 never stops early).
 */
public record TeachConfig(int steps, int batch, double lr, int warmup, double minLrRatio, double weightDecay,
                          double gradClip, long seed, int evalExamples, int evalEvery, double stopAccuracy) {

    public static TeachConfig defaults(int steps) {
        return new TeachConfig(steps, 32, 3e-3, Math.min(100, steps / 10), 0.05, 0.01, 1.0, 7L, 512, 200, 2.0);
    }

    public TeachConfig validate() {
        StringBuilder sb = new StringBuilder();
        if (steps <= 0) sb.append("steps: must be positive, got ").append(steps).append("; ");
        if (batch <= 0) sb.append("batch: must be positive, got ").append(batch).append("; ");
        if (!(lr > 0)) sb.append("lr: must be positive, got ").append(lr).append("; ");
        if (warmup < 0) sb.append("warmup: must be >= 0, got ").append(warmup).append("; ");
        if (evalExamples <= 0) sb.append("evalExamples: must be positive, got ").append(evalExamples).append("; ");
        if (!(weightDecay >= 0)) sb.append("weightDecay: must be >= 0, got ").append(weightDecay).append("; ");
        if (!(minLrRatio >= 0 && minLrRatio <= 1)) sb.append("minLrRatio: must be in [0, 1], got ").append(minLrRatio).append("; ");
        if (evalEvery < 0) sb.append("evalEvery: must be >= 0, got ").append(evalEvery).append("; ");
        if (Double.isNaN(stopAccuracy)) sb.append("stopAccuracy: must be a number, got NaN; ");
        if (!(gradClip >= 0)) sb.append("gradClip: must be >= 0 (0 = off), got ").append(gradClip).append("; ");
        if (sb.length() > 0) throw new IllegalArgumentException("invalid teaching config: " + sb.substring(0, sb.length() - 2));
        return this;
    }

    /** Seed of the held-out stream: disjoint from the training stream's seed. */
    public long heldOutSeed() { return seed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L; }

    public LrSchedule schedule() { return new LrSchedule("cosine", lr, warmup, steps, minLrRatio); }
}
