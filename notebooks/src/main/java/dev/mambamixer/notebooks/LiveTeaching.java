package dev.mambamixer.notebooks;

import dev.mambamixer.engine.data.teaching.SequenceExample;
import dev.mambamixer.engine.data.teaching.TeachingTask;
import dev.mambamixer.engine.introspect.Introspector;
import dev.mambamixer.engine.introspect.SequenceCapture;
import dev.mambamixer.engine.model.SequenceModel;
import dev.mambamixer.engine.train.SequenceTrainer;
import dev.mambamixer.engine.train.TrainingListener;
import dev.mambamixer.engine.train.TeachConfig;
import dev.mambamixer.engine.train.TrainControl;
import java.util.List;
import java.util.function.Function;

/**
 * The live widget for a teaching task: trains the sequence model on the calling thread and
 * refreshes one display with loss / accuracy curves and the token mixers' selection on one
 * held-out example. Stops cleanly, with a final frame, when the cell's thread is interrupted.
 */
final class LiveTeaching implements TrainingListener {
    private static final long FINAL_FRAME_WAIT_MS = 20_000;

    private final SequenceModel model;
    private final TeachingTask task;
    private final TeachConfig cfg;
    private final String title;
    private final TrainControl control = new TrainControl();
    private final Points loss = new Points(), accuracy = new Points(), evalAccuracy = new Points();
    private List<SequenceExample> probe;
    private LiveDisplay<TeachingFrame> live;
    private SequenceCapture capture;
    private int step;
    private long t0;
    private volatile boolean interrupted;

    LiveTeaching(SequenceModel model, TeachingTask task, TeachConfig cfg, String title) {
        this.model = model;
        this.task = task;
        this.cfg = cfg.validate();
        this.title = title;
    }

    TeachingRun run(Display display, long frameMillis, Function<TeachingFrame, Picture> painter) {
        // the engine's run, without a run folder (notebooks keep their results in memory)
        dev.mambamixer.engine.run.TeachingRun engineRun =
            dev.mambamixer.engine.run.TeachingRun.builder(model, task, cfg).listener(this).control(control).build();
        SequenceTrainer trainer = engineRun.trainer();
        probe = List.of(trainer.heldOut().get(0));
        capture = Introspector.capture(model, probe, 0);
        t0 = System.nanoTime();
        live = new LiveDisplay<>(display, frameMillis, painter, painter.apply(frame("starting", false)));
        SequenceTrainer.Result result = null;
        Throwable failure = null;
        try {
            result = engineRun.run();
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        String status = failure != null ? "failed: " + failure
                        : interrupted ? "interrupted: stopped after step " + step
                        : String.format(java.util.Locale.ROOT, "finished: held-out accuracy %.3f",
                                        result.heldOut().accuracy());
        if (failure == null) capture = Introspector.capture(model, probe, step);
        Picture last = live.finish(frame(status, true), FINAL_FRAME_WAIT_MS);
        if (interrupted) Thread.currentThread().interrupt();
        if (failure instanceof RuntimeException re) throw re;
        if (failure instanceof Error err) throw err;
        return new TeachingRun(model, task, cfg, result, trainer.heldOut(), loss.xs(), loss.ys(), accuracy.ys(),
                               evalAccuracy.xs(), evalAccuracy.ys(), interrupted, live.frames(), last,
                               live.firstError());
    }

    private TeachingFrame frame(String status, boolean finished) {
        return new TeachingFrame(title, step, cfg.steps(), (System.nanoTime() - t0) * 1e-9, loss.xs(), loss.ys(),
                                 accuracy.ys(), evalAccuracy.xs(), evalAccuracy.ys(), capture, status, finished);
    }

    @Override public void onStep(StepEvent e) {
        int s = e.step();
        if (Thread.interrupted()) {   // cleared at once: see LiveTraining
            interrupted = true;
            control.requestStop();
        }
        step = s;
        loss.add(s, e.loss());
        accuracy.add(s, e.accuracy());
        if (live.due()) {
            capture = Introspector.capture(model, probe, s);   // between steps, on the training thread
            live.post(frame(interrupted ? "stopping" : "training", false));
        }
    }

    @Override public void onHeldOut(HeldOutEvent e) {
        evalAccuracy.add(e.step(), e.accuracy());
    }
}
