package dev.mambamixer.workbench.view;

import dev.mambamixer.workbench.session.SweepRow;
import dev.mambamixer.workbench.vm.SweepViewModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/**
 * A sweep (File → Open sweep…): the hparams table (one row per run; sort by a header, filter by
 * words), the parallel-coordinates chart of settings → best validation MSE (brush an axis to
 * filter the table), and the training curves of the selected rows overlaid. Binds to a
 * {@link SweepViewModel}; a running sweep updates in place.
 */
final class SweepView {
    final BorderPane root = new BorderPane();
    final TableView<SweepRow> table = new TableView<>();
    final TextField filter = new TextField();
    final ParallelChartPane chart;
    final CurvesTab curves;
    private final SweepViewModel vm;
    private List<SweepViewModel.Column> shownColumns = List.of();
    private boolean restoring;

    /** @param explore opens a run folder in the main window (File → Open run folder), on a double-click on its row */
    SweepView(SweepViewModel vm, java.util.function.Consumer<java.nio.file.Path> explore) {
        this.vm = vm;
        table.setId("sweep-table");
        table.setItems(vm.sorted());
        vm.comparatorProperty().bind(table.comparatorProperty());
        table.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
        Label empty = new Label();
        empty.textProperty().bind(vm.statusProperty());   // "Reading …", or why the folder could not be read
        empty.setWrapText(true);
        table.setPlaceholder(empty);
        table.setRowFactory(t -> {
            TableRow<SweepRow> row = new TableRow<>() {
                @Override protected void updateItem(SweepRow r, boolean empty) {
                    super.updateItem(r, empty);
                    // the selected configuration of its setting: the runs whose test metrics count
                    setStyle(!empty && r != null && r.selected() ? "-fx-font-weight: bold;" : "");
                }
            };
            row.setOnMouseClicked(e -> {
                SweepRow r = row.getItem();
                if (e.getClickCount() == 2 && r != null && r.started()) explore.accept(r.dir());
            });
            return row;
        });
        table.setTooltip(new Tooltip("Double-click a run to open it in the main window, as File → Open run folder does"));
        table.getSelectionModel().getSelectedItems().addListener((ListChangeListener<SweepRow>) c -> {
            if (!restoring && !vm.updating()) vm.select(List.copyOf(table.getSelectionModel().getSelectedItems()));
        });
        vm.revisionProperty().addListener((o, a, b) -> {
            if (vm.columns() != shownColumns) buildColumns();
            restoreSelection();
        });

        filter.setId("sweep-filter");
        filter.setPromptText("filter: words in the run id, stage, status, dataset, T96 / H96, lr=1e-4, seed2, selected");
        filter.textProperty().bindBidirectional(vm.filterProperty());
        HBox.setHgrow(filter, Priority.ALWAYS);
        Button clear = new Button("Clear brushes");
        clear.setTooltip(new Tooltip("Show every run again (or click an axis to clear its brush)"));
        clear.disableProperty().bind(javafx.beans.binding.Bindings.isEmpty(vm.brushes()));
        clear.setOnAction(e -> vm.brushes().clear());
        Button refresh = new Button("Refresh");
        refresh.setOnAction(e -> vm.refresh());
        HBox bar = new HBox(8, filter, clear, refresh);
        bar.setPadding(new Insets(8, 8, 4, 8));
        Label status = new Label();
        status.setId("sweep-status");
        status.textProperty().bind(vm.statusProperty());
        status.setPadding(new Insets(0, 8, 6, 10));
        root.setTop(new VBox(bar, status));

        chart = new ParallelChartPane(vm);
        Label hint = new Label("Drag on an axis: brush (the table follows) · click an axis: clear · selected rows: outlined");
        hint.getStyleClass().add("readout");
        hint.setPadding(new Insets(2, 8, 2, 8));
        BorderPane chartBox = new BorderPane(chart, null, null, hint, null);
        curves = CurvesTab.overlay(vm.curves(), "Select runs in the table to overlay their training curves (train loss and "
                                                + "validation MSE per step).");
        TabPane curveTabs = new TabPane(curves.tab);
        curveTabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        SplitPane lower = new SplitPane(chartBox, curveTabs);
        lower.setDividerPositions(0.48);
        SplitPane all = new SplitPane(table, lower);
        all.setOrientation(Orientation.VERTICAL);
        all.setDividerPositions(0.36);
        root.setCenter(all);
    }

    /** One table column per view-model column; the cell holds the row, so sorting uses the column's own comparator. */
    private void buildColumns() {
        shownColumns = vm.columns();
        List<TableColumn<SweepRow, SweepRow>> cols = new ArrayList<>();
        for (SweepViewModel.Column c : shownColumns) {
            TableColumn<SweepRow, SweepRow> tc = new TableColumn<>(c.title());
            tc.setCellValueFactory(r -> new ReadOnlyObjectWrapper<>(r.getValue()));
            tc.setComparator(c.comparator());
            tc.setPrefWidth(width(c));
            tc.setCellFactory(x -> new TableCell<>() {
                @Override protected void updateItem(SweepRow r, boolean empty) {
                    super.updateItem(r, empty);
                    setText(empty || r == null ? null : c.text().apply(r));
                }
            });
            if (c.numeric()) tc.setStyle("-fx-alignment: CENTER-RIGHT;");
            cols.add(tc);
        }
        table.getColumns().setAll(cols);
    }

    private static double width(SweepViewModel.Column c) {
        return switch (c.title()) {
            case "run" -> 250;
            case "stage", "status", "wall time", "test MSE", "test MAE" -> 80;
            case "dataset" -> 90;
            case "T", "H", "seed" -> 55;
            case SweepViewModel.VAL_AXIS -> 125;
            default -> 75;
        };
    }

    /** Selects again the rows whose ids the view model holds (rows replaced by a live read, or shown again). */
    private void restoreSelection() {
        Set<String> want = vm.selectedIds();
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < table.getItems().size(); i++) if (want.contains(table.getItems().get(i).id())) idx.add(i);
        List<Integer> have = new ArrayList<>(table.getSelectionModel().getSelectedIndices());
        have.sort(null);
        if (have.equals(idx)) return;
        restoring = true;
        try {
            table.getSelectionModel().clearSelection();
            for (int i : idx) table.getSelectionModel().select(i);
        } finally {
            restoring = false;
        }
    }

    SweepViewModel sweepVm() { return vm; }

    /** The window closed: stop the chart renderer (the view model is closed by its owner). */
    void dispose() {
        chart.dispose();
        curves.dispose();
    }
}
