package dev.mambamixer.notebooks;

import dev.mambamixer.engine.data.ForecastData;
import dev.mambamixer.engine.introspect.Introspector;
import dev.mambamixer.engine.introspect.ModelCapture;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.train.TrainConfig;
import dev.mambamixer.engine.train.TrainControl;
import dev.mambamixer.engine.train.TrainResult;
import dev.mambamixer.engine.run.RunOutcome;
import dev.mambamixer.engine.run.Tsm2Run;
import dev.mambamixer.engine.train.TrainingListener;
import java.util.function.Function;

/**
 * The live training widget for TSM2: trains on the calling thread (the notebook cell's), and
 * refreshes one display at most every {@code frameMillis} with the loss curves and the current
 * gates. When the kernel interrupts the cell's thread, the trainer is asked to stop after the
 * current step (best weights restored as usual) and a final frame is shown.
 */
final class LiveTraining implements TrainingListener {
    private static final long FINAL_FRAME_WAIT_MS = 20_000;

    private final Tsm2 model;
    private final ForecastData data;
    private final TrainConfig cfg;
    private final float[] probe;          // (1, T, M): the first validation window, for the gates
    private final TrainControl control = new TrainControl();
    private final Points loss = new Points(), val = new Points();
    private final String title;
    private LiveDisplay<TrainingFrame> live;
    private ModelCapture gates;
    private int epoch = 1, step, stepsPerEpoch;
    private double lr, seconds;
    private volatile boolean interrupted;

    LiveTraining(Tsm2 model, ForecastData data, TrainConfig cfg, String title) {
        this.model = model;
        this.data = data;
        this.cfg = cfg.validate();
        this.title = title;
        this.probe = Introspector.probeInput(data.val(), 0);
    }

    TrainingRun run(Display display, long frameMillis, Function<TrainingFrame, Picture> painter) {
        gates = Introspector.capture(model, probe, 1, 0);
        live = new LiveDisplay<>(display, frameMillis, painter, painter.apply(frame("starting", false)));
        RunOutcome outcome = Tsm2Run.builder(model, data, cfg).listener(this).control(control).build().run();
        TrainResult result = outcome.training();
        Throwable failure = outcome instanceof RunOutcome.Failed f ? f.error() : null;
        String status = failure != null ? "failed: " + failure
                        : interrupted ? "interrupted: stopped after step " + step + ", best weights restored"
                        : "finished: " + result.reason();
        if (failure == null) gates = Introspector.capture(model, probe, 1, step);   // the restored (best) weights
        Picture last = live.finish(frame(status, true), FINAL_FRAME_WAIT_MS);
        if (interrupted) Thread.currentThread().interrupt();   // keep the kernel's interrupt visible to the caller
        if (failure instanceof RuntimeException re) throw re;
        if (failure instanceof Error err) throw err;
        return new TrainingRun(model, data, cfg, result, loss.xs(), loss.ys(), val.xs(), val.ys(), interrupted,
                               live.frames(), last, live.firstError());
    }

    /** The widget's control: pause, stop, hot learning rate (thread-safe). */
    TrainControl control() { return control; }

    private TrainingFrame frame(String status, boolean finished) {
        return new TrainingFrame(title, data.columns(), epoch, cfg.epochs(), step, stepsPerEpoch, lr, seconds, loss.xs(), loss.ys(),
                                 val.xs(), val.ys(), gates, status, finished);
    }

    private void checkInterrupt() {
        // Clear the flag at once: the kernel's interrupt must not reach I/O done later on this thread.
        if (Thread.interrupted()) {
            interrupted = true;
            control.requestStop();
        }
    }

    @Override public void onStep(StepEvent e) {
        checkInterrupt();
        epoch = e.epoch();
        step = e.step();
        stepsPerEpoch = e.stepsPerEpoch();
        lr = e.lr();
        seconds = e.wallSeconds();
        loss.add(e.step(), e.loss());
        if (live.due()) {
            gates = Introspector.capture(model, probe, 1, e.step());   // between steps: safe (INTROSPECTION.md)
            live.post(frame(interrupted ? "stopping" : "training", false));
        }
    }

    @Override public void onEpoch(EpochEvent e) {
        checkInterrupt();
        val.add(e.step(), e.valMse());
        seconds = e.wallSeconds();
    }
}
