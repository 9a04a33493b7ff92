package dev.mambamixer.engine.train;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Live control of a running {@link Trainer} or {@link SequenceTrainer} from another thread (a UI,
 * a notebook cell): pause, step once, stop, hot learning rate, update-ratio logging, and work run
 * on the paused training thread ({@link #runParked}: a checkpoint, a capture), where reading the
 * model is safe. Every call returns at once; the trainer checks the control between optimiser
 * steps, so a step is never cut in half. Pausing parks the trainer's own thread (no listener is
 * called while parked). Without a control, or with one nobody touches, training is bit-identical
 * to a run without it.
 */
public final class TrainControl {
    private boolean paused;
    private int stepsGranted;          // steps allowed while paused (stepOnce)
    private volatile boolean stop;
    private volatile double lr = Double.NaN;
    private volatile int updateRatioEvery;
    private boolean parked;            // the training thread waits in awaitPermit
    private long parkedAt = -1;        // optimiser steps done when it parked
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

    /** Stop before the next step until {@link #resume} or {@link #stepOnce}. */
    public synchronized void pause() {
        paused = true;
        stepsGranted = 0;
    }

    public synchronized void resume() {
        paused = false;
        stepsGranted = 0;
        notifyAll();
    }

    public synchronized boolean isPaused() { return paused; }

    /** While paused: let exactly one more optimiser step run, then stay paused. No effect when running. */
    public synchronized void stepOnce() {
        if (!paused) return;
        stepsGranted++;
        notifyAll();
    }

    /** Finish after the current step; the trainer restores the best weights as on any stop. */
    public synchronized void requestStop() {
        stop = true;
        notifyAll();
    }

    public boolean isStopRequested() { return stop; }

    /**
     * "Hot" learning rate: the new peak rate. The schedule's shape (warm-up, cosine decay) is kept
     * and scaled by lr / configured lr. NaN returns to the configured rate.
     */
    public void setLearningRate(double lr) {
        if (!Double.isNaN(lr) && !(lr > 0 && Double.isFinite(lr)))
            throw new IllegalArgumentException("learning rate must be positive and finite, got " + lr);
        this.lr = lr;
    }

    /** The overriding peak learning rate, or NaN when the configured one is used. */
    public double learningRate() { return lr; }

    /** Emit {@link TrainingListener#onUpdateRatios} every n steps (0 = never, the default). */
    public void setUpdateRatioEvery(int n) {
        if (n < 0) throw new IllegalArgumentException("update-ratio interval must be >= 0, got " + n);
        updateRatioEvery = n;
    }

    public int updateRatioEvery() { return updateRatioEvery; }

    /** lr of the schedule at this step, scaled by the override (configured peak = {@code peak}). */
    double scale(double scheduled, double peak) {
        double o = lr;
        return Double.isNaN(o) ? scheduled : scheduled * (o / peak);
    }

    /** The optimiser steps done when the paused training thread parked, or -1 when it is not parked. */
    public synchronized long parkedAt() { return parked ? parkedAt : -1; }

    /**
     * Runs {@code work} on the training thread while it is parked (paused between steps), or
     * fails at once when training is not paused. Work handed over just before the run ends runs
     * in {@link #runPending}.
     */
    public <T> CompletableFuture<T> runParked(Supplier<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        synchronized (this) {
            if (!parked && !(paused && !stop)) {
                f.completeExceptionally(new IllegalStateException("training is not paused"));
                return f;
            }
            tasks.add(() -> {
                try {
                    f.complete(work.get());
                } catch (Throwable t) {
                    f.completeExceptionally(t);
                }
            });
            notifyAll();
        }
        return f;
    }

    /** On the training thread after the run ended: runs the work still waiting (the model is idle now). */
    public void runPending() {
        while (true) {
            Runnable r;
            synchronized (this) { r = tasks.poll(); }
            if (r == null) return;
            r.run();
        }
    }

    /**
     * Called by the trainer before each step, after {@code stepsDone} steps: parks while paused,
     * running handed-over work, and consumes one granted step if paused with a grant. Returns
     * false when training should stop. An interrupt of the waiting thread counts as a stop request
     * (a notebook cell's interrupt) and keeps the interrupt flag.
     */
    boolean awaitPermit(long stepsDone) {
        while (true) {
            Runnable task;
            synchronized (this) {
                while (paused && stepsGranted == 0 && !stop && tasks.isEmpty()) {
                    parked = true;
                    parkedAt = stepsDone;
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        stop = true;
                        Thread.currentThread().interrupt();
                    }
                }
                task = tasks.poll();
                if (task == null) {
                    parked = false;
                    if (stop) return false;
                    if (paused) stepsGranted--;
                    return true;
                }
            }
            task.run();   // outside the lock: pause, resume and stop stay instant
        }
    }
}
