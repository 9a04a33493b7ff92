package dev.mambamixer.workbench.view;

import dev.mambamixer.charts.ColourScale;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.collections.ObservableList;
import javafx.scene.control.ComboBox;

/** Small helpers the tabs share: combo boxes bound to index, value and colour-scale properties. */
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

    /** The colour-scale picker of a heatmap view, bound to {@code scale} both ways. */
    static ComboBox<ColourScale> scaleChoice(ObjectProperty<ColourScale> scale) {
        ComboBox<ColourScale> c = new ComboBox<>();
        c.getItems().setAll(ColourScale.values());
        c.valueProperty().bindBidirectional(scale);
        c.setTooltip(new javafx.scene.control.Tooltip("linear: one scale over the values shown; log₁₀: when one cell dwarfs "
                                                      + "the rest; per row: each row ÷ its largest |value|, where each row selects, not how much"));
        return c;
    }
}
