package dev.mambamixer.engine.introspect;

import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.train.TrainingListener;
import java.util.ArrayList;
import java.util.List;

/**
 * The weighted-averaging coefficients (MODEL.md §5.3) over training: a list of (step,
 * {@link AveragingMatrix}) snapshots, all for the same stack. Feed it with {@link #record} (or
 * use {@link #listener} as a {@link TrainingListener}); reading the coefficients downloads a few
 * scalars and changes no training state. Saved and loaded by {@link CaptureFiles}.
 */
public final class AveragingHistory {
    private final List<Long> steps = new ArrayList<>();
    private final List<AveragingMatrix> snapshots = new ArrayList<>();

    /** Appends a snapshot; steps must not decrease and the stack layout must not change. */
    public synchronized void record(long step, AveragingMatrix m) {
        if (!snapshots.isEmpty()) {
            AveragingMatrix first = snapshots.get(0);
            if (!first.targets().equals(m.targets()) || !first.mode().equals(m.mode()))
                throw new IllegalArgumentException("averaging snapshot of another stack: " + m.targets() + " vs "
                                                   + first.targets());
            if (step < steps.get(steps.size() - 1))
                throw new IllegalArgumentException("step " + step + " recorded after step " + steps.get(steps.size() - 1));
        }
        steps.add(step);
        snapshots.add(m);
    }

    /** Snapshots the model's current coefficients. */
    public void record(long step, Tsm2 model) { record(step, Introspector.averaging(model)); }

    /** A listener that records after every {@code every}-th optimiser step (every, 2·every, ...). */
    public TrainingListener listener(Tsm2 model, int every) {
        if (every <= 0) throw new IllegalArgumentException("every must be positive, got " + every);
        return new TrainingListener() {
            @Override public void onStep(StepEvent e) { if (e.step() % every == 0) record(e.step(), model); }
        };
    }

    public synchronized int size() { return steps.size(); }
    public synchronized long step(int i) { return steps.get(i); }
    public synchronized AveragingMatrix get(int i) { return snapshots.get(i); }
    public synchronized List<Long> steps() { return List.copyOf(steps); }
    public synchronized List<AveragingMatrix> snapshots() { return List.copyOf(snapshots); }

    /** One coefficient over the recorded steps (NaN if that pair is not connected). */
    public synchronized float[] series(int target, int source) {
        float[] v = new float[snapshots.size()];
        for (int i = 0; i < v.length; i++) v[i] = snapshots.get(i).weight(target, source);
        return v;
    }

    @Override public synchronized boolean equals(Object o) {
        return o instanceof AveragingHistory x && steps.equals(x.steps()) && snapshots.equals(x.snapshots());
    }

    @Override public synchronized int hashCode() { return steps.hashCode(); }
}
