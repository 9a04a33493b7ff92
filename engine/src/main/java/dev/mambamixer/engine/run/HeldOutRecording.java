package dev.mambamixer.engine.run;

import dev.mambamixer.engine.introspect.EventLog;
import dev.mambamixer.engine.io.RunFolder;
import dev.mambamixer.engine.train.TrainingListener;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * What a run with held-out evaluations (teaching tasks, ViM2) writes while it trains, wired once:
 * every event into the folder's events.jsonl first, then to the front end; checkpoint {@code best}
 * when the held-out accuracy improves and {@code last} at every evaluation. {@link #run} opens the
 * event log for the run, logs a failure, and closes log and folder afterwards. Without a folder it
 * only forwards.
 */
final class HeldOutRecording implements TrainingListener {
    /** Writes the run's checkpoint {@code which} ("best" or "last"). */
    interface Checkpoints { void save(String which) throws IOException; }

    /** The training itself, run between opening and closing the event log. */
    interface Training<R> { R run() throws IOException; }

    private final RunFolder folder;
    private final TrainingListener frontEnd;
    private final Checkpoints checkpoints;
    private double bestAccuracy = Double.NEGATIVE_INFINITY;
    private EventLog log;   // with a folder, while running

    HeldOutRecording(RunFolder folder, TrainingListener frontEnd, Checkpoints checkpoints) {
        this.folder = folder;
        this.frontEnd = frontEnd;
        this.checkpoints = checkpoints;
    }

    /** Best held-out accuracy seen (or resumed); what {@code best} holds. */
    double bestAccuracy() { return bestAccuracy; }

    /** A resumed run's best accuracy so far. */
    void resumeBest(double accuracy) { bestAccuracy = accuracy; }

    <R> R run(Training<R> training) {
        try {
            log = folder == null ? null : new EventLog(folder.dir());
            return training.run();
        } catch (IOException e) {
            throw new UncheckedIOException("writing the run folder " + folder.dir() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (log != null) log.onFailed(e.getMessage(), e);
            throw e;
        } finally {
            if (log != null) log.close();
            if (folder != null) {
                try { folder.close(); } catch (IOException ignored) { /* all was flushed */ }
            }
        }
    }

    /** Writes checkpoint {@code last} now (with a folder), after the events so far are on disk. */
    void saveLast() throws IOException {
        if (folder == null) return;
        log.sync();
        checkpoints.save("last");
    }

    /** A reopened run folder continues from {@code step}: what an earlier attempt wrote after it goes. */
    void continueAfter(long step) { if (folder != null) Tsm2Run.cutHistory(folder, step); }

    /** The run's final line in events.jsonl. */
    void finished(String reason, boolean failed) { if (log != null) log.onFinish(reason, failed); }

    @Override public void onStep(StepEvent e) {
        if (log != null) log.onStep(e);
        frontEnd.onStep(e);
    }

    @Override public void onHeldOut(HeldOutEvent e) {
        if (log != null) log.onHeldOut(e);
        if (folder != null) {
            log.sync();   // history first, then checkpoints (RunFolder rules)
            try {
                if (e.accuracy() > bestAccuracy) {
                    bestAccuracy = e.accuracy();
                    checkpoints.save("best");
                }
                checkpoints.save("last");
            } catch (IOException ex) {
                throw new UncheckedIOException("writing a checkpoint in " + folder.dir(), ex);
            }
        }
        frontEnd.onHeldOut(e);
    }

    @Override public void onUpdateRatios(UpdateRatioEvent e) {
        if (log != null) log.onUpdateRatios(e);
        frontEnd.onUpdateRatios(e);
    }

    @Override public void onFinish(String reason, boolean failed) { frontEnd.onFinish(reason, failed); }
}
