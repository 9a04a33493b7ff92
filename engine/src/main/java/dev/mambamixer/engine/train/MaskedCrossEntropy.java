package dev.mambamixer.engine.train;

import dev.mambamixer.engine.data.teaching.SequenceExample;

/**
 * Softmax cross-entropy over the rows that have a target (the others are
 * {@link SequenceExample#IGNORE}), averaged over those rows, with optional label smoothing ε: the
 * target distribution is q = (1-ε)·onehot(y) + ε/V, so loss = logZ - Σ_j q_j·logit_j and
 * dLoss/dlogit_j = (softmax_j - q_j)/count. Computed on the host from downloaded logits: the teaching
 * tasks' and ViM2's logits are small (rows·V values).
 */
public final class MaskedCrossEntropy {
    private MaskedCrossEntropy() {}

    /** Loss, number of rows with a target, and how many of them the argmax got right. */
    public record Result(double loss, int count, int correct) {
        public double accuracy() { return count == 0 ? Double.NaN : (double) correct / count; }
    }

    /** Without label smoothing. */
    public static Result compute(float[] logits, int[] targets, int v, float[] grad) {
        return compute(logits, targets, v, 0, grad);
    }

    /**
     * @param logits    (rows, V) row-major
     * @param targets   (rows) target ids or IGNORE
     * @param smoothing label smoothing ε in [0, 1)
     * @param grad      (rows, V) overwritten with dLoss/dLogits (zero on ignored rows); may be null
     */
    public static Result compute(float[] logits, int[] targets, int v, double smoothing, float[] grad) {
        int rows = targets.length;
        if (logits.length != rows * v)
            throw new IllegalArgumentException("logits has " + logits.length + " values, expected rows*V = " + rows + "*" + v);
        if (!(smoothing >= 0 && smoothing < 1)) throw new IllegalArgumentException("label smoothing must be in [0, 1), got " + smoothing);
        int count = 0;
        for (int y : targets) if (y != SequenceExample.IGNORE) count++;
        if (grad != null) java.util.Arrays.fill(grad, 0f);
        double loss = 0;
        int correct = 0;
        double off = smoothing / v, on = 1 - smoothing + off;
        for (int r = 0; r < rows; r++) {
            int y = targets[r];
            if (y == SequenceExample.IGNORE) continue;
            if (y < 0 || y >= v) throw new IllegalArgumentException("target " + y + " at row " + r + " outside [0, " + v + ")");
            int o = r * v, arg = 0;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < v; j++) if (logits[o + j] > max) { max = logits[o + j]; arg = j; }
            double sum = 0, mean = 0;
            for (int j = 0; j < v; j++) {
                sum += Math.exp(logits[o + j] - max);
                mean += logits[o + j];
            }
            double logZ = max + Math.log(sum);
            loss += logZ - (1 - smoothing) * logits[o + y] - smoothing * mean / v;
            if (arg == y) correct++;
            if (grad != null) {
                for (int j = 0; j < v; j++)
                    grad[o + j] = (float) ((Math.exp(logits[o + j] - logZ) - (j == y ? on : off)) / count);
            }
        }
        return new Result(count == 0 ? 0 : loss / count, count, correct);
    }

    /** Float64 loss only (for finite-difference checks). */
    public static double loss(double[] logits, int[] targets, int v) { return loss(logits, targets, v, 0); }

    public static double loss(double[] logits, int[] targets, int v, double smoothing) {
        int count = 0;
        double loss = 0;
        for (int r = 0; r < targets.length; r++) {
            int y = targets[r];
            if (y == SequenceExample.IGNORE) continue;
            count++;
            int o = r * v;
            double max = Double.NEGATIVE_INFINITY, sum = 0, mean = 0;
            for (int j = 0; j < v; j++) max = Math.max(max, logits[o + j]);
            for (int j = 0; j < v; j++) {
                sum += Math.exp(logits[o + j] - max);
                mean += logits[o + j] / v;
            }
            loss += max + Math.log(sum) - (1 - smoothing) * logits[o + y] - smoothing * mean;
        }
        return count == 0 ? 0 : loss / count;
    }

    /** Float64 gradient (rows, V) of {@link #loss(double[], int[], int)}. */
    public static double[] gradient(double[] logits, int[] targets, int v) { return gradient(logits, targets, v, 0); }

    public static double[] gradient(double[] logits, int[] targets, int v, double smoothing) {
        int count = 0;
        for (int y : targets) if (y != SequenceExample.IGNORE) count++;
        double[] g = new double[logits.length];
        double off = smoothing / v, on = 1 - smoothing + off;
        for (int r = 0; r < targets.length; r++) {
            int y = targets[r];
            if (y == SequenceExample.IGNORE) continue;
            int o = r * v;
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j < v; j++) max = Math.max(max, logits[o + j]);
            for (int j = 0; j < v; j++) sum += Math.exp(logits[o + j] - max);
            for (int j = 0; j < v; j++) g[o + j] = (Math.exp(logits[o + j] - max) / sum - (j == y ? on : off)) / count;
        }
        return g;
    }
}
