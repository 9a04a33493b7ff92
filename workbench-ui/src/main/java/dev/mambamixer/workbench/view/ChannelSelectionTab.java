package dev.mambamixer.workbench.view;

import dev.mambamixer.charts.Heatmap;
import dev.mambamixer.workbench.vm.SelectionViewModel;
import java.util.ArrayList;
import java.util.List;
import javafx.scene.control.ComboBox;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import org.jfree.chart.fx.ChartViewer;

/**
 * Channel selection, one heatmap per scan direction of the chosen layer's channel mixer. TSM2 I1:
 * variates × patches of mean Δ for a probe window; other layouts: the mixer's Δ for that item.
 */
final class ChannelSelectionTab extends ChartTab {
    private final SelectionViewModel vm;
    private final HBox pair = new HBox(4);
    private final List<Heatmap> heatmaps = new ArrayList<>();

    ChannelSelectionTab(SelectionViewModel vm) {
        super("Channel selection", "No snapshot yet (the teaching model without channel mixers has none).");
        this.vm = vm;
        ComboBox<Integer> layer = Controls.intChoice(vm.layers(), vm.layerProperty());
        ComboBox<String> item = Controls.indexChoice(vm.probeItems(), vm.probeItemProperty());
        controls.getChildren().addAll(label("Layer"), layer, label("Probe item"), item,
                                      label("Colours"), Controls.scaleChoice(vm.channelScaleProperty()));
        vm.revisionProperty().addListener((o, a, b) -> redraw.request());
    }

    @Override void redrawNow() {
        List<Heatmap> charts = vm.channelCharts();
        if (charts.isEmpty()) {
            root.setCenter(placeholder);
            return;
        }
        heatmaps.clear();
        viewers.clear();
        pair.getChildren().clear();
        for (Heatmap h : charts) {
            heatmaps.add(h);
            ChartViewer v = viewer(h.chart());
            HBox.setHgrow(v, Priority.ALWAYS);
            v.setPrefWidth(10);   // share the width equally
            pair.getChildren().add(v);
        }
        root.setCenter(pair);
    }

    List<Heatmap> heatmaps() { return root.getCenter() == pair ? heatmaps : List.of(); }
}
