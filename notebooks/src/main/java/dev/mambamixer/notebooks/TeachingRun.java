package dev.mambamixer.notebooks;

import dev.mambamixer.engine.data.teaching.SequenceExample;
import dev.mambamixer.engine.data.teaching.TeachingTask;
import dev.mambamixer.engine.model.SequenceModel;
import dev.mambamixer.engine.train.SequenceTrainer;
import dev.mambamixer.engine.train.TeachConfig;
import java.util.List;
import java.util.Locale;

/** The outcome of {@link Workbench#teachLive}: the trained model, its held-out set and the curves. */
public record TeachingRun(SequenceModel model, TeachingTask task, TeachConfig config, SequenceTrainer.Result result,
                          List<SequenceExample> heldOut, double[] steps, double[] loss, double[] accuracy,
                          double[] evalSteps, double[] evalAccuracy, boolean interrupted, int frames,
                          Picture lastFrame, Throwable displayError) {

    @Override public String toString() {
        if (result == null) return "TeachingRun[failed]";
        return String.format(Locale.ROOT, "TeachingRun[%s, %d steps, held-out accuracy %.3f (exact %.3f), %.1f s%s]",
                             task.name(), result.steps(), result.heldOut().accuracy(),
                             result.heldOut().sequenceAccuracy(), result.seconds(), interrupted ? ", interrupted" : "");
    }
}
