package dev.mambamixer.workbench.view;

import dev.mambamixer.charts.Heatmap;
import dev.mambamixer.engine.introspect.ScanQuantity;
import dev.mambamixer.workbench.vm.SelectionViewModel;
import javafx.scene.control.ComboBox;
import org.jfree.chart.fx.ChartViewer;

/** Token selection: Δ (or B, C, gate, retention) over positions × inner channels for a layer and sequence. */
final class TokenSelectionTab extends ChartTab {
    private final SelectionViewModel vm;
    private final ChartViewer viewer = viewer(null);
    private Heatmap heatmap;

    TokenSelectionTab(SelectionViewModel vm) {
        super("Token selection", "No snapshot yet: snapshots are taken every few steps once training runs.");
        this.vm = vm;
        ComboBox<Integer> layer = Controls.intChoice(vm.layers(), vm.layerProperty());
        ComboBox<String> seq = Controls.indexChoice(vm.tokenSequences(), vm.tokenSequenceProperty());
        seq.setPrefWidth(230);
        ComboBox<ScanQuantity> q = new ComboBox<>();
        q.getItems().setAll(SelectionViewModel.QUANTITIES);
        q.valueProperty().bindBidirectional(vm.quantityProperty());
        controls.getChildren().addAll(label("Layer"), layer, label("Sequence"), seq, label("Quantity"), q,
                                      label("Colours"), Controls.scaleChoice(vm.tokenScaleProperty()));
        vm.revisionProperty().addListener((o, a, b) -> redraw.request());
    }

    @Override void redrawNow() {
        heatmap = vm.tokenChart();
        if (heatmap == null) {
            root.setCenter(placeholder);
            return;
        }
        viewer.setChart(heatmap.chart());
        root.setCenter(viewer);
    }

    /** The heatmap shown now (tests), or null. */
    Heatmap heatmap() { return root.getCenter() == viewer ? heatmap : null; }
}
