package dev.mambamixer.engine.train;

/**
 * Live control of a running {@link Trainer} or {@link SequenceTrainer} from another thread (a UI,
 * a notebook cell). Every call returns at once; the trainer checks the control between optimiser
 * steps, so a step is never cut in half. Pausing blocks the trainer's own thread (no listener is
 * called while paused). Without a control, or with one nobody touches, training is bit-identical
 * to a run without it.
 */
public final class TrainControl {
    private boolean paused;
    private int stepsGranted;          // steps allowed while paused (stepOnce)
    private volatile boolean stop;
    private volatile double lr = Double.NaN;
    private volatile int updateRatioEvery;

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

    /**
     * Called by the trainer before each step: blocks while paused, consumes one granted step if
     * paused with a grant. Returns false when training should stop. An interrupt of the waiting
     * thread counts as a stop request (a notebook cell's interrupt) and keeps the interrupt flag.
     */
    synchronized boolean awaitPermit() {
        while (paused && stepsGranted == 0 && !stop) {
            try {
                wait();
            } catch (InterruptedException e) {
                stop = true;
                Thread.currentThread().interrupt();
            }
        }
        if (stop) return false;
        if (paused) stepsGranted--;
        return true;
    }
}
