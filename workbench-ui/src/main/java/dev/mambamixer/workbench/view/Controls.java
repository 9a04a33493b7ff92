package dev.mambamixer.workbench.view;

import dev.mambamixer.engine.data.teaching.Mark;
import dev.mambamixer.engine.data.teaching.SequenceExample;
import dev.mambamixer.workbench.session.Snapshot;
import java.util.ArrayList;
import java.util.List;
import javafx.beans.property.IntegerProperty;
import javafx.collections.ObservableList;
import javafx.scene.control.ComboBox;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.title.TextTitle;

/** Small helpers the tabs share: combo boxes bound to index properties, subtitles. */
final class Controls {
    private Controls() {}

    /** A combo box over {@code items} whose selected index follows {@code index} both ways. */
    static ComboBox<String> indexChoice(ObservableList<String> items, IntegerProperty index) {
        ComboBox<String> c = new ComboBox<>(items);
        c.getSelectionModel().selectedIndexProperty().addListener((o, a, b) -> {
            if (b.intValue() >= 0 && b.intValue() != index.get()) index.set(b.intValue());
        });
        index.addListener((o, a, b) -> {
            if (b.intValue() < items.size() && c.getSelectionModel().getSelectedIndex() != b.intValue())
                c.getSelectionModel().select(b.intValue());
        });
        items.addListener((javafx.collections.ListChangeListener<String>) ch -> {
            if (index.get() < items.size()) c.getSelectionModel().select(index.get());
        });
        if (index.get() < items.size()) c.getSelectionModel().select(index.get());
        return c;
    }

    /** A combo box over integer choices bound to {@code value}. */
    static ComboBox<Integer> intChoice(ObservableList<Integer> items, IntegerProperty value) {
        ComboBox<Integer> c = new ComboBox<>(items);
        c.valueProperty().addListener((o, a, b) -> { if (b != null && b != value.get()) value.set(b); });
        value.addListener((o, a, b) -> { if (!b.equals(c.getValue())) c.setValue(b.intValue()); });
        items.addListener((javafx.collections.ListChangeListener<Integer>) ch -> c.setValue(value.get()));
        c.setValue(value.get());
        c.setPrefWidth(70);
        return c;
    }

    /** Adds "after step N (model)" under the chart's title. */
    static void stepSubtitle(JFreeChart chart, Snapshot s) {
        if (s == null) return;
        chart.addSubtitle(new TextTitle("after step " + s.step() + " · " + s.model()));
    }

    /** "data 3,7,12; delimiter 20" from an example's marks (noise left out). */
    static String describeMarks(SequenceExample ex) {
        List<String> parts = new ArrayList<>();
        for (Mark m : ex.marks()) {
            if (m.role().equals("noise")) continue;
            StringBuilder sb = new StringBuilder(m.role()).append(' ');
            int[] p = m.positions();
            for (int i = 0; i < p.length; i++) sb.append(i == 0 ? "" : ",").append(p[i]);
            parts.add(sb.toString());
        }
        return String.join("; ", parts);
    }
}
