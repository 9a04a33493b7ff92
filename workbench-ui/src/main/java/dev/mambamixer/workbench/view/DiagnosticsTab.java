package dev.mambamixer.workbench.view;

import dev.mambamixer.charts.DiagnosticsCharts;
import dev.mambamixer.workbench.vm.DiagnosticsViewModel;
import java.util.LinkedHashMap;
import java.util.Map;
import javafx.geometry.Orientation;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tooltip;
import org.jfree.chart.fx.ChartViewer;

/** DL4J-style diagnostics: update:parameter ratio per group (log10, guideline −3) and Δ percentile bands per layer. */
final class DiagnosticsTab extends ChartTab {
    private final DiagnosticsViewModel vm;
    private final ChartViewer ratioViewer = viewer(null), deltaViewer = viewer(null);
    private final SplitPane split = new SplitPane(ratioViewer, deltaViewer);
    private final CheckBox logDelta = new CheckBox("log Δ axis");

    DiagnosticsTab(DiagnosticsViewModel vm) {
        super("Diagnostics", "No diagnostics yet: ratios are measured every few steps once training runs.");
        this.vm = vm;
        split.setOrientation(Orientation.VERTICAL);
        Label guide = new Label("update:parameter ratio, guideline log10 ≈ −3 (hover for details)");
        guide.setTooltip(new Tooltip(DiagnosticsViewModel.RATIO_TOOLTIP));
        Tooltip.install(ratioViewer, new Tooltip(DiagnosticsViewModel.RATIO_TOOLTIP));
        logDelta.setSelected(true);
        logDelta.selectedProperty().addListener((o, a, b) -> redraw.request());
        controls.getChildren().addAll(guide, logDelta);
        vm.revisionProperty().addListener((o, a, b) -> redraw.request());
    }

    @Override void redrawNow() {
        if (vm.ratios().isEmpty() && vm.deltaSteps().isEmpty()) {
            root.setCenter(placeholder);
            return;
        }
        if (!vm.ratios().isEmpty()) {
            double[] steps = vm.ratios().values().iterator().next().x();
            Map<String, double[]> ratios = new LinkedHashMap<>();
            for (Map.Entry<String, DiagnosticsViewModel.Points> e : vm.ratios().entrySet()) {
                double[] y = e.getValue().y();
                if (y.length != steps.length) continue;   // a group that appeared later: skip rather than misalign
                double[] r = new double[y.length];
                for (int i = 0; i < y.length; i++) r[i] = Math.pow(10, y[i]);   // the chart takes ratios
                ratios.put(e.getKey(), r);
            }
            ratioViewer.setChart(DiagnosticsCharts.updateRatios(steps, ratios));
        }
        if (!vm.deltaSteps().isEmpty()) {
            double[] steps = vm.deltaSteps().stream().mapToDouble(Long::doubleValue).toArray();
            deltaViewer.setChart(DiagnosticsCharts.deltaBands(steps, vm.deltaStats(), logDelta.isSelected()));
        }
        root.setCenter(split);
    }
}
