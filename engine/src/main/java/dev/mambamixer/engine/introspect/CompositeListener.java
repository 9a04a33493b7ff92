package dev.mambamixer.engine.introspect;

import dev.mambamixer.engine.train.TrainingListener;
import java.util.List;
import java.util.Objects;

/**
 * Fans every event out to several listeners, in the given order, on the calling thread (wrap slow
 * ones in {@link AsyncListener}). Put a {@link SnapshotRecorder} first so its capture sees the
 * model right after the step, before anything else runs.
 */
public final class CompositeListener implements TrainingListener {
    private final List<TrainingListener> all;

    public CompositeListener(List<? extends TrainingListener> listeners) {
        for (TrainingListener l : listeners) Objects.requireNonNull(l, "listener");
        this.all = List.copyOf(listeners);
    }

    public static CompositeListener of(TrainingListener... listeners) { return new CompositeListener(List.of(listeners)); }

    @Override public void onStep(StepEvent e) { for (TrainingListener l : all) l.onStep(e); }
    @Override public void onEpoch(EpochEvent e) { for (TrainingListener l : all) l.onEpoch(e); }
    @Override public void onNewBest(EpochEvent e) { for (TrainingListener l : all) l.onNewBest(e); }
    @Override public void onSnapshot(SnapshotEvent e) { for (TrainingListener l : all) l.onSnapshot(e); }
    @Override public void onUpdateRatios(UpdateRatioEvent e) { for (TrainingListener l : all) l.onUpdateRatios(e); }
    @Override public void onHeldOut(HeldOutEvent e) { for (TrainingListener l : all) l.onHeldOut(e); }

    @Override public void onFinish(String reason) { for (TrainingListener l : all) l.onFinish(reason); }

    @Override public void onFinish(String reason, boolean failed) { for (TrainingListener l : all) l.onFinish(reason, failed); }
    @Override public void onFailed(String reason, Throwable error) { for (TrainingListener l : all) l.onFailed(reason, error); }
}
