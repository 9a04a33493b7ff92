package dev.mambamixer.notebooks;

import dev.mambamixer.engine.introspect.SequenceCapture;
import java.util.Locale;

/**
 * One frame of the live teaching widget: training loss and accuracy per step, held-out accuracy
 * per evaluation, and the latest capture of the token mixers on one held-out example (null before
 * the first).
 */
public record TeachingFrame(String title, int step, int steps, double seconds, double[] stepX, double[] loss,
                            double[] accuracy, double[] evalX, double[] evalAccuracy, SequenceCapture capture,
                            String status, boolean finished) {

    public String summary() {
        StringBuilder sb = new StringBuilder(title).append(": ");
        sb.append(String.format(Locale.ROOT, "step %d/%d", step, steps));
        if (loss.length > 0) sb.append(String.format(Locale.ROOT, ", loss %.4f", loss[loss.length - 1]));
        if (evalAccuracy.length > 0)
            sb.append(String.format(Locale.ROOT, ", held-out accuracy %.3f", evalAccuracy[evalAccuracy.length - 1]));
        sb.append(String.format(Locale.ROOT, ", %.1f s; %s", seconds, status));
        return sb.toString();
    }
}
