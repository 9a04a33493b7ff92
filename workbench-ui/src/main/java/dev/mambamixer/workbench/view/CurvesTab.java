package dev.mambamixer.workbench.view;

import dev.mambamixer.charts.CurveChart;
import dev.mambamixer.workbench.vm.CurvesViewModel;
import dev.mambamixer.workbench.vm.CurvesViewModel.XAxis;
import dev.mambamixer.workbench.vm.RunViewModel;
import java.text.DecimalFormat;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.Slider;
import javafx.scene.control.SplitPane;
import javafx.geometry.Orientation;
import org.jfree.chart.axis.NumberAxis;

/**
 * Training curves: losses (train smoothed with the raw curve faded behind; validation as points)
 * with the learning rate on the right axis, and throughput (samples/s; held-out accuracy for a
 * teaching task) below. New points are appended incrementally.
 */
final class CurvesTab extends ChartTab {
    private final CurvesViewModel vm;
    private CurveChart loss, speed;
    private final Map<String, Integer> pushed = new HashMap<>();
    private long resetsSeen = -1;
    private XAxis axisSeen;
    private boolean settingsDirty;

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
        Label eta = new Label();
        eta.textProperty().bind(run.etaTextProperty().concat("   ").concat(run.speedTextProperty()));
        controls.getChildren().addAll(label("Smoothing (EMA)"), smooth, smoothValue, log, label("x:"), axis, eta);
        vm.revisionProperty().addListener((o, a, b) -> redraw.request());
        vm.smoothingProperty().addListener((o, a, b) -> { settingsDirty = true; redraw.request(); });
        vm.logScaleProperty().addListener((o, a, b) -> { settingsDirty = true; redraw.request(); });
        vm.xAxisProperty().addListener((o, a, b) -> redraw.request());
    }

    @Override void redrawNow() {
        if (vm.seriesNames().isEmpty() && vm.comparisonNames().isEmpty()) {
            root.setCenter(placeholder);
            resetsSeen = -1;
            return;
        }
        XAxis x = vm.xAxisProperty().get();
        if (loss == null || resetsSeen != vm.resetsProperty().get() || axisSeen != x) rebuild(x);
        // every series change would repaint the canvas: collect them into one repaint per chart
        loss.chart().setNotify(false);
        speed.chart().setNotify(false);
        try {
            update(x);
        } finally {
            loss.chart().setNotify(true);
            speed.chart().setNotify(true);
        }
    }

    private void update(XAxis x) {
        boolean teaching = vm.series(CurvesViewModel.HELD_OUT_LOSS) != null;
        push(loss, CurvesViewModel.TRAIN_LOSS, true, false);
        push(loss, CurvesViewModel.VAL_MSE, false, false);
        push(loss, CurvesViewModel.VAL_MAE, false, false);
        push(loss, CurvesViewModel.HELD_OUT_LOSS, false, false);
        push(loss, CurvesViewModel.LR, false, true);
        push(speed, CurvesViewModel.SPEED, true, false);
        if (push(speed, CurvesViewModel.ACCURACY, false, true) && speed.plot().getRangeAxis(1) instanceof NumberAxis a) {
            a.setNumberFormatOverride(new DecimalFormat("0.00"));
            a.setRange(0, 1);
        }
        for (Map.Entry<String, CurvesViewModel.Series> e : vm.comparisonSeries().entrySet()) {
            int from = pushed.getOrDefault(e.getKey(), 0);
            if (e.getValue().size() > from) {
                loss.appendAll(e.getKey(), e.getValue().x(x, from), e.getValue().y(from));
                pushed.put(e.getKey(), e.getValue().size());
            }
        }
        if (teaching) loss.plot().getRangeAxis().setLabel("loss (cross-entropy)");
        if (settingsDirty) {
            settingsDirty = false;
            loss.setSmoothing(vm.smoothingProperty().get());
            speed.setSmoothing(vm.smoothingProperty().get());
            loss.setLogScale(vm.logScaleProperty().get());
        }
    }

    private void rebuild(XAxis x) {
        resetsSeen = vm.resetsProperty().get();
        axisSeen = x;
        pushed.clear();
        loss = new CurveChart("Training curves", x.label, "loss (MSE, standardised)");
        for (String name : vm.comparisonSeries().keySet()) loss.addSeries(name, !name.endsWith(CurvesViewModel.VAL_MSE));
        speed = new CurveChart("Throughput", x.label, "samples/s");
        speed.setSecondaryLabel("held-out accuracy");
        loss.setSmoothing(vm.smoothingProperty().get());
        speed.setSmoothing(vm.smoothingProperty().get());
        loss.setLogScale(vm.logScaleProperty().get());
        settingsDirty = false;
        viewers.clear();
        SplitPane split = new SplitPane(viewer(loss.chart()), viewer(speed.chart()));
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.68);
        root.setCenter(split);
    }

    /** Draws the points of a series added since the last redraw; true when it drew any. */
    private boolean push(CurveChart chart, String name, boolean smoothed, boolean secondary) {
        CurvesViewModel.Series s = vm.series(name);
        if (s == null) return false;
        int from = pushed.getOrDefault(name, 0);
        if (s.size() <= from) return false;
        if (!secondary) chart.addSeries(name, smoothed);   // first time: fixes its colour, legend entry and smoothing
        XAxis x = axisSeen;
        if (secondary) {
            double[] xs = s.x(x, 0), ys = s.y(0);   // secondary series are replaced whole (no smoothing state)
            chart.setSecondaryData(name, xs, ys);
        } else {
            chart.appendAll(name, s.x(x, from), s.y(from));
        }
        pushed.put(name, s.size());
        return true;
    }

    /** Points drawn so far of a series (tests). */
    int drawnPoints(String series) {
        if (loss == null) return 0;
        int n = loss.size(series);
        return n > 0 ? n : speed.size(series);
    }
}
