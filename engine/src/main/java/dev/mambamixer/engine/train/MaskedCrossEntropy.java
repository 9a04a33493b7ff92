package dev.mambamixer.engine.train;

import dev.mambamixer.engine.data.teaching.SequenceExample;

/**
 * Softmax cross-entropy over the positions that have a target (the others are
 * {@link SequenceExample#IGNORE}), averaged over those positions. Computed on the host from
 * downloaded logits: the logits of the teaching tasks are small (B·L·V values).
 */
public final class MaskedCrossEntropy {
    private MaskedCrossEntropy() {}

    /** Loss, number of positions with a target, and how many of them the argmax got right. */
    public record Result(double loss, int count, int correct) {
        public double accuracy() { return count == 0 ? Double.NaN : (double) correct / count; }
    }

    /**
     * @param logits  (rows, V) row-major
     * @param targets (rows) target ids or IGNORE
     * @param grad    (rows, V) overwritten with dLoss/dLogits (zero on ignored rows); may be null
     */
    public static Result compute(float[] logits, int[] targets, int v, float[] grad) {
        int rows = targets.length;
        if (logits.length != rows * v)
            throw new IllegalArgumentException("logits has " + logits.length + " values, expected rows*V = " + rows + "*" + v);
        int count = 0;
        for (int y : targets) if (y != SequenceExample.IGNORE) count++;
        if (grad != null) java.util.Arrays.fill(grad, 0f);
        double loss = 0;
        int correct = 0;
        for (int r = 0; r < rows; r++) {
            int y = targets[r];
            if (y == SequenceExample.IGNORE) continue;
            if (y < 0 || y >= v) throw new IllegalArgumentException("target " + y + " at row " + r + " outside [0, " + v + ")");
            int o = r * v, arg = 0;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < v; j++) if (logits[o + j] > max) { max = logits[o + j]; arg = j; }
            double sum = 0;
            for (int j = 0; j < v; j++) sum += Math.exp(logits[o + j] - max);
            double logZ = max + Math.log(sum);
            loss += logZ - logits[o + y];
            if (arg == y) correct++;
            if (grad != null) {
                // d/dlogit_j of mean CE = (softmax_j - [j == y]) / count
                for (int j = 0; j < v; j++) grad[o + j] = (float) ((Math.exp(logits[o + j] - logZ) - (j == y ? 1 : 0)) / count);
            }
        }
        return new Result(count == 0 ? 0 : loss / count, count, correct);
    }

    /** Float64 loss only (for finite-difference checks). */
    public static double loss(double[] logits, int[] targets, int v) {
        int count = 0;
        double loss = 0;
        for (int r = 0; r < targets.length; r++) {
            int y = targets[r];
            if (y == SequenceExample.IGNORE) continue;
            count++;
            int o = r * v;
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j < v; j++) max = Math.max(max, logits[o + j]);
            for (int j = 0; j < v; j++) sum += Math.exp(logits[o + j] - max);
            loss += max + Math.log(sum) - logits[o + y];
        }
        return count == 0 ? 0 : loss / count;
    }

    /** Float64 gradient (rows, V) of {@link #loss(double[], int[], int)}. */
    public static double[] gradient(double[] logits, int[] targets, int v) {
        int count = 0;
        for (int y : targets) if (y != SequenceExample.IGNORE) count++;
        double[] g = new double[logits.length];
        for (int r = 0; r < targets.length; r++) {
            int y = targets[r];
            if (y == SequenceExample.IGNORE) continue;
            int o = r * v;
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j < v; j++) max = Math.max(max, logits[o + j]);
            for (int j = 0; j < v; j++) sum += Math.exp(logits[o + j] - max);
            for (int j = 0; j < v; j++) g[o + j] = (Math.exp(logits[o + j] - max) / sum - (j == y ? 1 : 0)) / count;
        }
        return g;
    }
}
