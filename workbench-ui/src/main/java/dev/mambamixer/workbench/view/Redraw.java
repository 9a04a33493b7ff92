package dev.mambamixer.workbench.view;

import dev.mambamixer.workbench.session.FxWork;
import java.util.function.BooleanSupplier;
import javafx.application.Platform;

/**
 * Coalesces redraw requests: many view-model ticks within one FX pulse cause one redraw, and a
 * hidden tab is redrawn only when it is shown again. Since view models tick once per throttled
 * batch (at most ~10 per second), charts redraw at most that often.
 */
final class Redraw {
    private final Runnable action;
    private final String name;
    private final BooleanSupplier visible;
    private boolean scheduled, dirty;
    private long count;

    Redraw(String name, Runnable action, BooleanSupplier visible) {
        this.name = "redraw " + name;
        this.action = action;
        this.visible = visible;
    }

    /** Marks the view stale and schedules one redraw (FX thread). */
    void request() {
        dirty = true;
        if (scheduled || !visible.getAsBoolean()) return;
        scheduled = true;
        Platform.runLater(() -> {
            scheduled = false;
            if (dirty && visible.getAsBoolean()) {
                dirty = false;
                count++;
                FxWork.timed(name, action);
            }
        });
    }

    /** The view became visible: catch up if it missed updates. */
    void shown() { if (dirty) request(); }

    long count() { return count; }
}
