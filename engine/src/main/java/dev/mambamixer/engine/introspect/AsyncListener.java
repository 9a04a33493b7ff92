package dev.mambamixer.engine.introspect;

import dev.mambamixer.engine.train.TrainingListener;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs a {@link TrainingListener} on its own daemon thread, so a slow listener (a UI, a file
 * writer) cannot stall training: the training thread only appends to a queue under a short lock.
 * <p>
 * Step events are lossy: at most {@code maxPendingSteps} wait in the queue; when another arrives
 * the oldest waiting step event is dropped (counted in {@link #droppedSteps()}), so the consumer
 * always sees the latest step. Validation, new-best, snapshot, failure and finish events are never
 * dropped (there are few of them: one per validation/snapshot), and the queue keeps the order in
 * which events were produced. {@link #close()} delivers everything still queued and stops the
 * thread. An exception thrown by the wrapped listener is counted and does not stop delivery.
 */
public final class AsyncListener implements TrainingListener, AutoCloseable {
    private final TrainingListener delegate;
    private final int maxPendingSteps;
    private final ArrayDeque<Object> queue = new ArrayDeque<>();   // guarded by this
    private int pendingSteps;                                      // StepEvents in queue, guarded by this
    private boolean closed;                                        // guarded by this
    private final AtomicLong dropped = new AtomicLong(), delivered = new AtomicLong(), errors = new AtomicLong();
    private volatile Throwable firstError;
    private final Thread worker;

    // Queue entries that are not already event records.
    private record NewBest(EpochEvent e) {}
    private record Finish(String reason, boolean failed) {}
    private record Failed(String reason, Throwable error) {}

    /** Wraps with up to 16 waiting step events. */
    public AsyncListener(TrainingListener delegate) { this(delegate, 16); }

    public AsyncListener(TrainingListener delegate, int maxPendingSteps) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        if (maxPendingSteps <= 0) throw new IllegalArgumentException("maxPendingSteps must be positive, got " + maxPendingSteps);
        this.maxPendingSteps = maxPendingSteps;
        worker = new Thread(this::loop, "training-listener-" + delegate.getClass().getSimpleName());
        worker.setDaemon(true);   // never keeps the JVM alive
        worker.start();
    }

    @Override public void onStep(StepEvent e) {
        synchronized (this) {
            if (closed) return;
            if (pendingSteps >= maxPendingSteps) {
                // coalesce: drop the oldest waiting step event, keep the newest
                for (Iterator<Object> it = queue.iterator(); it.hasNext(); )
                    if (it.next() instanceof StepEvent) { it.remove(); pendingSteps--; dropped.incrementAndGet(); break; }
            }
            queue.addLast(e);
            pendingSteps++;
            notifyAll();
        }
    }

    @Override public void onEpoch(EpochEvent e) { enqueue(e); }
    @Override public void onHeldOut(HeldOutEvent e) { enqueue(e); }
    @Override public void onNewBest(EpochEvent e) { enqueue(new NewBest(e)); }
    @Override public void onSnapshot(SnapshotEvent e) { enqueue(e); }
    @Override public void onUpdateRatios(UpdateRatioEvent e) { enqueue(e); }
    @Override public void onFinish(String reason) { onFinish(reason, false); }

    @Override public void onFinish(String reason, boolean failed) { enqueue(new Finish(reason, failed)); }
    @Override public void onFailed(String reason, Throwable error) { enqueue(new Failed(reason, error)); }

    private synchronized void enqueue(Object o) {
        if (closed) throw new IllegalStateException("AsyncListener is closed; event " + o + " not delivered");
        queue.addLast(o);
        notifyAll();
    }

    private void loop() {
        while (true) {
            Object ev;
            synchronized (this) {
                while (queue.isEmpty() && !closed) {
                    try { wait(); } catch (InterruptedException ie) { return; }
                }
                if (queue.isEmpty()) { notifyAll(); return; }   // closed and drained
                ev = queue.pollFirst();
                if (ev instanceof StepEvent) pendingSteps--;
            }
            try {
                deliver(ev);
                delivered.incrementAndGet();
            } catch (Throwable t) {   // a broken listener must not kill delivery of later events
                if (firstError == null) firstError = t;
                errors.incrementAndGet();
            }
            synchronized (this) { if (queue.isEmpty()) notifyAll(); }   // wakes awaitIdle
        }
    }

    private void deliver(Object ev) {
        if (ev instanceof StepEvent s) delegate.onStep(s);
        else if (ev instanceof EpochEvent e) delegate.onEpoch(e);
        else if (ev instanceof HeldOutEvent h) delegate.onHeldOut(h);
        else if (ev instanceof NewBest b) delegate.onNewBest(b.e());
        else if (ev instanceof SnapshotEvent s) delegate.onSnapshot(s);
        else if (ev instanceof UpdateRatioEvent u) delegate.onUpdateRatios(u);
        else if (ev instanceof Finish f) delegate.onFinish(f.reason(), f.failed());
        else if (ev instanceof Failed f) delegate.onFailed(f.reason(), f.error());
        else throw new IllegalStateException("unknown queued event " + ev);
    }

    /**
     * Waits until the queue is empty (the last taken event may still be in delivery); returns
     * false on timeout. Training may continue meanwhile.
     */
    public boolean awaitIdle(long timeout, TimeUnit unit) throws InterruptedException {
        long end = System.nanoTime() + unit.toNanos(timeout);
        synchronized (this) {
            while (!queue.isEmpty()) {
                long left = end - System.nanoTime();
                if (left <= 0) return false;
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
        return true;
    }

    /** Delivers every queued event, then stops the thread. Later events are ignored (steps) or rejected. */
    @Override public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
            notifyAll();
        }
        try {
            worker.join();
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
    }

    /** Step events dropped because the consumer was behind. */
    public long droppedSteps() { return dropped.get(); }
    /** Events handed to the wrapped listener (including ones that threw). */
    public long delivered() { return delivered.get() + errors.get(); }
    /** Events whose delivery threw. */
    public long errors() { return errors.get(); }
    /** The first exception the wrapped listener threw, or null. */
    public Throwable firstError() { return firstError; }
}
