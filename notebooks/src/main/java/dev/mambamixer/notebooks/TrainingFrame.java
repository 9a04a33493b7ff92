package dev.mambamixer.notebooks;

import dev.mambamixer.engine.introspect.ModelCapture;

/**
 * What one frame of the live training widget shows: the loss curves so far and the gates of the
 * latest capture (null before the first one). Arrays are copies owned by the frame.
 *
 * @param stepX    optimiser step of each training loss
 * @param valX     step of each validation
 * @param variateNames the data's columns (rows of the gate map)
 * @param status   one line: "training", "finished: ...", "interrupted: ..."
 */
public record TrainingFrame(String title, java.util.List<String> variateNames, int epoch, int epochs, int step, int stepsPerEpoch, double lr,
                            double seconds, double[] stepX, double[] loss, double[] valX, double[] valMse,
                            ModelCapture gates, String status, boolean finished) {

    /** The text fallback: one status line. */
    public String summary() {
        StringBuilder sb = new StringBuilder(title).append(": ");
        sb.append(String.format(java.util.Locale.ROOT, "epoch %d/%d, step %d", epoch, epochs, step));
        if (loss.length > 0) sb.append(String.format(java.util.Locale.ROOT, ", train loss %.4f", loss[loss.length - 1]));
        if (valMse.length > 0) sb.append(String.format(java.util.Locale.ROOT, ", val MSE %.4f", valMse[valMse.length - 1]));
        sb.append(String.format(java.util.Locale.ROOT, ", %.1f s; %s", seconds, status));
        return sb.toString();
    }
}
