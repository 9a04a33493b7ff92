package dev.mambamixer.workbench.vm;

import dev.mambamixer.workbench.session.Snapshot;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * Selection over time: the snapshot steps of the run on screen (live, or a run folder opened
 * later), the one the selection views show, following the newest while training unless the user
 * went back, and stepping through them ("play"). Live snapshots are kept in memory, at most
 * {@link #MAX_LIVE}: beyond that every other older one is dropped, so a long run keeps an evenly
 * thinned history and the newest. Snapshots of an opened run folder stay on disk; the owner
 * loads the chosen one.
 */
public final class SnapshotTimelineViewModel {
    /** Live snapshots kept in memory. */
    public static final int MAX_LIVE = 120;

    private final ObservableList<Long> steps = FXCollections.observableArrayList();
    private final IntegerProperty index = new SimpleIntegerProperty(this, "index", -1);
    private final BooleanProperty follow = new SimpleBooleanProperty(this, "follow", true);
    private final BooleanProperty playing = new SimpleBooleanProperty(this, "playing", false);
    private final TreeMap<Long, Snapshot> live = new TreeMap<>();
    private boolean explore;
    private Long selectedStep;   // the step shown, kept across list changes

    public SnapshotTimelineViewModel() {
        // going back in a live run stops following; coming back to the newest follows again
        index.addListener((o, a, b) -> {
            selectedStep = selected();
            if (!explore && !steps.isEmpty()) follow.set(b.intValue() == steps.size() - 1);
        });
    }

    /**
     * A live snapshot arrived (FX thread): kept, and selected when following. Returns whether it
     * is now the one to show.
     */
    public boolean addLive(Snapshot s) {
        if (explore) clear();
        live.put(s.step(), s);
        if (live.size() > MAX_LIVE) thin();
        steps.setAll(live.keySet());
        if (follow.get() || index.get() < 0) {
            index.set(steps.size() - 1);
            return true;
        }
        index.set(steps.indexOf(selectedStep));   // stays on the chosen step
        return false;
    }

    /** Drops every other snapshot but the newest, oldest first, until half remain. */
    private void thin() {
        List<Long> keys = new ArrayList<>(live.keySet());
        Long chosen = selectedStep;
        for (int i = 1; i < keys.size() - 1; i += 2)
            if (!keys.get(i).equals(chosen)) live.remove(keys.get(i));
    }

    /** An opened run folder's snapshot steps (ascending); the newest is selected. */
    public void setExplored(List<Long> runSteps) {
        live.clear();
        explore = true;
        playing.set(false);
        List<Long> sorted = new ArrayList<>(runSteps);
        Collections.sort(sorted);
        steps.setAll(sorted);
        follow.set(false);
        index.set(-1);
        if (!sorted.isEmpty()) index.set(sorted.size() - 1);
    }

    public void clear() {
        live.clear();
        explore = false;
        playing.set(false);
        selectedStep = null;
        steps.clear();
        index.set(-1);
        follow.set(true);
    }

    /** The chosen step, or null. */
    public Long selected() {
        int i = index.get();
        return i >= 0 && i < steps.size() ? steps.get(i) : null;
    }

    /** The live snapshot of {@code step} if it is kept in memory (live mode), else null. */
    public Snapshot liveSnapshot(long step) { return live.get(step); }

    /** One step forward while playing; stops at the newest (and follows again in a live run). */
    public void playTick() {
        if (!playing.get()) return;
        if (index.get() < steps.size() - 1) index.set(index.get() + 1);
        if (index.get() >= steps.size() - 1) {
            playing.set(false);
            if (!explore) follow.set(true);
        }
    }

    /** Starts playing from the first snapshot when at the newest, else from where it is. */
    public void play() {
        if (steps.size() < 2) return;
        if (index.get() >= steps.size() - 1) index.set(0);
        playing.set(true);
    }

    public boolean explore() { return explore; }
    public ObservableList<Long> steps() { return steps; }
    public IntegerProperty indexProperty() { return index; }
    public BooleanProperty followProperty() { return follow; }
    public BooleanProperty playingProperty() { return playing; }
    /** Kept live snapshots by step (tests). */
    Map<Long, Snapshot> liveSnapshots() { return Collections.unmodifiableMap(live); }
}
