package dev.mambamixer.workbench.session;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Pause / step-once for the training thread, entered from its step listener after every
 * optimiser step. While parked here the weights do not change, so tasks the UI hands over
 * ({@link #runParked}: save a checkpoint, take a capture) run on the training thread itself,
 * between steps, where reading the model is safe. ({@code TrainControl.pause} parks inside the
 * trainer, where no such task can run; the session still uses TrainControl for stop, hot lr and
 * update ratios.)
 */
final class StepGate {
    private boolean paused, released, parked;
    private int granted;
    private long parkedAt = -1;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

    synchronized void pause() {
        paused = true;
        granted = 0;
    }

    synchronized void resume() {
        paused = false;
        notifyAll();
    }

    /** While paused: one more step, then park again. */
    synchronized void stepOnce() {
        if (!paused) return;
        granted++;
        notifyAll();
    }

    /** Let the training thread go for good (stop, reset). */
    synchronized void release() {
        released = true;
        notifyAll();
    }

    synchronized boolean paused() { return paused; }

    /** Whether the training thread is parked right now. */
    synchronized boolean parked() { return parked; }

    /** The optimiser step after which the training thread is parked now, or -1 when it is not parked. */
    synchronized long parkedAt() { return parked ? parkedAt : -1; }

    /** Training thread, after step {@code step}: parks while paused, running handed-over tasks. */
    void atStepBoundary(long step) {
        while (true) {
            Runnable task;
            synchronized (this) {
                if (released || !paused) return;
                if (granted > 0) {
                    granted--;
                    return;
                }
                parked = true;
                parkedAt = step;
                notifyAll();
                while (tasks.isEmpty() && paused && granted == 0 && !released) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        released = true;
                        Thread.currentThread().interrupt();
                    }
                }
                parked = false;
                task = tasks.poll();
            }
            if (task != null) task.run();   // outside the lock: pause/resume stay instant
        }
    }

    /** Runs {@code work} on the parked training thread; fails at once when it is not parked. */
    <T> CompletableFuture<T> runParked(Supplier<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        synchronized (this) {
            if (!parked && !(paused && !released)) {
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

    /** Training thread, after the run ended: runs the tasks still waiting (the model is idle now). */
    void runPending() {
        while (true) {
            Runnable r;
            synchronized (this) { r = tasks.poll(); }
            if (r == null) return;
            r.run();
        }
    }
}
