package dev.mambamixer.workbench.session;

import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Hands batches of training events to the UI at most every {@code periodMillis} (100 ms: at most
 * ~10 redraws per second). A timer thread drains the {@link EventBuffer}; the batch is applied
 * through {@code uiExecutor} (Platform::runLater in the app, a direct executor in tests). At most
 * one batch is in flight: while the UI is still applying one, new events keep collecting in the
 * buffer and arrive together in the next batch, so a slow UI never builds a queue of redraws.
 */
public final class FxThrottle implements AutoCloseable {
    private final EventBuffer buffer;
    private final Executor uiExecutor;
    private final Consumer<EventBuffer.Batch> apply;
    private final AtomicBoolean inFlight = new AtomicBoolean();
    private final AtomicLong batches = new AtomicLong();
    private final ScheduledExecutorService timer;

    public FxThrottle(EventBuffer buffer, Executor uiExecutor, Consumer<EventBuffer.Batch> apply, long periodMillis) {
        this.buffer = buffer;
        this.uiExecutor = uiExecutor;
        this.apply = apply;
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ui-throttle");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::tick, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** One timer tick: drain and hand over unless a batch is still being applied. Public for tests. */
    public void tick() {
        if (!buffer.hasPending() || !inFlight.compareAndSet(false, true)) return;
        EventBuffer.Batch b = buffer.drain();
        batches.incrementAndGet();
        try {
            uiExecutor.execute(() -> {
                try {
                    apply.accept(b);
                } finally {
                    inFlight.set(false);
                }
            });
        } catch (RuntimeException e) {   // e.g. the FX toolkit is gone at shutdown
            inFlight.set(false);
        }
    }

    /** Batches handed to the UI so far. */
    public long batches() { return batches.get(); }

    @Override public void close() { timer.shutdownNow(); }
}
