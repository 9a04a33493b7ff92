package dev.mambamixer.workbench.view;

import dev.mambamixer.charts.Heatmap;
import dev.mambamixer.workbench.vm.AveragingViewModel;
import javafx.geometry.Orientation;
import javafx.scene.control.Label;
import javafx.scene.control.SplitPane;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.fx.ChartViewer;

/**
 * Weighted-averaging coefficients: the lower-triangular target × source matrix (values printed,
 * identity initialisation as a ghost outline, the paper's symbol on hover) and each weight's drift
 * over the snapshots.
 */
final class AveragingTab extends ChartTab {
    private final AveragingViewModel vm;
    private final ChartViewer matrixViewer = viewer(null), driftViewer = viewer(null);
    private final SplitPane split = new SplitPane(matrixViewer, driftViewer);
    private Heatmap heatmap;

    AveragingTab(AveragingViewModel vm) {
        super("Weighted averaging", "No snapshot yet.");
        this.vm = vm;
        split.setOrientation(Orientation.HORIZONTAL);
        split.setDividerPositions(0.5);
        controls.getChildren().add(new Label("Hover a cell for its raw value and symbol (α, β: token mixers; θ, γ: "
                                             + "channel mixers). Dashed outline: the identity initialisation."));
        vm.revisionProperty().addListener((o, a, b) -> redraw.request());
    }

    @Override void redrawNow() {
        heatmap = vm.matrixChart();
        if (heatmap == null) {
            root.setCenter(placeholder);
            return;
        }
        matrixViewer.setChart(heatmap.chart());
        JFreeChart drift = vm.driftChart();
        if (drift != null) driftViewer.setChart(drift);
        root.setCenter(split);
    }

    Heatmap heatmap() { return root.getCenter() == split ? heatmap : null; }
}
