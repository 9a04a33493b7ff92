package dev.mambamixer.notebooks;

import dev.mambamixer.engine.data.ForecastData;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.train.TrainConfig;
import dev.mambamixer.engine.train.TrainResult;
import java.util.Locale;

/**
 * The outcome of {@link Workbench#trainLive}: the trained model (best weights restored), the
 * curves, and the last frame the widget showed. Displays as that frame; {@link #toString()} is a
 * one-line summary.
 *
 * @param result      null only if training failed before returning
 * @param interrupted the kernel interrupted the cell and training stopped early
 * @param frames      frames shown after the first
 * @param displayError the first error while painting or displaying a frame (training goes on), or null
 */
public record TrainingRun(Tsm2 model, ForecastData data, TrainConfig config, TrainResult result,
                          double[] steps, double[] loss, double[] valSteps, double[] valMse,
                          boolean interrupted, int frames, Picture lastFrame, Throwable displayError) {

    @Override public String toString() {
        if (result == null) return "TrainingRun[failed]";
        return String.format(Locale.ROOT, "TrainingRun[%d steps, %d epochs, best val MSE %.4f at epoch %d, %.1f s, %s%s]",
                             result.steps(), result.epochsRun(), result.bestValMse(), result.bestEpoch(),
                             result.wallSeconds(), result.reason(), interrupted ? ", interrupted" : "");
    }
}
