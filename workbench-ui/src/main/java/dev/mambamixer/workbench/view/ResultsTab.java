package dev.mambamixer.workbench.view;

import dev.mambamixer.charts.VisionCharts;
import dev.mambamixer.workbench.session.UiEvents.Mistake;
import dev.mambamixer.workbench.vm.ResultsViewModel;
import javafx.embed.swing.SwingFXUtils;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.SplitPane;
import javafx.scene.image.ImageView;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.jfree.chart.fx.ChartViewer;

/**
 * The held-out evaluation of a ViM2 run: confusion matrix (one colour scale, counts printed),
 * accuracy per class, and the most confidently wrong images with "true → predicted (p)".
 */
final class ResultsTab extends ChartTab {
    private final ResultsViewModel vm;
    private final ChartViewer confusion = viewer(null), perClass = viewer(null);
    private final FlowPane mistakes = new FlowPane(10, 10);
    private final Label summary = new Label();
    private final SplitPane split;

    ResultsTab(ResultsViewModel vm) {
        super("Results", "No held-out evaluation yet: ViM2 runs evaluate the held-out images after every epoch.");
        this.vm = vm;
        summary.setWrapText(true);
        controls.getChildren().add(summary);
        mistakes.setPadding(new Insets(6, 8, 8, 8));
        ScrollPane scroll = new ScrollPane(mistakes);
        scroll.setFitToWidth(true);
        Label title = new Label("Most confidently wrong: true → predicted (p)");
        title.setStyle("-fx-font-weight: bold; -fx-padding: 4 8 0 8;");
        title.setWrapText(true);
        title.setMaxWidth(Double.MAX_VALUE);
        title.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        VBox right = new VBox(perClass, title, scroll);
        VBox.setVgrow(perClass, Priority.ALWAYS);
        VBox.setVgrow(scroll, Priority.ALWAYS);
        perClass.setPrefHeight(320);
        split = new SplitPane(confusion, right);
        split.setOrientation(Orientation.HORIZONTAL);
        split.setDividerPositions(0.5);
        vm.revisionProperty().addListener((o, a, b) -> redraw.request());
    }

    @Override void redrawNow() {
        if (!vm.hasResults()) {
            root.setCenter(placeholder);
            summary.setText("");
            return;
        }
        summary.setText(vm.summary());
        confusion.setChart(vm.confusionChart().chart());
        perClass.setChart(vm.perClassChart());
        mistakes.getChildren().clear();
        for (Mistake m : vm.mistakes()) {
            int zoom = Math.max(1, 84 / Math.max(m.height(), m.width()));
            ImageView img = new ImageView(SwingFXUtils.toFXImage(
                    VisionCharts.thumbnail(m.pixels(), m.height(), m.width(), m.channels(), zoom), null));
            Label l = new Label(vm.label(m));
            l.setStyle("-fx-font-size: 12px;");
            VBox cell = new VBox(3, img, l);
            cell.setAlignment(Pos.CENTER);
            mistakes.getChildren().add(cell);
        }
        if (vm.mistakes().isEmpty()) mistakes.getChildren().add(new Label("No wrongly classified image."));
        root.setCenter(split);
    }
}
