package dev.mambamixer.workbench.view;

import dev.mambamixer.charts.ForecastChart;
import dev.mambamixer.engine.introspect.ForecastWindow;
import dev.mambamixer.workbench.vm.ForecastViewModel;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.Slider;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.fx.ChartViewer;

/** History, ground truth and prediction of one test window and variate; a scrubber over the windows. */
final class ForecastTab extends ChartTab {
    private final ForecastViewModel vm;
    private final ChartViewer viewer = viewer(null);
    private final Slider scrubber = new Slider(0, 1, 0);

    ForecastTab(ForecastViewModel vm) {
        super("Forecast", "No forecast yet. TSM2 runs show validation- and test-window forecasts after the first snapshot; "
                          + "teaching tasks and ViM2 forecast nothing (see Token selection and Implicit attention, or Vision).");
        this.vm = vm;
        scrubber.setMajorTickUnit(1);
        scrubber.setMinorTickCount(0);
        scrubber.setSnapToTicks(true);
        scrubber.setBlockIncrement(1);
        scrubber.setPrefWidth(320);
        scrubber.valueProperty().addListener((o, a, b) -> vm.windowProperty().set((int) Math.round(b.doubleValue())));
        vm.windowProperty().addListener((o, a, b) -> scrubber.setValue(b.intValue()));
        vm.windows().addListener((javafx.collections.ListChangeListener<ForecastWindow>) c ->
                scrubber.setMax(Math.max(1, vm.windows().size() - 1)));
        ComboBox<String> variate = Controls.indexChoice(vm.variates(), vm.variateProperty());
        Label caption = new Label();
        caption.textProperty().bind(vm.captionProperty());
        controls.getChildren().addAll(label("Test window"), scrubber, label("Variate"), variate, caption);
        vm.revisionProperty().addListener((o, a, b) -> redraw.request());
    }

    @Override void redrawNow() {
        ForecastWindow f = vm.current();
        if (f == null) {
            root.setCenter(placeholder);
            return;
        }
        int v = Math.min(vm.variateProperty().get(), f.variates() - 1);
        String name = vm.variateName() + (f.originalUnits() ? "" : " (standardised)");
        JFreeChart chart = ForecastChart.of(f.history(v), f.truth(v), f.prediction(v), name, f.window(), f.mse());
        viewer.setChart(chart);
        root.setCenter(viewer);
    }

    Slider scrubber() { return scrubber; }
}
