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

    OffThreadChart(ExecutorService renderer) {
        this.renderer = renderer;
        view.setManaged(false);
        getChildren().add(view);
        setMinSize(200, 120);
        widthProperty().addListener((o, a, b) -> requestRender());
        heightProperty().addListener((o, a, b) -> requestRender());
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
            BufferedImage img = ChartImages.toImage(c, w, h);
            WritableImage fx = SwingFXUtils.toFXImage(img, null);
            Platform.runLater(() -> view.setImage(fx));
        });
    }
}
