package dev.mambamixer.workbench.vm;

import dev.mambamixer.engine.introspect.ForecastWindow;
import java.util.List;
import java.util.Locale;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The forecast view: history, ground truth and prediction of one test window and variate, a
 * scrubber over the windows, and the window's MSE in the caption.
 */
public final class ForecastViewModel {
    private final ObservableList<ForecastWindow> windows = FXCollections.observableArrayList();
    private final ObservableList<String> variates = FXCollections.observableArrayList();
    private final IntegerProperty window = new SimpleIntegerProperty(this, "window");
    private final IntegerProperty variate = new SimpleIntegerProperty(this, "variate");
    private final ReadOnlyStringWrapper caption = new ReadOnlyStringWrapper(this, "caption", "no forecast yet");
    private final ReadOnlyLongWrapper revision = new ReadOnlyLongWrapper(this, "revision");
    private long step = -1;
    private String split = "test";

    public ForecastViewModel() {
        window.addListener((o, a, b) -> refresh());
        variate.addListener((o, a, b) -> refresh());
    }

    /**
     * New forecasts after {@code step} (FX thread) from the {@code split} windows ("test", "val",
     * "probe"); keeps the scrubber position and variate.
     */
    public void set(long step, String split, List<ForecastWindow> fc, List<String> variateNames) {
        this.step = step;
        this.split = split;
        windows.setAll(fc);
        if (!variates.equals(variateNames)) variates.setAll(variateNames);
        if (window.get() >= fc.size()) window.set(Math.max(0, fc.size() - 1));
        if (variate.get() >= variateNames.size()) variate.set(Math.max(0, variateNames.size() - 1));
        refresh();
    }

    public void clear() { set(-1, "test", List.of(), List.of()); }

    /** The window under the scrubber, or null. */
    public ForecastWindow current() {
        int i = window.get();
        return i >= 0 && i < windows.size() ? windows.get(i) : null;
    }

    public String variateName() {
        int v = variate.get();
        return v >= 0 && v < variates.size() ? variates.get(v) : "variate " + v;
    }

    private void refresh() {
        ForecastWindow f = current();
        caption.set(f == null ? "no forecast yet: start a TSM2 run"
                              : String.format(Locale.ROOT, "%s (%d of %d), variate %s, after step %d: window MSE %.4f, "
                                                           + "MAE %.4f (standardised, all variates)", label(f),
                                              window.get() + 1, windows.size(), variateName(), step, f.mse(), f.mae()));
        revision.set(revision.get() + 1);
    }

    /** "test window 120": where the window comes from and its index. */
    public String label(ForecastWindow f) { return split + " window " + f.window(); }

    public ObservableList<ForecastWindow> windows() { return windows; }
    public ObservableList<String> variates() { return variates; }
    public IntegerProperty windowProperty() { return window; }
    public IntegerProperty variateProperty() { return variate; }
    public ReadOnlyStringProperty captionProperty() { return caption.getReadOnlyProperty(); }
    public ReadOnlyLongProperty revisionProperty() { return revision.getReadOnlyProperty(); }
}
