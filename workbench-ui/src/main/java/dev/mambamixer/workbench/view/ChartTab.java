package dev.mambamixer.workbench.view;

import java.util.ArrayList;
import java.util.List;
import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.control.Tab;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.FlowPane;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.fx.ChartViewer;

/**
 * A tab with a row of controls on top and one or more chart viewers; redraws are coalesced by
 * {@link Redraw} and skipped while the tab is hidden. Subclasses stay thin: they read their view
 * model and hand primitives to the charts module.
 */
abstract class ChartTab {
    final Tab tab;
    final BorderPane root = new BorderPane();
    final FlowPane controls = new FlowPane(10, 6);
    final Label placeholder = new Label();
    final Redraw redraw;
    final List<ChartViewer> viewers = new ArrayList<>();
    /** "?": shows the view's guide (what it shows, what to look for) under the controls. */
    final javafx.scene.control.ToggleButton guideToggle = new javafx.scene.control.ToggleButton("?");
    final Label guide = new Label();

    ChartTab(String title, String emptyText) {
        tab = new Tab(title, root);
        tab.setClosable(false);
        controls.setPadding(new Insets(6, 8, 6, 8));
        controls.getStyleClass().add("chart-controls");
        root.setTop(new javafx.scene.layout.VBox(controls, guide));
        dev.mambamixer.workbench.vm.ViewGuide.of(title).ifPresent(g -> {
            guide.setText(g.text());
            guideToggle.setTooltip(new javafx.scene.control.Tooltip("What this view shows and what to look for"));
            guideToggle.setId("guide-" + title.toLowerCase(java.util.Locale.ROOT).replace(' ', '-'));
            controls.getChildren().add(guideToggle);
        });
        guide.setWrapText(true);
        guide.getStyleClass().add("view-guide");
        guide.setPadding(new Insets(6, 10, 6, 10));
        guide.visibleProperty().bind(guideToggle.selectedProperty());
        guide.managedProperty().bind(guide.visibleProperty());
        placeholder.setText(emptyText);
        placeholder.getStyleClass().add("placeholder");
        root.setCenter(placeholder);
        redraw = new Redraw(title, this::redrawNow, tab::isSelected);
        tab.selectedProperty().addListener((o, a, b) -> { if (b) redraw.shown(); });
    }

    abstract void redrawNow();

    ChartViewer viewer(JFreeChart chart) {
        ChartViewer v = new ChartViewer(chart);
        v.setMinSize(200, 150);
        viewers.add(v);
        return v;
    }

    /** The charts shown now (for PNG / CSV export), first = main. */
    List<JFreeChart> charts() {
        List<JFreeChart> out = new ArrayList<>();
        if (root.getCenter() == placeholder) return out;
        for (ChartViewer v : viewers) if (v.getChart() != null && v.getScene() != null) out.add(v.getChart());
        return out;
    }

    /** Writes the main chart as PNG (1200×750) or the data of all charts as CSV. */
    void export(java.nio.file.Path file, boolean png) throws java.io.IOException {
        List<JFreeChart> charts = charts();
        if (charts.isEmpty()) throw new java.io.IOException("the " + title() + " view has no chart yet");
        write(charts, file, png);
    }

    static void write(List<JFreeChart> charts, java.nio.file.Path file, boolean png) throws java.io.IOException {
        if (png) dev.mambamixer.charts.ChartImages.writePng(charts.get(0), 1200, 750, file);
        else {
            List<org.jfree.data.xy.XYDataset> ds = new ArrayList<>();
            for (JFreeChart c : charts) ds.addAll(dev.mambamixer.charts.ChartImages.datasets(c.getPlot()));
            dev.mambamixer.charts.ChartImages.writeCsv(ds, file);
        }
    }

    String title() { return tab.getText(); }

    long redraws() { return redraw.count(); }

    static Label label(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("control-label");
        return l;
    }
}
