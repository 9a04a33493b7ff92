package dev.mambamixer.workbench.view;

import dev.mambamixer.workbench.vm.ConfigViewModel;
import dev.mambamixer.workbench.vm.ConfigViewModel.DataChoice;
import dev.mambamixer.workbench.vm.ConfigViewModel.Preset;
import dev.mambamixer.workbench.vm.Field;
import dev.mambamixer.workbench.vm.WorkbenchViewModel;
import java.io.File;
import javafx.beans.binding.Bindings;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;

/**
 * Left panel: dataset (sample data, teaching tasks, any benchmark CSV), presets, every field of
 * the model and training configuration with its tooltip and validation message, and the banner
 * that asks to reset after a structural ("cold") change.
 */
final class ConfigPanel {
    final VBox root = new VBox(8);
    private final ConfigViewModel vm;
    private final GridPane grid = new GridPane();
    final ComboBox<DataChoice> data;
    final ComboBox<Preset> presets = new ComboBox<>();

    ConfigPanel(WorkbenchViewModel wvm) {
        this.vm = wvm.config();
        root.setPadding(new Insets(10));
        root.getStyleClass().add("config-panel");
        Label title = new Label("Dataset");
        title.getStyleClass().add("section");
        data = new ComboBox<>(vm.dataChoices());
        data.valueProperty().bindBidirectional(vm.dataProperty());
        data.setMaxWidth(Double.MAX_VALUE);
        data.setId("dataset");
        Button csv = new Button("Open CSV…");
        csv.setTooltip(new Tooltip("Any benchmark-format CSV: a date column, then numeric columns (ETTh1, weather, ...)"));
        csv.setOnAction(e -> {
            FileChooser fc = new FileChooser();
            fc.setTitle("Open a benchmark-format CSV");
            fc.getExtensionFilters().addAll(new FileChooser.ExtensionFilter("CSV", "*.csv", "*.csv.gz"),
                                            new FileChooser.ExtensionFilter("All files", "*"));
            File f = fc.showOpenDialog(root.getScene().getWindow());
            if (f != null) wvm.openCsv(f.toPath());
        });
        Label model = new Label();
        model.textProperty().bind(Bindings.createStringBinding(
                () -> "Model: " + switch (vm.modelProperty().get()) {
                    case TSM2 -> "TSM2 (MambaMixer forecaster)";
                    case TEACHING -> "MambaMixer token-sequence model";
                    case VISION -> "ViM2 (vision MambaMixer, SS2D)";
                },
                vm.modelProperty()));
        model.setTooltip(new Tooltip("The dataset picks the model: CSV data trains TSM2, a teaching task the token-sequence "
                                     + "model, image data (MNIST, digits, cluttered canvases) ViM2."));

        Label pTitle = new Label("Preset");
        pTitle.getStyleClass().add("section");
        presets.setMaxWidth(Double.MAX_VALUE);
        presets.setPromptText("paper settings, quick look, …");
        Button apply = new Button("Apply");
        apply.disableProperty().bind(presets.valueProperty().isNull());
        apply.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        presets.setMinWidth(120);
        apply.setOnAction(e -> {
            Preset p = presets.getValue();
            if (p != null) vm.applyPreset(p);
        });
        presets.valueProperty().addListener((o, a, b) -> presets.setTooltip(b == null ? null : new Tooltip(b.description())));
        HBox presetRow = new HBox(6, presets, apply);
        HBox.setHgrow(presets, Priority.ALWAYS);
        vm.modelProperty().addListener((o, a, b) -> presets.getItems().setAll(vm.presetsForModel()));
        presets.getItems().setAll(vm.presetsForModel());

        Label fTitle = new Label("Configuration");
        fTitle.getStyleClass().add("section");
        grid.setHgap(8);
        grid.setVgap(4);
        vm.visibleFields().addListener((ListChangeListener<Field>) c -> rebuildFields());
        rebuildFields();

        Label errors = new Label();
        errors.getStyleClass().add("errors");
        errors.setWrapText(true);
        errors.textProperty().bind(Bindings.createStringBinding(() -> String.join("\n", vm.errors()), vm.errors()));
        errors.visibleProperty().bind(Bindings.isNotEmpty(vm.errors()));
        errors.managedProperty().bind(errors.visibleProperty());

        Label cold = new Label();
        cold.setWrapText(true);
        cold.textProperty().bind(Bindings.createStringBinding(
                () -> "Structural change (" + String.join(", ", vm.pendingColdChanges())
                      + "): it applies to a new model. Reset, then Start.", vm.pendingColdChanges()));
        Button reset = new Button("Reset now");
        reset.setOnAction(e -> wvm.reset());
        VBox banner = new VBox(4, cold, reset);
        banner.getStyleClass().add("cold-banner");
        banner.visibleProperty().bind(vm.coldChangePendingProperty());
        banner.managedProperty().bind(banner.visibleProperty());

        root.getChildren().addAll(title, data, csv, model, pTitle, presetRow, banner, fTitle, grid, errors);
    }

    private void rebuildFields() {
        grid.getChildren().clear();
        int row = 0;
        for (Field f : vm.visibleFields()) {
            Label l = new Label(f.label());
            Tooltip tip = new Tooltip(f.tooltip() + (f.hot() ? "\n(hot: applies while training)" : "\n(cold: needs a new model)"));
            l.setTooltip(tip);
            Node editor = editor(f, tip);
            grid.add(l, 0, row);
            grid.add(editor, 1, row);
            if (f.hot()) {
                Label hot = new Label("hot");
                hot.getStyleClass().add("hot");
                hot.setTooltip(new Tooltip("Applies to the running model at once"));
                grid.add(hot, 2, row);
            }
            row++;
        }
    }

    private Node editor(Field f, Tooltip tip) {
        Node n;
        switch (f.type()) {
            case BOOL -> {
                CheckBox c = new CheckBox();
                c.setSelected(f.boolValue());
                c.selectedProperty().addListener((o, a, b) -> f.textProperty().set(Boolean.toString(b)));
                f.textProperty().addListener((o, a, b) -> c.setSelected(Boolean.parseBoolean(b)));
                c.setTooltip(tip);
                n = c;
            }
            case CHOICE -> {
                ComboBox<String> c = new ComboBox<>();
                c.getItems().setAll(f.choices());
                c.valueProperty().bindBidirectional(f.textProperty());
                c.setTooltip(tip);
                n = c;
            }
            default -> {
                TextField t = new TextField();
                t.setPrefColumnCount(8);
                t.textProperty().bindBidirectional(f.textProperty());
                t.setTooltip(tip);
                Runnable mark = () -> {
                    boolean bad = !f.errorProperty().get().isEmpty();
                    t.pseudoClassStateChanged(javafx.css.PseudoClass.getPseudoClass("invalid"), bad);
                    t.setTooltip(bad ? new Tooltip(f.errorProperty().get()) : tip);
                };
                f.errorProperty().addListener((o, a, b) -> mark.run());
                mark.run();
                n = t;
            }
        }
        n.setId("field-" + f.key());
        return n;
    }
}
