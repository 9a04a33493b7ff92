package dev.mambamixer.notebooks;

import java.util.Objects;
import java.util.function.Function;

/**
 * One notebook output refreshed in place: the training thread {@link #post}s a state (cheap: a
 * copy of arrays), a daemon thread paints it and calls {@code updateDisplay}. Frames are
 * throttled to one per {@code frameMillis}; a state posted while the painter is busy replaces the
 * one still waiting, so a slow painter never slows training. Painting and the kernel's display
 * I/O happen off the training thread, which the kernel interrupts on "interrupt kernel" (an
 * interrupted thread would break the kernel's sockets if it did I/O itself).
 *
 * @param <S> the state a frame is painted from
 */
final class LiveDisplay<S> {
    private final Display display;
    private final Function<S, Picture> painter;
    private final long frameNanos;
    private final String id;
    private final Thread thread;
    private final Object lock = new Object();
    private S pending;
    private boolean closing;
    private long lastPostNanos;
    private int frames;
    private Picture last;
    private Throwable firstError;

    /** Shows {@code first} now (on the caller's thread) and starts the painter thread. */
    LiveDisplay(Display display, long frameMillis, Function<S, Picture> painter, Picture first) {
        this.display = Objects.requireNonNull(display, "display");
        this.painter = Objects.requireNonNull(painter, "painter");
        if (frameMillis < 0) throw new IllegalArgumentException("frameMillis must be >= 0, got " + frameMillis);
        this.frameNanos = frameMillis * 1_000_000L;
        this.last = first;
        this.id = display.show(first);
        this.lastPostNanos = System.nanoTime();
        this.thread = new Thread(this::loop, "notebook-live-display");
        thread.setDaemon(true);
        thread.start();
    }

    /** Whether a frame is due (at most one per frameMillis); cheap, call it every step. */
    boolean due() {
        return System.nanoTime() - lastPostNanos >= frameNanos;
    }

    /** Hands a state to the painter; replaces a state still waiting. */
    void post(S state) {
        synchronized (lock) {
            if (closing) return;
            pending = state;
            lastPostNanos = System.nanoTime();
            lock.notifyAll();
        }
    }

    /**
     * Paints {@code state} as the final frame, waits (at most {@code waitMillis}) until it is shown
     * and stops the painter. Returns the final picture (painted on the caller's thread if the
     * painter did not finish in time).
     */
    Picture finish(S state, long waitMillis) {
        synchronized (lock) {
            pending = null;
            closing = true;
            lock.notifyAll();
        }
        try {
            thread.join(waitMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Picture fin = paintSafely(state);
        try {
            display.update(id, fin);
        } catch (RuntimeException e) {
            if (firstError == null) firstError = e;
        }
        synchronized (lock) {
            frames++;
            last = fin;
        }
        return fin;
    }

    private void loop() {
        while (true) {
            S s;
            synchronized (lock) {
                while (pending == null && !closing) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closing) return;
                s = pending;
                pending = null;
            }
            Picture p = paintSafely(s);
            try {
                display.update(id, p);
            } catch (RuntimeException e) {
                if (firstError == null) firstError = e;
            }
            synchronized (lock) {
                frames++;
                last = p;
            }
        }
    }

    private Picture paintSafely(S s) {
        try {
            return painter.apply(s);
        } catch (RuntimeException e) {
            if (firstError == null) firstError = e;
            return Pictures.message(720, 120, "could not paint the frame: " + e);
        }
    }

    String id() { return id; }

    /** Frames shown after the first one (including the final one). */
    int frames() {
        synchronized (lock) { return frames; }
    }

    Picture last() {
        synchronized (lock) { return last; }
    }

    /** The first painter or display error (painting goes on after one), or null. */
    Throwable firstError() { return firstError; }
}
