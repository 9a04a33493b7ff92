package dev.mambamixer.workbench.vm;

import dev.mambamixer.workbench.session.SessionState;
import dev.mambamixer.workbench.session.UiEvents.StepPoint;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.BooleanProperty;

/**
 * Run controls and the status bar: which buttons are enabled in which {@link SessionState}, and
 * the step / samples-per-second / ETA readouts computed from the step events.
 */
public final class RunViewModel {
    private final ObjectProperty<SessionState> state = new SimpleObjectProperty<>(this, "state", SessionState.IDLE);
    private final BooleanProperty configValid = new SimpleBooleanProperty(this, "configValid", true);
    private final BooleanProperty checkpointable = new SimpleBooleanProperty(this, "checkpointable", true);
    private final ReadOnlyBooleanWrapper canStart = new ReadOnlyBooleanWrapper(this, "canStart"),
            canPause = new ReadOnlyBooleanWrapper(this, "canPause"), canResume = new ReadOnlyBooleanWrapper(this, "canResume"),
            canStep = new ReadOnlyBooleanWrapper(this, "canStep"), canStop = new ReadOnlyBooleanWrapper(this, "canStop"),
            canReset = new ReadOnlyBooleanWrapper(this, "canReset"), canSave = new ReadOnlyBooleanWrapper(this, "canSave"),
            canLoad = new ReadOnlyBooleanWrapper(this, "canLoad");
    private final ReadOnlyStringWrapper stepText = new ReadOnlyStringWrapper(this, "stepText", "step -"),
            speedText = new ReadOnlyStringWrapper(this, "speedText", "- samples/s"),
            etaText = new ReadOnlyStringWrapper(this, "etaText", "ETA -"),
            message = new ReadOnlyStringWrapper(this, "message", "Pick a dataset and press Start."),
            backend = new ReadOnlyStringWrapper(this, "backend", "backend: -"),
            result = new ReadOnlyStringWrapper(this, "result", "");
    private final ArrayDeque<StepPoint> recent = new ArrayDeque<>();   // steps of the last few seconds
    private StepPoint last;
    private double samplesPerSecond = Double.NaN, stepsPerSecond = Double.NaN;

    /** Seconds of step history the speed is averaged over. */
    static final double SPEED_WINDOW_S = 3.0;

    public RunViewModel() {
        state.addListener((o, a, b) -> refresh());
        configValid.addListener((o, a, b) -> refresh());
        checkpointable.addListener((o, a, b) -> refresh());
        refresh();
    }

    private void refresh() {
        SessionState s = state.get();
        canStart.set(configValid.get() && (s == SessionState.IDLE || s == SessionState.FINISHED || s == SessionState.FAILED));
        canPause.set(s == SessionState.RUNNING);
        canResume.set(s == SessionState.PAUSED);
        canStep.set(s == SessionState.PAUSED);
        canStop.set(s == SessionState.RUNNING || s == SessionState.PAUSED);
        canReset.set(s == SessionState.RUNNING || s == SessionState.PAUSED || s == SessionState.FINISHED
                     || s == SessionState.FAILED);
        canSave.set(checkpointable.get() && (s == SessionState.PAUSED || s == SessionState.FINISHED));
        canLoad.set(!s.active());
        if (s == SessionState.IDLE) {
            recent.clear();
            last = null;
        }
        if (s != SessionState.RUNNING) {
            // speed and ETA are measured over running time only: a pause would read as a slow step
            recent.clear();
            etaText.set(s == SessionState.PAUSED ? "ETA - (paused)" : "ETA -");
        }
    }

    /**
     * New step events (FX thread, one batch). Steps taken one at a time while paused move the
     * step readout only: their wall time is mostly waiting for the next click.
     */
    public void onSteps(List<StepPoint> steps) {
        if (steps.isEmpty()) return;
        if (state.get() != SessionState.RUNNING) {
            last = steps.get(steps.size() - 1);
            stepText.set(stepText(last));
            return;
        }
        for (StepPoint p : steps) {
            recent.addLast(p);
            last = p;
        }
        while (recent.size() > 2 && last.wallSeconds() - recent.peekFirst().wallSeconds() > SPEED_WINDOW_S) recent.removeFirst();
        StepPoint first = recent.peekFirst();
        double dt = last.wallSeconds() - first.wallSeconds();
        if (dt > 0 && last.step() > first.step()) {
            samplesPerSecond = (last.samples() - first.samples()) / dt;
            stepsPerSecond = (last.step() - first.step()) / dt;
        }
        stepText.set(stepText(last));
        speedText.set(Double.isFinite(samplesPerSecond) ? String.format(Locale.ROOT, "%.0f samples/s", samplesPerSecond)
                                                        : "- samples/s");
        double eta = eta();
        etaText.set(Double.isFinite(eta) ? "ETA " + duration(eta) : "ETA -");
    }

    private static String stepText(StepPoint p) {
        return p.totalSteps() > 0 ? String.format(Locale.ROOT, "step %d / %d (epoch %d)", p.step(), p.totalSteps(), p.epoch())
                                  : "step " + p.step();
    }

    /** Seconds until the planned last step at the current speed (NaN when unknown). */
    public double eta() {
        if (last == null || last.totalSteps() <= 0 || !(stepsPerSecond > 0)) return Double.NaN;
        return Math.max(0, last.totalSteps() - last.step()) / stepsPerSecond;
    }

    public double samplesPerSecond() { return samplesPerSecond; }

    static String duration(double s) {
        long t = Math.round(s);
        return t >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60)
                         : String.format(Locale.ROOT, "%d:%02d", t / 60, t % 60);
    }

    public void clearProgress() {
        recent.clear();
        last = null;
        samplesPerSecond = stepsPerSecond = Double.NaN;
        stepText.set("step -");
        speedText.set("- samples/s");
        etaText.set("ETA -");
    }

    /**
     * The results card of a finished run: its outcome one clause per line ("best val MSE 0.2930
     * (step 250)", "test MSE 0.2883, MAE 0.4145"), then steps, time and speed; "" clears it.
     */
    public void setResult(String outcome) {
        if (outcome == null || outcome.isBlank()) {
            result.set("");
            return;
        }
        StringBuilder sb = new StringBuilder(String.join("\n", outcome.strip().split(";\\s*")));
        if (last != null)
            sb.append(String.format(Locale.ROOT, "\n%,d steps in %s%s", last.step(), duration(last.wallSeconds()),
                                    Double.isFinite(samplesPerSecond) ? String.format(Locale.ROOT, " (%.0f samples/s)", samplesPerSecond) : ""));
        result.set(sb.toString());
    }

    public void setMessage(String m) { message.set(m); }
    public void setBackend(String b) { backend.set(b); }

    public ObjectProperty<SessionState> stateProperty() { return state; }
    public BooleanProperty configValidProperty() { return configValid; }
    /** False for models without checkpoints (the teaching model). */
    public BooleanProperty checkpointableProperty() { return checkpointable; }
    public ReadOnlyBooleanProperty canStartProperty() { return canStart.getReadOnlyProperty(); }
    public ReadOnlyBooleanProperty canPauseProperty() { return canPause.getReadOnlyProperty(); }
    public ReadOnlyBooleanProperty canResumeProperty() { return canResume.getReadOnlyProperty(); }
    public ReadOnlyBooleanProperty canStepProperty() { return canStep.getReadOnlyProperty(); }
    public ReadOnlyBooleanProperty canStopProperty() { return canStop.getReadOnlyProperty(); }
    public ReadOnlyBooleanProperty canResetProperty() { return canReset.getReadOnlyProperty(); }
    public ReadOnlyBooleanProperty canSaveProperty() { return canSave.getReadOnlyProperty(); }
    public ReadOnlyBooleanProperty canLoadProperty() { return canLoad.getReadOnlyProperty(); }
    public ReadOnlyStringProperty stepTextProperty() { return stepText.getReadOnlyProperty(); }
    public ReadOnlyStringProperty speedTextProperty() { return speedText.getReadOnlyProperty(); }
    public ReadOnlyStringProperty etaTextProperty() { return etaText.getReadOnlyProperty(); }
    public ReadOnlyStringProperty messageProperty() { return message.getReadOnlyProperty(); }
    public ReadOnlyStringProperty backendProperty() { return backend.getReadOnlyProperty(); }
    /** The results card's text ("" while none: no run finished since the last start). */
    public ReadOnlyStringProperty resultProperty() { return result.getReadOnlyProperty(); }
}
