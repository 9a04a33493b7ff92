package dev.mambamixer.workbench.vm;

import dev.mambamixer.charts.ColorMap;
import dev.mambamixer.charts.VisionCharts;
import dev.mambamixer.engine.introspect.CrossScanDirection;
import dev.mambamixer.engine.introspect.ScanQuantity;
import dev.mambamixer.engine.introspect.Ss2dCapture;
import dev.mambamixer.engine.introspect.Vim2Capture;
import dev.mambamixer.workbench.session.UiEvents.VisionSnapshot;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * What ViM2 selects on the probe images (MODEL.md §7.3): for the chosen probe image, stage and
 * SS2D token mixer, a token map per cross-scan direction laid over the image, plus the merged one:
 * Δ (mean over the inner channels; "merged" = the mean of the four), or the exact implicit attention
 * of the query token, mean over channels of |α_dir| (merged: |Σ_dir α_dir|, MODEL.md §3.2).
 * The query token belongs to this view model; the view maps a click to a token and calls
 * {@link #setQuery}. The four directions share one colour scale (Δ: the merged map too; the merged
 * attention, a sum of four, has its own).
 */
public final class VisionViewModel {
    public enum Overlay {
        ATTENTION("implicit attention of the query token"), DELTA("Δ (step size)");
        public final String label;
        Overlay(String label) { this.label = label; }
        @Override public String toString() { return label; }
    }

    /** One panel: a title, the (tokenRows × tokenCols) map over the image (null: the plain image), its scale and label. */
    public record Panel(String title, float[][] map, ColorMap scale, String valueLabel) {}

    private VisionSnapshot snapshot;
    private final IntegerProperty probe = new SimpleIntegerProperty(this, "probe", 0);
    private final IntegerProperty stage = new SimpleIntegerProperty(this, "stage", 0);
    private final IntegerProperty mixer = new SimpleIntegerProperty(this, "mixer", 0);
    private final ObjectProperty<Overlay> overlay = new SimpleObjectProperty<>(this, "overlay", Overlay.ATTENTION);
    private final ObservableList<String> probeNames = FXCollections.observableArrayList();
    private final ObservableList<String> stageNames = FXCollections.observableArrayList();
    private final ObservableList<String> mixerNames = FXCollections.observableArrayList();
    private final BooleanProperty canCapture = new SimpleBooleanProperty(this, "canCapture");
    private final ReadOnlyLongWrapper revision = new ReadOnlyLongWrapper(this, "revision");
    private int queryRow = -1, queryCol = -1;   // -1: the centre of the grid
    private boolean updating;

    public VisionViewModel() {
        probe.addListener((o, a, b) -> changed());
        stage.addListener((o, a, b) -> {
            if (updating) return;
            refreshMixers();
            queryRow = queryCol = -1;   // another grid size
            changed();
        });
        mixer.addListener((o, a, b) -> changed());
        overlay.addListener((o, a, b) -> changed());
    }

    /** A new capture (FX thread); the choices stay where they were when still valid. */
    public void set(VisionSnapshot s) {
        snapshot = s;
        updating = true;
        try {
            if (s == null) {
                probeNames.clear();
                stageNames.clear();
                mixerNames.clear();
            } else {
                Vim2Capture c = s.capture();
                List<String> names = new ArrayList<>();
                for (int i = 0; i < c.batch(); i++)
                    names.add(String.format(Locale.ROOT, "#%d  (held-out %d, true %s)", i, s.probeIndices()[i],
                                            className(s.probeLabels()[i])));
                if (!names.equals(probeNames)) probeNames.setAll(names);
                List<String> stages = new ArrayList<>();
                for (Vim2Capture.Stage st : c.stages())
                    stages.add(String.format(Locale.ROOT, "stage %d (%d×%d tokens, D %d)", st.index(), st.height(), st.width(),
                                             st.dim()));
                if (!stages.equals(stageNames)) stageNames.setAll(stages);
                if (probe.get() >= c.batch()) probe.set(0);
                if (stage.get() >= c.stages().size()) stage.set(0);
                refreshMixers();
            }
        } finally {
            updating = false;
        }
        changed();
    }

    public void clear() { set(null); }

    private void refreshMixers() {
        if (snapshot == null) return;
        List<String> names = new ArrayList<>();
        for (Ss2dCapture m : currentStage().tokenMixers()) names.add("SS2D token mixer " + m.index() + " (" + m.name() + ")");
        if (!names.equals(mixerNames)) mixerNames.setAll(names);
        if (mixer.get() >= names.size()) mixer.set(0);
    }

    private void changed() {
        if (!updating) revision.set(revision.get() + 1);
    }

    // ------------------------------------------------------------------ query token

    /** Makes token (i, j) of the current stage's grid the query (clamped to the grid). */
    public void setQuery(int i, int j) {
        if (snapshot == null) return;
        queryRow = Math.max(0, Math.min(tokenRows() - 1, i));
        queryCol = Math.max(0, Math.min(tokenCols() - 1, j));
        changed();
    }

    /** The query token {i, j} (the grid centre until one is chosen); null without a capture. */
    public int[] query() {
        if (snapshot == null) return null;
        return new int[] {queryRow < 0 ? tokenRows() / 2 : queryRow, queryCol < 0 ? tokenCols() / 2 : queryCol};
    }

    // ------------------------------------------------------------------ what the view draws

    public boolean hasCapture() { return snapshot != null; }

    public int tokenRows() { return currentStage().height(); }

    public int tokenCols() { return currentStage().width(); }

    public int imageHeight() { return snapshot.capture().config().height(); }

    public int imageWidth() { return snapshot.capture().config().width(); }

    public int imageChannels() { return snapshot.capture().config().channels(); }

    /** The pixels (H, W, C) of the chosen probe image. */
    public float[] image() {
        Vim2Capture c = snapshot.capture();
        int per = imageHeight() * imageWidth() * imageChannels();
        return Arrays.copyOfRange(c.images(), probe.get() * per, (probe.get() + 1) * per);
    }

    /** The model's class for the chosen probe image and its softmax probability. */
    public double[] prediction() {
        Vim2Capture c = snapshot.capture();
        int k = c.config().classes(), o = probe.get() * k, arg = 0;
        float[] l = c.logits();
        for (int j = 1; j < k; j++) if (l[o + j] > l[o + arg]) arg = j;
        double sum = 0;
        for (int j = 0; j < k; j++) sum += Math.exp(l[o + j] - l[o + arg]);
        return new double[] {arg, 1 / sum};
    }

    /** The selected SS2D token mixer. */
    public Ss2dCapture mixerCapture() {
        List<Ss2dCapture> ms = currentStage().tokenMixers();
        return ms.get(Math.min(mixer.get(), ms.size() - 1));
    }

    private Vim2Capture.Stage currentStage() {
        List<Vim2Capture.Stage> st = snapshot.capture().stages();
        return st.get(Math.min(stage.get(), st.size() - 1));
    }

    /**
     * The five overlay panels: the four cross-scan directions (in {@link CrossScanDirection} order)
     * and the merged map last. Empty without a capture.
     */
    public List<Panel> panels() {
        if (snapshot == null) return List.of();
        Ss2dCapture m = mixerCapture();
        int img = probe.get();
        int[] q = query();
        List<float[][]> dirs = new ArrayList<>();
        for (CrossScanDirection d : CrossScanDirection.values())
            dirs.add(overlay.get() == Overlay.DELTA ? m.map(ScanQuantity.DELTA, d, img)
                                                    : toFloat(m.meanAbsAttention(d, img, q[0], q[1])));
        float[][] merged;
        if (overlay.get() == Overlay.DELTA) {
            merged = new float[m.height()][m.width()];
            for (float[][] d : dirs)
                for (int i = 0; i < merged.length; i++)
                    for (int j = 0; j < merged[i].length; j++) merged[i][j] += d[i][j] / dirs.size();
        } else {
            merged = toFloat(m.mergedMeanAbsAttention(img, q[0], q[1]));
        }
        List<Panel> out = new ArrayList<>();
        if (overlay.get() == Overlay.DELTA) {
            List<float[][]> all = new ArrayList<>(dirs);
            all.add(merged);
            ColorMap shared = VisionCharts.sharedScale(all);
            for (CrossScanDirection d : CrossScanDirection.values())
                out.add(new Panel(d.label(), dirs.get(d.index()), shared, "mean Δ (shared scale)"));
            out.add(new Panel("mean of the 4 directions", merged, shared, "mean Δ (shared scale)"));
        } else {
            ColorMap shared = VisionCharts.sharedScale(dirs);
            for (CrossScanDirection d : CrossScanDirection.values())
                out.add(new Panel(d.label(), dirs.get(d.index()), shared, "mean |α| (shared by the 4 directions)"));
            out.add(new Panel("merged Σ directions", merged, VisionCharts.sharedScale(List.<float[][]>of(merged)),
                              "mean |Σα| (own scale)"));
        }
        return out;
    }

    private static float[][] toFloat(double[][] a) {
        float[][] f = new float[a.length][];
        for (int i = 0; i < a.length; i++) {
            f[i] = new float[a[i].length];
            for (int j = 0; j < a[i].length; j++) f[i][j] = (float) a[i][j];
        }
        return f;
    }

    /** One line about what is shown: probe, truth, prediction, capture step. */
    public String caption() {
        if (snapshot == null) return "";
        double[] p = prediction();
        int[] q = query();
        Vim2Capture c = snapshot.capture();
        String when = c.step() < 0 ? "before training" : "after epoch " + snapshot.epoch() + " (step " + c.step() + ")";
        return String.format(Locale.ROOT, "Probe #%d: true %s, predicted %s (p %.2f) · %s · query token (%d, %d) · captured %s",
                             probe.get(), className(snapshot.probeLabels()[probe.get()]), className((int) p[0]), p[1],
                             mixerCapture().name(), q[0], q[1], when);
    }

    private String className(int c) {
        List<String> n = snapshot.classNames();
        return c >= 0 && c < n.size() ? n.get(c) : Integer.toString(c);
    }

    public VisionSnapshot snapshot() { return snapshot; }
    public IntegerProperty probeProperty() { return probe; }
    public IntegerProperty stageProperty() { return stage; }
    public IntegerProperty mixerProperty() { return mixer; }
    public ObjectProperty<Overlay> overlayProperty() { return overlay; }
    public ObservableList<String> probeNames() { return probeNames; }
    public ObservableList<String> stageNames() { return stageNames; }
    public ObservableList<String> mixerNames() { return mixerNames; }
    /** True when a capture can be taken now (a ViM2 model exists and is paused or finished). */
    public BooleanProperty canCaptureProperty() { return canCapture; }
    /** Ticks whenever the panels change (capture, choice, query). */
    public ReadOnlyLongProperty revisionProperty() { return revision.getReadOnlyProperty(); }
}
