package dev.mambamixer.workbench.view;

import dev.mambamixer.workbench.session.RunSummary;
import dev.mambamixer.workbench.vm.RunsViewModel;
import dev.mambamixer.workbench.vm.WorkbenchViewModel;
import java.util.List;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.transformation.SortedList;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.control.cell.TextFieldTableCell;
import javafx.util.converter.DefaultStringConverter;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;

/**
 * The runs table (File → Runs…): every run folder with its kind, dataset, settings, best
 * validation, test result, steps, duration and status; rename a run (double-click its name), sort
 * by any column, filter by words, open one (explore) or overlay the ticked ones on the training
 * curves (compare).
 */
final class RunsTable {
    final BorderPane root = new BorderPane();
    final TableView<RunSummary> table = new TableView<>();
    final TextField filter = new TextField();

    RunsTable(WorkbenchViewModel vm) {
        RunsViewModel runs = vm.runs();
        SortedList<RunSummary> sorted = new SortedList<>(runs.shown());
        sorted.comparatorProperty().bind(table.comparatorProperty());
        table.setItems(sorted);
        table.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
        table.setPlaceholder(new Label("No run folders in " + vm.session().runsDir()));
        TableColumn<RunSummary, String> name = text("run", RunSummary::name, 270);
        name.setId("runs-name");
        // double-click a name to rename the run (its folder keeps its name; the filter finds both)
        name.setCellFactory(c -> new TextFieldTableCell<>(new DefaultStringConverter()) {
            @Override public void updateItem(String v, boolean empty) {
                super.updateItem(v, empty);
                RunSummary r = empty || getTableRow() == null ? null : getTableRow().getItem();
                setTooltip(r == null ? null : new Tooltip(r.folder() + "\ndouble-click to rename"));
            }
        });
        name.setOnEditCommit(e -> vm.renameRun(e.getRowValue(), e.getNewValue()));
        table.setEditable(true);
        table.getColumns().add(name);
        table.getColumns().add(text("model", RunSummary::kind, 70));
        table.getColumns().add(text("dataset", RunSummary::dataset, 120));
        table.getColumns().add(text("settings", RunSummary::settings, 290));
        TableColumn<RunSummary, Double> best = number("best validation", RunSummary::best, 125);
        best.setCellFactory(c -> formatted());
        TableColumn<RunSummary, Double> test = number("test", RunSummary::test, 80);
        test.setCellFactory(c -> formatted());
        table.getColumns().add(best);
        table.getColumns().add(test);
        TableColumn<RunSummary, Double> steps = number("steps", r -> (double) r.steps(), 65);
        steps.setCellFactory(c -> cell(v -> String.format("%,d", v.longValue())));
        table.getColumns().add(steps);
        TableColumn<RunSummary, Double> time = number("time", RunSummary::seconds, 60);
        time.setCellFactory(c -> cell(RunsViewModel::duration));
        table.getColumns().add(time);
        table.getColumns().add(text("status", RunSummary::status, 85));

        filter.setPromptText("filter: words in the name, folder, model, dataset, settings or status");
        filter.textProperty().bindBidirectional(runs.filterProperty());
        HBox.setHgrow(filter, Priority.ALWAYS);
        Button refresh = new Button("Refresh");
        refresh.setOnAction(e -> runs.refresh(vm.session().runsDir()));
        Button open = new Button("Open");
        open.setId("runs-open");
        open.setTooltip(new javafx.scene.control.Tooltip("Explore the selected run folder"));
        open.disableProperty().bind(javafx.beans.binding.Bindings.size(table.getSelectionModel().getSelectedItems()).isNotEqualTo(1));
        open.setOnAction(e -> vm.explore(table.getSelectionModel().getSelectedItem().dir()));
        Button compare = new Button("Compare selected");
        compare.setId("runs-compare");
        compare.setTooltip(new javafx.scene.control.Tooltip("Overlay the selected runs on the training curves"));
        compare.disableProperty().bind(javafx.beans.binding.Bindings.isEmpty(table.getSelectionModel().getSelectedItems()));
        compare.setOnAction(e -> {
            for (RunSummary r : List.copyOf(table.getSelectionModel().getSelectedItems())) vm.compare(r.dir());
        });
        HBox bar = new HBox(8, filter, refresh, open, compare);
        bar.setPadding(new Insets(8));
        root.setTop(bar);
        root.setCenter(table);
        runs.refresh(vm.session().runsDir());
    }

    private static TableColumn<RunSummary, String> text(String title, Function<RunSummary, String> value, double width) {
        TableColumn<RunSummary, String> c = new TableColumn<>(title);
        c.setCellValueFactory(r -> new ReadOnlyObjectWrapper<>(value.apply(r.getValue())));
        c.setPrefWidth(width);
        return c;
    }

    private static TableColumn<RunSummary, Double> number(String title, Function<RunSummary, Double> value, double width) {
        TableColumn<RunSummary, Double> c = new TableColumn<>(title);
        c.setCellValueFactory(r -> new ReadOnlyObjectWrapper<>(value.apply(r.getValue())));
        c.setPrefWidth(width);
        // NaN (not measured) sorts last whatever the direction's order
        c.setComparator((a, b) -> Double.isNaN(a) ? (Double.isNaN(b) ? 0 : 1) : Double.isNaN(b) ? -1 : Double.compare(a, b));
        return c;
    }

    /** A best/test value as its row reads it: MSE to 4 decimals, accuracy in percent. */
    private static javafx.scene.control.TableCell<RunSummary, Double> formatted() {
        return new javafx.scene.control.TableCell<>() {
            @Override protected void updateItem(Double v, boolean empty) {
                super.updateItem(v, empty);
                RunSummary r = empty || getTableRow() == null ? null : getTableRow().getItem();
                setText(v == null || r == null ? null : RunsViewModel.format(r, v));
            }
        };
    }

    private static javafx.scene.control.TableCell<RunSummary, Double> cell(Function<Double, String> f) {
        return new javafx.scene.control.TableCell<>() {
            @Override protected void updateItem(Double v, boolean empty) {
                super.updateItem(v, empty);
                setText(empty || v == null || Double.isNaN(v) ? null : f.apply(v));
            }
        };
    }
}
