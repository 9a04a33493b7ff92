package dev.mambamixer.workbench.view;

import dev.mambamixer.charts.Heatmap;
import dev.mambamixer.charts.SelectionCharts;
import dev.mambamixer.engine.data.teaching.SequenceExample;
import dev.mambamixer.engine.introspect.MixerCapture;
import dev.mambamixer.workbench.vm.SelectionViewModel;
import java.util.ArrayList;
import java.util.List;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.title.TextTitle;

/** Implicit attention (positions × positions) with a mixer, sequence and channel picker; the aggregation is named. */
final class AttentionTab extends ChartTab {
    private final SelectionViewModel vm;
    private final ChartViewer viewer = viewer(null);
    private final ObservableList<String> channels = FXCollections.observableArrayList();
    private final Label aggregation = new Label();
    private Heatmap heatmap;

    AttentionTab(SelectionViewModel vm) {
        super("Implicit attention", "No snapshot yet.");
        this.vm = vm;
        ComboBox<String> mixer = new ComboBox<>(vm.attentionMixers());
        mixer.valueProperty().bindBidirectional(vm.attentionMixerProperty());
        ComboBox<String> seq = Controls.indexChoice(vm.attentionSequences(), vm.attentionSequenceProperty());
        seq.setPrefWidth(230);
        ComboBox<String> ch = new ComboBox<>(channels);
        ch.setPrefWidth(210);
        ch.valueProperty().addListener((o, a, b) -> {
            if (b != null) vm.attentionChannelProperty().set(channels.indexOf(b) - 1);   // entry 0 = mean |α|
        });
        vm.attentionChannelProperty().addListener((o, a, b) -> {
            int i = b.intValue() + 1;
            if (i < channels.size() && !channels.get(i).equals(ch.getValue())) ch.setValue(channels.get(i));
        });
        controls.getChildren().addAll(label("Mixer"), mixer, label("Sequence"), seq, label("Channel"), ch, aggregation);
        vm.revisionProperty().addListener((o, a, b) -> {
            refreshChannels(ch);
            redraw.request();
        });
    }

    private void refreshChannels(ComboBox<String> ch) {
        MixerCapture m = vm.attentionMixerCapture();
        int e = m == null ? 0 : m.directions().get(0).e();
        if (channels.size() == e + 1) return;
        List<String> items = new ArrayList<>();
        items.add("mean |α| over channels");
        for (int i = 0; i < e; i++) items.add("channel " + i);
        channels.setAll(items);
        ch.setValue(channels.get(Math.min(channels.size() - 1, vm.attentionChannelProperty().get() + 1)));
    }

    @Override void redrawNow() {
        MixerCapture m = vm.attentionMixerCapture();
        if (m == null) {
            root.setCenter(placeholder);
            return;
        }
        int seq = vm.attentionSequenceProperty().get(), ch = vm.attentionChannelProperty().get();
        if (ch < 0) heatmap = SelectionCharts.meanAbsAttention(m, seq);
        else if (m.bidirectional()) heatmap = SelectionCharts.summedAttention(m, seq, ch);
        else heatmap = SelectionCharts.attention(m, m.directions().get(0).direction(), seq, ch);
        aggregation.setText(vm.attentionAggregation());
        SequenceExample ex = vm.attentionExample();
        if (ex != null) heatmap.chart().addSubtitle(new TextTitle("marked: " + Controls.describeMarks(ex)));
        Controls.stepSubtitle(heatmap.chart(), vm.snapshotProperty().get());
        viewer.setChart(heatmap.chart());
        root.setCenter(viewer);
    }

    Heatmap heatmap() { return root.getCenter() == viewer ? heatmap : null; }
}
