package dev.mambamixer.workbench.session;

import dev.mambamixer.workbench.session.UiEvents.EvalPoint;
import dev.mambamixer.workbench.session.UiEvents.Finished;
import dev.mambamixer.workbench.session.UiEvents.RatioPoint;
import dev.mambamixer.workbench.session.UiEvents.Started;
import dev.mambamixer.workbench.session.UiEvents.Status;
import dev.mambamixer.workbench.session.UiEvents.StepPoint;
import dev.mambamixer.workbench.session.UiEvents.VisionResults;
import dev.mambamixer.workbench.session.UiEvents.VisionSnapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects training events between two UI redraws. Producers (training thread, listener thread)
 * only append under a short lock; {@link #drain()} swaps everything out at once, so a redraw
 * applies a whole batch. Steps are capped ({@code maxSteps}, oldest dropped) so a stalled UI
 * cannot grow it without bound; of the snapshots only the newest is kept (coalescing).
 */
public final class EventBuffer {
    /** Everything since the last drain, in arrival order per kind. */
    /**
     * {@code started}: a new run began (its description and backend); everything before it in this batch was
     * dropped, so the UI clears its curves first and then applies the rest. {@code state}: the
     * newest session state, or null when unchanged.
     */
    public record Batch(Started started, SessionState state, List<StepPoint> steps, List<EvalPoint> evals,
                        List<RatioPoint> ratios, Snapshot snapshot, List<Status> statuses, Finished finished,
                        long droppedSteps, VisionSnapshot vision, VisionResults visionResults) {
        public Batch(Started started, SessionState state, List<StepPoint> steps, List<EvalPoint> evals,
                     List<RatioPoint> ratios, Snapshot snapshot, List<Status> statuses, Finished finished, long droppedSteps) {
            this(started, state, steps, evals, ratios, snapshot, statuses, finished, droppedSteps, null, null);
        }

        public boolean isEmpty() {
            return started == null && state == null && steps.isEmpty() && evals.isEmpty() && ratios.isEmpty()
                   && snapshot == null && statuses.isEmpty() && finished == null && vision == null && visionResults == null;
        }
    }

    private final int maxSteps;
    private List<StepPoint> steps = new ArrayList<>();
    private List<EvalPoint> evals = new ArrayList<>();
    private List<RatioPoint> ratios = new ArrayList<>();
    private List<Status> statuses = new ArrayList<>();
    private Snapshot snapshot;
    private VisionSnapshot vision;
    private VisionResults visionResults;
    private Finished finished;
    private Started started;
    private SessionState state;
    private long dropped;

    public EventBuffer() { this(20_000); }

    public EventBuffer(int maxSteps) { this.maxSteps = maxSteps; }

    /** A new run (or null: a reset) without a known backend. */
    public synchronized void started(String description) { started(description, null); }

    /** A new run: drops whatever of the previous run is still waiting. */
    public synchronized void started(String description, String backend) {
        steps = new ArrayList<>();
        evals = new ArrayList<>();
        ratios = new ArrayList<>();
        snapshot = null;
        vision = null;
        visionResults = null;
        finished = null;
        started = description == null && backend == null ? null : new Started(description, backend);
    }

    public synchronized void state(SessionState s) { state = s; }

    public synchronized void step(StepPoint p) {
        if (steps.size() >= maxSteps) { steps.remove(0); dropped++; }
        steps.add(p);
    }

    public synchronized void eval(EvalPoint p) { evals.add(p); }

    public synchronized void ratios(RatioPoint p) { ratios.add(p); }

    public synchronized void snapshot(Snapshot s) { snapshot = s; }

    /** Of the ViM2 captures and evaluations only the newest is kept (coalescing). */
    public synchronized void vision(VisionSnapshot s) { vision = s; }

    public synchronized void visionResults(VisionResults r) { visionResults = r; }

    public synchronized void status(String text) { statuses.add(new Status(text)); }

    public synchronized void finished(Finished f) { finished = f; }

    public synchronized boolean hasPending() {
        return started != null || state != null || !steps.isEmpty() || !evals.isEmpty() || !ratios.isEmpty()
               || snapshot != null || !statuses.isEmpty() || finished != null || vision != null || visionResults != null;
    }

    /** Takes everything collected so far (an empty batch when nothing is pending). */
    public synchronized Batch drain() {
        Batch b = new Batch(started, state, steps, evals, ratios, snapshot, statuses, finished, dropped, vision, visionResults);
        vision = null;
        visionResults = null;
        started = null;
        state = null;
        steps = new ArrayList<>();
        evals = new ArrayList<>();
        ratios = new ArrayList<>();
        statuses = new ArrayList<>();
        snapshot = null;
        finished = null;
        dropped = 0;
        return b;
    }
}
