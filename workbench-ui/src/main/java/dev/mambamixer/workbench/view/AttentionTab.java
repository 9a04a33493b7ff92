package dev.mambamixer.workbench.view;

import dev.mambamixer.charts.Heatmap;
import dev.mambamixer.workbench.vm.SelectionViewModel;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import org.jfree.chart.fx.ChartViewer;

/** Implicit attention (positions × positions) with a mixer, sequence and channel picker; the aggregation is named. */
final class AttentionTab extends ChartTab {
    private final SelectionViewModel vm;
    private final ChartViewer viewer = viewer(null);
    private final Label aggregation = new Label();
    private Heatmap heatmap;

    AttentionTab(SelectionViewModel vm) {
        super("Implicit attention", "No snapshot yet.");
        this.vm = vm;
        ComboBox<String> mixer = new ComboBox<>(vm.attentionMixers());
        mixer.valueProperty().bindBidirectional(vm.attentionMixerProperty());
        ComboBox<String> seq = Controls.indexChoice(vm.attentionSequences(), vm.attentionSequenceProperty());
        seq.setPrefWidth(230);
        ComboBox<String> ch = new ComboBox<>(vm.attentionChannels());
        ch.setPrefWidth(210);
        ch.valueProperty().addListener((o, a, b) -> {
            int i = b == null ? -1 : vm.attentionChannels().indexOf(b);
            if (i >= 0) vm.attentionChannelChoiceProperty().set(i);
        });
        vm.attentionChannelChoiceProperty().addListener((o, a, b) -> show(ch));
        controls.getChildren().addAll(label("Mixer"), mixer, label("Sequence"), seq, label("Channel"), ch,
                                      label("Colours"), Controls.scaleChoice(vm.attentionScaleProperty()), aggregation);
        vm.revisionProperty().addListener((o, a, b) -> {
            show(ch);   // after the picker's entries changed: a replaced list leaves the combo box empty
            redraw.request();
        });
    }

    /** Shows the view model's chosen entry in the channel picker. */
    private void show(ComboBox<String> ch) {
        int i = vm.attentionChannelChoiceProperty().get();
        if (i >= 0 && i < vm.attentionChannels().size() && !vm.attentionChannels().get(i).equals(ch.getValue()))
            ch.setValue(vm.attentionChannels().get(i));
    }

    @Override void redrawNow() {
        heatmap = vm.attentionChart();
        if (heatmap == null) {
            root.setCenter(placeholder);
            return;
        }
        aggregation.setText(vm.attentionAggregation());
        viewer.setChart(heatmap.chart());
        root.setCenter(viewer);
    }

    Heatmap heatmap() { return root.getCenter() == viewer ? heatmap : null; }
}
