package dev.mambamixer.workbench.view;

import dev.mambamixer.charts.CurveChart;
import dev.mambamixer.workbench.vm.CurvesViewModel;
import dev.mambamixer.workbench.vm.CurvesViewModel.XAxis;
import dev.mambamixer.workbench.vm.RunViewModel;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.Locale;
import java.util.Map;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.Slider;
import javafx.scene.control.SplitPane;
import javafx.geometry.Orientation;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;

/**
 * Training curves: losses (train smoothed with the raw curve faded behind; validation as points)
 * with the learning rate on the right axis, and throughput (samples/s; held-out accuracy for a
 * teaching task) below. New points are appended incrementally.
 */
final class CurvesTab extends ChartTab {
    private final CurvesViewModel vm;
    // The curve charts belong to the renderer thread; the FX thread only copies new points for it.
    private final ExecutorService renderer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "curves-renderer");
        t.setDaemon(true);
        return t;
    });
    private final OffThreadChart lossPane = new OffThreadChart(renderer), speedPane = new OffThreadChart(renderer);
    private final SplitPane split = new SplitPane(lossPane, speedPane);
    private final javafx.scene.layout.BorderPane body = new javafx.scene.layout.BorderPane();
    /** What the curves say under the mouse (or how to explore them). */
    final Label readout = new Label();
    static final String HINT = "Hover for values · drag to zoom into steps · shift- or right-drag to pan · double-click: everything";
    private org.jfree.chart.plot.ValueMarker bestMarker;   // renderer thread only
    private final List<org.jfree.chart.plot.ValueMarker> eventMarkers = new ArrayList<>();   // renderer thread only
    private double dragStart = Double.NaN, panFrom = Double.NaN;
    private boolean accuracyLayout;
    private CurveChart loss, speed;   // renderer thread only
    private final Map<String, Integer> pushed = new HashMap<>();
    private long resetsSeen = -1;
    private XAxis axisSeen;
    private boolean settingsDirty;
    private final Label eta;

    CurvesTab(CurvesViewModel vm, RunViewModel run) {
        super("Training curves", "Press Start to train; the curves appear here within seconds.");
        this.vm = vm;
        Slider smooth = new Slider(0, 0.99, vm.smoothingProperty().get());
        smooth.setPrefWidth(160);
        smooth.valueProperty().bindBidirectional(vm.smoothingProperty());
        Label smoothValue = new Label();
        smoothValue.textProperty().bind(vm.smoothingProperty().asString(Locale.ROOT, "%.2f"));
        CheckBox log = new CheckBox("log scale");
        log.selectedProperty().bindBidirectional(vm.logScaleProperty());
        ComboBox<XAxis> axis = new ComboBox<>();
        axis.getItems().setAll(XAxis.values());
        axis.valueProperty().bindBidirectional(vm.xAxisProperty());
        eta = new Label();
        eta.textProperty().bind(run.etaTextProperty().concat("   ").concat(run.speedTextProperty()));
        controls.getChildren().addAll(label("Smoothing (EMA)"), smooth, smoothValue, log, label("x:"), axis, eta);
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.68);
        readout.setId("curves-readout");
        readout.getStyleClass().add("readout");
        readout.setMaxWidth(Double.MAX_VALUE);
        readout.setText(HINT);
        body.setCenter(split);
        body.setTop(readout);
        explorable(lossPane);
        explorable(speedPane);
        vm.xRangeProperty().addListener((o, a, b) -> redraw.request());
        vm.revisionProperty().addListener((o, a, b) -> redraw.request());
        vm.smoothingProperty().addListener((o, a, b) -> { settingsDirty = true; redraw.request(); });
        vm.logScaleProperty().addListener((o, a, b) -> { settingsDirty = true; redraw.request(); });
        vm.xAxisProperty().addListener((o, a, b) -> redraw.request());
    }

    /**
     * The curves of other runs only (the sweep view's overlay): no ETA or throughput of a run of
     * this window, the loss chart alone.
     */
    static CurvesTab overlay(CurvesViewModel vm, String emptyText) {
        CurvesTab t = new CurvesTab(vm, new RunViewModel());
        t.controls.getChildren().remove(t.eta);
        t.split.getItems().remove(t.speedPane);
        t.placeholder.setText(emptyText);
        return t;
    }

    @Override void redrawNow() {
        if (vm.seriesNames().isEmpty() && vm.comparisonNames().isEmpty()) {
            root.setCenter(placeholder);
            resetsSeen = -1;
            return;
        }
        XAxis x = vm.xAxisProperty().get();
        List<Runnable> work = new ArrayList<>();   // runs on the renderer thread, in order
        if (resetsSeen != vm.resetsProperty().get() || axisSeen != x) {
            resetsSeen = vm.resetsProperty().get();
            axisSeen = x;
            pushed.clear();
            List<String> comparisons = List.copyOf(vm.comparisonSeries().keySet());
            double w = vm.smoothingProperty().get();
            boolean log = vm.logScaleProperty().get();
            work.add(() -> build(x, comparisons, w, log));
            decorated = null;   // new charts: their zoom and markers are drawn again
            settingsDirty = false;
            root.setCenter(body);
        }
        boolean vision = vm.series(CurvesViewModel.BATCH_ACCURACY) != null;
        boolean heldOutAccuracy = vm.series(CurvesViewModel.ACCURACY) != null;
        // accuracy matters as much as the loss for a classifier: give its chart more room (once per run)
        if (vision != accuracyLayout) {
            accuracyLayout = vision;
            split.setDividerPositions(vision ? 0.55 : 0.68);
        }
        boolean teaching = vision || vm.series(CurvesViewModel.HELD_OUT_LOSS) != null;
        collect(work, true, CurvesViewModel.TRAIN_LOSS, true, false);
        collect(work, true, CurvesViewModel.VAL_MSE, false, false);
        collect(work, true, CurvesViewModel.VAL_MAE, false, false);
        collect(work, true, CurvesViewModel.HELD_OUT_LOSS, false, false);
        collect(work, true, CurvesViewModel.LR, false, true);
        collect(work, false, CurvesViewModel.SPEED, true, false);
        boolean accuracy = collect(work, false, CurvesViewModel.ACCURACY, false, true)
                           | collect(work, false, CurvesViewModel.BATCH_ACCURACY, false, true);
        for (Map.Entry<String, CurvesViewModel.Series> e : vm.comparisonSeries().entrySet()) {
            String name = e.getKey();
            int from = pushed.getOrDefault(name, 0);
            if (e.getValue().size() > from) {
                if (name.endsWith(": " + CurvesViewModel.ACCURACY)) {   // beside this run's held-out accuracy
                    double[] xs = e.getValue().x(x, 0), ys = e.getValue().y(0);
                    work.add(() -> speed.setSecondaryData(name, xs, ys));
                } else {
                    double[] xs = e.getValue().x(x, from), ys = e.getValue().y(from);
                    work.add(() -> loss.appendAll(name, xs, ys));
                }
                pushed.put(name, e.getValue().size());
            }
        }
        if (settingsDirty) {
            settingsDirty = false;
            double w = vm.smoothingProperty().get();
            boolean log = vm.logScaleProperty().get();
            work.add(() -> {
                loss.setSmoothing(w);
                speed.setSmoothing(w);
                loss.setLogScale(log);
            });
        }
        boolean mae = vm.series(CurvesViewModel.VAL_MAE) != null;
        work.add(() -> {
            if (teaching) loss.plot().getRangeAxis().setLabel("loss (cross-entropy)");
            else if (mae) loss.plot().getRangeAxis().setLabel("MSE and MAE (standardised)");   // val MAE shares the axis
            if (vision) speed.setSecondaryLabel("accuracy");
            if (vision || heldOutAccuracy) speed.chart().setTitle("Throughput and accuracy");
            if (heldOutAccuracy) speed.setSecondaryShapes(CurvesViewModel.ACCURACY, true);
            if (accuracy && speed.plot().getRangeAxis(1) instanceof NumberAxis a) {
                a.setNumberFormatOverride(new DecimalFormat("0.00"));
                a.setRange(0, 1);
            }
        });
        // zoom, best-validation and event markers: rebuilt only when they change, not on every redraw
        double[] r = vm.xRangeProperty().get();
        Decorations d = new Decorations(r == null ? null : List.of(r[0], r[1]), vm.bestX(), vm.events(), x,
                                        vm.resetsProperty().get());
        if (!d.equals(decorated)) {
            decorated = d;
            work.add(() -> decorate(d));
        }
        renderer.execute(() -> work.forEach(Runnable::run));
        lossPane.requestRender();
        speedPane.requestRender();
    }

    /**
     * Hover: a crosshair and the values under it; drag: zoom into that x range; shift- or
     * right-drag: pan; double-click: everything again. Both charts share the x range.
     */
    private void explorable(OffThreadChart pane) {
        pane.setOnMouseMoved(e -> hover(pane, e.getX()));
        pane.setOnMouseExited(e -> {
            lossPane.crosshair(Double.NaN);
            speedPane.crosshair(Double.NaN);
            readout.setText(HINT);
        });
        pane.setOnMousePressed(e -> {
            OffThreadChart.XMapping m = pane.mapping();
            if (m == null) return;
            if (e.isShiftDown() || e.getButton() == javafx.scene.input.MouseButton.SECONDARY) panFrom = m.x(e.getX());
            else dragStart = e.getX();
        });
        pane.setOnMouseDragged(e -> {
            OffThreadChart.XMapping m = pane.mapping();
            if (m == null) return;
            if (!Double.isNaN(panFrom)) {
                double x = m.x(e.getX());
                if (!Double.isNaN(x)) {
                    if (vm.xRangeProperty().get() == null) vm.zoom(m.lower(), m.upper());   // pan from the view shown
                    vm.pan(panFrom - x);
                }
            } else if (!Double.isNaN(dragStart)) pane.selectionBand(dragStart, e.getX());
            hover(pane, e.getX());
        });
        pane.setOnMouseReleased(e -> {
            OffThreadChart.XMapping m = pane.mapping();
            if (m != null && !Double.isNaN(dragStart) && Math.abs(e.getX() - dragStart) >= 6)
                vm.zoom(m.x(clamp(m, dragStart)), m.x(clamp(m, e.getX())));
            pane.selectionBand(Double.NaN, Double.NaN);
            dragStart = panFrom = Double.NaN;
        });
        pane.setOnMouseClicked(e -> { if (e.getClickCount() == 2) vm.resetZoom(); });
    }

    private static double clamp(OffThreadChart.XMapping m, double px) {
        return Math.max(m.left(), Math.min(m.left() + m.width(), px));
    }

    /** The values at the mouse's x, and the crosshair in both charts. */
    private void hover(OffThreadChart pane, double px) {
        OffThreadChart.XMapping m = pane.mapping();
        double x = m == null ? Double.NaN : m.x(px);
        if (Double.isNaN(x)) {
            lossPane.crosshair(Double.NaN);
            speedPane.crosshair(Double.NaN);
            readout.setText(HINT);
            return;
        }
        for (OffThreadChart p : List.of(lossPane, speedPane)) {
            OffThreadChart.XMapping pm = p.mapping();
            p.crosshair(pm == null ? Double.NaN : pm.px(x));
        }
        readout.setText(vm.readout(x));
    }

    /** What {@link #decorate} drew last (FX thread): zoom range (null: all), best x, events, axis, chart generation. */
    private record Decorations(List<Double> range, double best, List<CurvesViewModel.RunEvent> events, XAxis axis, long resets) {}

    private Decorations decorated;

    /** Renderer thread: the x range of both charts, the best-validation line and the event lines of the loss chart. */
    private void decorate(Decorations d) {
        for (CurveChart c : List.of(loss, speed)) {
            org.jfree.chart.axis.ValueAxis ax = c.plot().getDomainAxis();
            if (d.range() == null) ax.setAutoRange(true);
            else ax.setRange(d.range().get(0), d.range().get(1));
        }
        for (org.jfree.chart.plot.ValueMarker m : eventMarkers) loss.plot().removeDomainMarker(m);
        eventMarkers.clear();
        for (CurvesViewModel.RunEvent ev : d.events()) {
            org.jfree.chart.plot.ValueMarker m = marker(d.axis() == XAxis.STEP ? ev.step() : ev.wallSeconds(), ev.label(),
                                                        java.awt.Color.GRAY, new java.awt.BasicStroke(1f), false);
            loss.plot().addDomainMarker(m);
            eventMarkers.add(m);
        }
        if (bestMarker != null) loss.plot().removeDomainMarker(bestMarker);
        bestMarker = null;
        if (Double.isFinite(d.best())) {
            bestMarker = marker(d.best(), "best validation", new java.awt.Color(0x2c, 0xa0, 0x2c),
                                new java.awt.BasicStroke(1.2f, java.awt.BasicStroke.CAP_BUTT, java.awt.BasicStroke.JOIN_MITER, 1f,
                                                         new float[] {5f, 4f}, 0f), true);
            loss.plot().addDomainMarker(bestMarker);
        }
    }

    /** A labelled vertical line; {@code top}: label at the top (best), else at the bottom (events). */
    private static org.jfree.chart.plot.ValueMarker marker(double x, String label, java.awt.Color color, java.awt.Stroke stroke,
                                                          boolean top) {
        org.jfree.chart.plot.ValueMarker m = new org.jfree.chart.plot.ValueMarker(x, color, stroke);
        m.setLabel(label);
        m.setLabelFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, top ? 11 : 10));
        m.setLabelPaint(top ? color.darker() : java.awt.Color.DARK_GRAY);
        m.setLabelAnchor(top ? org.jfree.chart.ui.RectangleAnchor.TOP_LEFT : org.jfree.chart.ui.RectangleAnchor.BOTTOM_RIGHT);
        m.setLabelTextAnchor(top ? org.jfree.chart.ui.TextAnchor.TOP_RIGHT : org.jfree.chart.ui.TextAnchor.BOTTOM_LEFT);
        return m;
    }

    /** Palette index of this run's series on each chart (stable across comparisons and runs). */
    private static final Map<String, Integer> OWN_COLOURS = Map.of(CurvesViewModel.TRAIN_LOSS, 0, CurvesViewModel.VAL_MSE, 1,
                                                                   CurvesViewModel.VAL_MAE, 2, CurvesViewModel.HELD_OUT_LOSS, 1,
                                                                   CurvesViewModel.SPEED, 0);
    /** Compared runs take palette colours from here on, one per run. */
    static final int COMPARISON_COLOURS = 4;

    /** Renderer thread: new charts for the axis and the comparison runs. */
    private void build(XAxis x, List<String> comparisons, double smoothing, boolean log) {
        loss = new CurveChart("Training curves", x.label, "loss (MSE, standardised)");
        List<String> runs = new ArrayList<>();   // compared runs, in the order they were added: one colour each
        for (String name : comparisons) {
            if (name.endsWith(": " + CurvesViewModel.ACCURACY)) continue;   // drawn with the throughput chart's accuracy
            String run = name.substring(0, name.lastIndexOf(": "));
            if (!runs.contains(run)) runs.add(run);
            loss.addSeries(name, name.endsWith(": " + CurvesViewModel.TRAIN_LOSS),
                           dev.mambamixer.charts.Theme.color(COMPARISON_COLOURS + runs.indexOf(run)));
        }
        speed = new CurveChart("Throughput", x.label, "samples/s");
        speed.setSecondaryLabel("held-out accuracy");
        loss.setSmoothing(smoothing);
        speed.setSmoothing(smoothing);
        loss.setLogScale(log);
        lossPane.setChart(loss.chart());
        speedPane.setChart(speed.chart());
    }

    /**
     * Copies the points of a series added since the last redraw (FX thread) and queues drawing
     * them (renderer thread); true when there were any.
     */
    private boolean collect(List<Runnable> work, boolean onLoss, String name, boolean smoothed, boolean secondary) {
        CurvesViewModel.Series s = vm.series(name);
        if (s == null) return false;
        int from = pushed.getOrDefault(name, 0);
        if (s.size() <= from) return false;
        XAxis x = axisSeen;
        if (secondary) {
            double[] xs = s.x(x, 0), ys = s.y(0);   // secondary series are replaced whole (no smoothing state)
            work.add(() -> (onLoss ? loss : speed).setSecondaryData(name, xs, ys));
        } else {
            double[][] pts = vm.points(name, from);   // in wall time: broken at pauses
            double[] xs = pts[0], ys = pts[1];
            work.add(() -> {
                CurveChart c = onLoss ? loss : speed;
                // first time: fixes its colour (the same for every run, whatever comparisons came first), legend entry, smoothing
                c.addSeries(name, smoothed, dev.mambamixer.charts.Theme.color(OWN_COLOURS.getOrDefault(name, 0)));
                c.appendAll(name, xs, ys);
            });
        }
        pushed.put(name, s.size());
        return true;
    }

    @Override List<JFreeChart> charts() {
        if (root.getCenter() != body) return List.of();
        return onRenderer(() -> List.of(loss.chart(), speed.chart()));
    }

    @Override void export(java.nio.file.Path file, boolean png) throws java.io.IOException {
        if (root.getCenter() != body) throw new java.io.IOException("no curves yet");
        try {
            onRenderer(() -> {
                write(List.of(loss.chart(), speed.chart()), file, png);
                return null;
            });
        } catch (IllegalStateException e) {
            throw new java.io.IOException(e.getMessage(), e);
        }
    }

    /** Runs {@code s} on the renderer thread and waits (export and tests; the charts belong to that thread). */
    <T> T onRenderer(java.util.concurrent.Callable<T> s) {
        try {
            return renderer.submit(s).get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("chart renderer: " + e.getMessage(), e);
        }
    }

    CurvesViewModel vm() { return vm; }

    /** Stops the renderer thread (a sweep window closed; the main window's curves live as long as the app). */
    void dispose() { renderer.shutdownNow(); }

    /** The loss chart's pane (tests drive the mouse over it). */
    OffThreadChart lossPane() { return lossPane; }

    /** Size of the loss chart's image on screen (tests). */
    int[] lossImageSize() { return lossPane.imageSize(); }

    /** Points drawn so far of a series (tests). */
    int drawnPoints(String series) {
        return onRenderer(() -> {
            if (loss == null) return 0;
            int n = loss.size(series);
            return n > 0 ? n : speed.size(series);
        });
    }
}
