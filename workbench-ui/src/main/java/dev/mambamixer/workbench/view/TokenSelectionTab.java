package dev.mambamixer.workbench.view;

import dev.mambamixer.charts.Heatmap;
import dev.mambamixer.charts.SelectionCharts;
import dev.mambamixer.engine.data.teaching.Mark;
import dev.mambamixer.engine.data.teaching.SequenceExample;
import dev.mambamixer.engine.introspect.ScanQuantity;
import dev.mambamixer.workbench.vm.SelectionViewModel;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import org.jfree.chart.fx.ChartViewer;

/**
 * Token selection: Δ (or B, C, gate, retention) over positions × inner channels for a layer and
 * sequence, with what the mixer selects from above it: the probe window's input series (TSM2),
 * or the example's tokens, targets and the model's predictions (teaching).
 */
final class TokenSelectionTab extends ChartTab {
    private final SelectionViewModel vm;
    private final ChartViewer viewer = viewer(null);
    private final ChartViewer inputViewer = viewer(null);
    private final BorderPane body = new BorderPane();
    private Heatmap heatmap;
    /** The teaching strip shown now (tests), or null. */
    SelectionViewModel.TokenStrip strip;

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
        inputViewer.setPrefHeight(150);
        inputViewer.setMinHeight(110);
        body.setCenter(viewer);
        vm.revisionProperty().addListener((o, a, b) -> redraw.request());
    }

    @Override void redrawNow() {
        heatmap = vm.tokenChart();
        if (heatmap == null) {
            root.setCenter(placeholder);
            return;
        }
        viewer.setChart(heatmap.chart());
        strip = vm.tokenStrip();
        float[] series = vm.tokenInputSeries();
        if (strip != null) body.setTop(tokens(strip));
        else if (series != null) {
            inputViewer.setChart(SelectionCharts.inputSeries(series, "Input: " + vm.tokenSequences().get(vm.tokenSequenceProperty().get())
                                 + " (" + series.length + " time steps; the heatmap's positions are its patches, left to right)", 0, 0));
            body.setTop(inputViewer);
        } else body.setTop(null);
        root.setCenter(body);
    }

    /** Input, target and predicted token per position; marked inputs tinted, predictions green when right, red when wrong. */
    private static Node tokens(SelectionViewModel.TokenStrip s) {
        GridPane g = new GridPane();
        g.setHgap(2);
        g.setVgap(2);
        g.setPadding(new Insets(6, 10, 4, 10));
        String[] rows = {"position", "input", "target", "predicted"};
        for (int r = 0; r < rows.length; r++) {
            Label h = cell(rows[r], "-fx-font-weight: bold;");
            h.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);   // row names in full
            g.add(h, 0, r);
        }
        for (int i = 0; i < s.tokens().length; i++) {
            String role = null;
            for (Mark m : s.marks()) for (int p : m.positions()) if (p == i && !m.role().equals("noise")) role = m.role();
            java.awt.Color c = role == null ? null : SelectionCharts.roleColor(role);
            g.add(cell(Integer.toString(i), "-fx-text-fill: #888888;"), i + 1, 0);
            g.add(cell(Integer.toString(s.tokens()[i]), c == null ? "" : String.format("-fx-background-color: rgba(%d,%d,%d,0.25);",
                                                                                        c.getRed(), c.getGreen(), c.getBlue())), i + 1, 1);
            boolean asked = s.targets()[i] != SequenceExample.IGNORE;
            g.add(cell(asked ? Integer.toString(s.targets()[i]) : "·", ""), i + 1, 2);
            String verdict = !asked ? "-fx-text-fill: #aaaaaa;"
                                    : s.predicted()[i] == s.targets()[i] ? "-fx-background-color: #c7e9c0;" : "-fx-background-color: #fcbba1;";
            g.add(cell(Integer.toString(s.predicted()[i]), verdict), i + 1, 3);
        }
        Label score = new Label(String.format("example %d: %d of %d answers right", s.example(), s.correct(), s.asked()));
        score.setStyle("-fx-font-size: 14px; -fx-font-weight: bold; -fx-padding: 4 0 0 10;");
        // long sequences scroll sideways instead of widening the tab past the window (the heatmap keeps its width)
        javafx.scene.control.ScrollPane scroll = new javafx.scene.control.ScrollPane(g);
        scroll.setFitToHeight(true);
        scroll.setVbarPolicy(javafx.scene.control.ScrollPane.ScrollBarPolicy.NEVER);
        scroll.setMinWidth(0);
        scroll.setStyle("-fx-background-color: transparent;");   // (not -fx-background: label text derives its colour from it)
        return new javafx.scene.layout.VBox(score, scroll);
    }

    private static Label cell(String text, String style) {
        Label l = new Label(text);
        l.setMinWidth(22);
        l.setAlignment(javafx.geometry.Pos.CENTER);
        l.setStyle("-fx-font-family: monospace; -fx-font-size: 11px; -fx-padding: 1 2 1 2; -fx-text-fill: #222222;" + style);
        return l;
    }

    /** The heatmap shown now (tests), or null. */
    Heatmap heatmap() { return root.getCenter() == body ? heatmap : null; }
}
