package dev.mambamixer.engine.run;

import dev.mambamixer.engine.introspect.ModelCapture;
import dev.mambamixer.engine.train.TrainingListener;

/**
 * What a front end hears from a {@link Tsm2Run}: the trainer's events, plus each probe-batch
 * capture the run took (on the training thread, right after the step it belongs to).
 */
public interface RunListener extends TrainingListener {
    /** A capture of the probe windows after step {@code cap.step()} (also written to the run folder). */
    default void onCapture(ModelCapture cap) {}

    /** A listener that only hears the trainer's events. */
    static RunListener of(TrainingListener l) {
        if (l instanceof RunListener r) return r;
        return new RunListener() {
            @Override public void onStep(StepEvent e) { l.onStep(e); }
            @Override public void onEpoch(EpochEvent e) { l.onEpoch(e); }
            @Override public void onHeldOut(HeldOutEvent e) { l.onHeldOut(e); }
            @Override public void onNewBest(EpochEvent e) { l.onNewBest(e); }
            @Override public void onUpdateRatios(UpdateRatioEvent e) { l.onUpdateRatios(e); }
            @Override public void onFinish(String reason) { l.onFinish(reason); }
            @Override public void onFinish(String reason, boolean failed) { l.onFinish(reason, failed); }
            @Override public void onSnapshot(SnapshotEvent e) { l.onSnapshot(e); }
            @Override public void onFailed(String reason, Throwable error) { l.onFailed(reason, error); }
        };
    }
}
