package dev.mambamixer.workbench.view;

import dev.mambamixer.charts.ChartImages;
import java.awt.image.BufferedImage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import javafx.application.Platform;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.image.ImageView;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.Region;
import org.jfree.chart.JFreeChart;

/**
 * A chart drawn off the FX thread: the JFreeChart belongs to a renderer thread, which paints it
 * into an image of this region's size; the FX thread only swaps the finished image in. For charts
 * that change many times a second (the live curves), whose painting would otherwise cost the FX
 * thread tens of milliseconds per update. (Heatmaps, which change per snapshot and need tooltips,
 * stay in an interactive ChartViewer.)
 */
final class OffThreadChart extends Region {
    private final ExecutorService renderer;
    private final ImageView view = new ImageView();
    private final AtomicBoolean queued = new AtomicBoolean();
    private volatile JFreeChart chart;   // touched on the renderer thread only (set there too)
    private volatile int width, height;

    private final javafx.scene.shape.Line crosshair = new javafx.scene.shape.Line();
    private final javafx.scene.shape.Rectangle selection = new javafx.scene.shape.Rectangle();

    OffThreadChart(ExecutorService renderer) {
        this.renderer = renderer;
        view.setManaged(false);
        crosshair.setManaged(false);
        crosshair.setStroke(javafx.scene.paint.Color.gray(0.35));
        crosshair.getStrokeDashArray().setAll(4.0, 3.0);
        crosshair.setMouseTransparent(true);
        crosshair.setVisible(false);
        selection.setManaged(false);
        selection.setFill(javafx.scene.paint.Color.rgb(31, 119, 180, 0.15));
        selection.setStroke(javafx.scene.paint.Color.rgb(31, 119, 180, 0.8));
        selection.setMouseTransparent(true);
        selection.setVisible(false);
        getChildren().addAll(view, crosshair, selection);
        setMinSize(200, 120);
        widthProperty().addListener((o, a, b) -> requestRender());
        heightProperty().addListener((o, a, b) -> requestRender());
    }

    /** How the last image maps pixels to the x axis: the data area (pixels) and the x range it showed. */
    record XMapping(double left, double width, double lower, double upper, double top, double height) {
        /** Data x at pixel {@code px}, or NaN outside the data area. */
        double x(double px) {
            if (width <= 0 || px < left || px > left + width) return Double.NaN;
            return lower + (px - left) / width * (upper - lower);
        }

        /** Pixel of data x. */
        double px(double x) { return left + (x - lower) / (upper - lower) * width; }
    }

    private volatile XMapping mapping;

    /** The mapping of the image shown (null before the first render). */
    XMapping mapping() { return mapping; }

    /** FX thread: a vertical line at pixel {@code px} over the data area (NaN hides it). */
    void crosshair(double px) {
        XMapping m = mapping;
        if (m == null || Double.isNaN(px)) {
            crosshair.setVisible(false);
            return;
        }
        crosshair.setStartX(px);
        crosshair.setEndX(px);
        crosshair.setStartY(m.top());
        crosshair.setEndY(m.top() + m.height());
        crosshair.setVisible(true);
    }

    /** FX thread: the band being dragged out for a zoom, from pixel a to b (NaN hides it). */
    void selectionBand(double a, double b) {
        XMapping m = mapping;
        if (m == null || Double.isNaN(a) || Double.isNaN(b)) {
            selection.setVisible(false);
            return;
        }
        selection.setX(Math.min(a, b));
        selection.setWidth(Math.abs(b - a));
        selection.setY(m.top());
        selection.setHeight(m.height());
        selection.setVisible(true);
    }

    /** Renderer thread: the chart to draw from now on. */
    void setChart(JFreeChart c) { chart = c; }

    JFreeChart chart() { return chart; }

    /** FX thread: size of the image shown now (0 × 0 before the first render). */
    int[] imageSize() {
        var img = view.getImage();
        return img == null ? new int[] {0, 0} : new int[] {(int) img.getWidth(), (int) img.getHeight()};
    }

    /** FX thread: draw the chart again at the current size (coalesced: one render in the queue at most). */
    void requestRender() {
        width = (int) Math.round(getWidth());
        height = (int) Math.round(getHeight());
        if (!queued.compareAndSet(false, true)) return;
        renderer.execute(() -> {
            queued.set(false);
            JFreeChart c = chart;
            int w = width, h = height;
            if (c == null || w < 20 || h < 20) return;
            org.jfree.chart.ChartRenderingInfo info = new org.jfree.chart.ChartRenderingInfo();
            BufferedImage img = ChartImages.toImage(c, w, h, info);
            java.awt.geom.Rectangle2D area = info.getPlotInfo().getDataArea();
            org.jfree.data.Range x = c.getPlot() instanceof org.jfree.chart.plot.XYPlot p ? p.getDomainAxis().getRange() : null;
            if (x != null) mapping = new XMapping(area.getMinX(), area.getWidth(), x.getLowerBound(), x.getUpperBound(),
                                                  area.getMinY(), area.getHeight());
            WritableImage fx = SwingFXUtils.toFXImage(img, null);
            Platform.runLater(() -> view.setImage(fx));
        });
    }
}
