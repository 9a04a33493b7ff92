package dev.mambamixer.workbench.view;

import dev.mambamixer.charts.VisionCharts;
import dev.mambamixer.workbench.vm.VisionViewModel;
import dev.mambamixer.workbench.vm.VisionViewModel.Overlay;
import dev.mambamixer.workbench.vm.VisionViewModel.Panel;
import java.util.ArrayList;
import java.util.List;
import javafx.collections.ListChangeListener;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.RowConstraints;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.fx.interaction.ChartMouseEventFX;
import org.jfree.chart.fx.interaction.ChartMouseListenerFX;
import org.jfree.chart.plot.XYPlot;

/**
 * What ViM2 selects on a probe image: the input image and, per cross-scan direction of the chosen
 * SS2D token mixer, Δ or the implicit attention of the query token over the image, plus the merged
 * map. A click on any panel makes the token under it the query (the view model owns it).
 */
final class VisionTab extends ChartTab {
    private final VisionViewModel vm;
    private final GridPane grid = new GridPane();
    private final List<ChartViewer> panels = new ArrayList<>();
    private final Label caption = new Label();
    private final BorderPane body = new BorderPane();

    VisionTab(VisionViewModel vm, Runnable capture) {
        super("Vision", "No ViM2 capture yet: pick MNIST, digits or cluttered canvas (ViM2) and press Start; the probe "
                        + "images are captured before training and after every epoch.");
        this.vm = vm;
        ComboBox<String> probe = indexed(vm.probeNames(), vm.probeProperty());
        ComboBox<String> stage = indexed(vm.stageNames(), vm.stageProperty());
        ComboBox<String> mixer = indexed(vm.mixerNames(), vm.mixerProperty());
        ComboBox<Overlay> overlay = new ComboBox<>();
        overlay.getItems().setAll(Overlay.values());
        overlay.valueProperty().bindBidirectional(vm.overlayProperty());
        Button now = new Button("Capture now");
        now.setTooltip(new Tooltip("Capture the probe images with the weights as they are now (when paused or finished)"));
        now.disableProperty().bind(vm.canCaptureProperty().not());
        now.setOnAction(e -> capture.run());
        controls.getChildren().addAll(label("Probe image"), probe, label("Stage"), stage, label("Mixer"), mixer,
                                      label("Overlay"), overlay, now);
        caption.getStyleClass().add("caption");
        caption.setStyle("-fx-padding: 2 8 2 8;");
        caption.setWrapText(true);
        for (int i = 0; i < 6; i++) {
            ChartViewer v = viewer(null);
            v.setMinSize(120, 120);
            v.addChartMouseListener(new ChartMouseListenerFX() {
                @Override public void chartMouseClicked(ChartMouseEventFX e) { clicked(v, e); }

                @Override public void chartMouseMoved(ChartMouseEventFX e) {}
            });
            panels.add(v);
            grid.add(v, i % 3, i / 3);
        }
        for (int c = 0; c < 3; c++) {
            ColumnConstraints cc = new ColumnConstraints();
            cc.setPercentWidth(100.0 / 3);
            cc.setHgrow(Priority.ALWAYS);
            grid.getColumnConstraints().add(cc);
        }
        for (int r = 0; r < 2; r++) {
            RowConstraints rc = new RowConstraints();
            rc.setPercentHeight(50);
            rc.setVgrow(Priority.ALWAYS);
            grid.getRowConstraints().add(rc);
        }
        body.setTop(caption);
        body.setCenter(grid);
        vm.revisionProperty().addListener((o, a, b) -> redraw.request());
        grid.widthProperty().addListener((o, a, b) -> redraw.request());
        grid.heightProperty().addListener((o, a, b) -> redraw.request());
    }

    /** A combo box whose selected index follows an integer property both ways. */
    private static ComboBox<String> indexed(javafx.collections.ObservableList<String> items,
                                            javafx.beans.property.IntegerProperty index) {
        ComboBox<String> box = new ComboBox<>(items);
        box.getSelectionModel().selectedIndexProperty().addListener((o, a, b) -> {
            if (b.intValue() >= 0 && b.intValue() != index.get()) index.set(b.intValue());
        });
        index.addListener((o, a, b) -> {
            if (box.getSelectionModel().getSelectedIndex() != b.intValue()) box.getSelectionModel().select(b.intValue());
        });
        items.addListener((ListChangeListener<String>) c -> {
            if (index.get() < items.size()) box.getSelectionModel().select(index.get());
        });
        return box;
    }

    /** Maps a click to the token under it (data coordinates of the panel's plot) and hands it to the view model. */
    private void clicked(ChartViewer v, ChartMouseEventFX e) {
        if (!vm.hasCapture() || v.getChart() == null || !(v.getChart().getPlot() instanceof XYPlot plot)) return;
        var info = v.getCanvas().getRenderingInfo();
        if (info == null) return;
        var area = info.getPlotInfo().getDataArea();
        double x = plot.getDomainAxis().java2DToValue(e.getTrigger().getX(), area, plot.getDomainAxisEdge());
        double y = plot.getRangeAxis().java2DToValue(e.getTrigger().getY(), area, plot.getRangeAxisEdge());
        int[] t = VisionCharts.tokenAt(x, y, vm.tokenRows(), vm.tokenCols());
        if (t != null) vm.setQuery(t[0], t[1]);
    }

    @Override void redrawNow() {
        if (!vm.hasCapture()) {
            root.setCenter(placeholder);
            return;
        }
        float[] img = vm.image();
        int h = vm.imageHeight(), w = vm.imageWidth(), c = vm.imageChannels(), rows = vm.tokenRows(), cols = vm.tokenCols();
        boolean attention = vm.overlayProperty().get() == Overlay.ATTENTION;
        int[] q = attention ? vm.query() : null;
        List<JFreeChart> charts = new ArrayList<>();
        charts.add(VisionCharts.overlay("input (click: query)", img, h, w, c, null, rows, cols, null, null,
                                        vm.query()));
        List<Panel> ps = vm.panels();
        // grid: input, row-major, column-major / merged, row-major reversed, column-major reversed
        List<JFreeChart> overlays = new ArrayList<>();
        for (Panel p : ps) overlays.add(VisionCharts.overlay(p.title(), img, h, w, c, p.map(), rows, cols, p.scale(),
                                                              p.valueLabel(), q));
        charts.add(overlays.get(0));
        charts.add(overlays.get(1));
        charts.add(overlays.get(4));
        charts.add(overlays.get(2));
        charts.add(overlays.get(3));
        for (int i = 0; i < panels.size(); i++) {
            ChartViewer v = panels.get(i);
            // the image keeps its shape: pad the chart to the token grid's aspect at the panel's size
            VisionCharts.fitAspect(charts.get(i), (int) v.getWidth(), (int) v.getHeight(), cols / (double) rows);
            v.setChart(charts.get(i));
        }
        caption.setText(vm.caption() + (attention ? "" : " · Δ: mean over the inner channels"));
        root.setCenter(body);
    }
}
