package dev.mambamixer.workbench.view;

import dev.mambamixer.charts.ParallelAxis;
import dev.mambamixer.charts.ParallelCoordinates;
import dev.mambamixer.charts.ParallelCoordinates.Layout;
import dev.mambamixer.workbench.vm.SweepViewModel;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import javafx.application.Platform;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.image.ImageView;
import javafx.scene.layout.Region;
import javafx.scene.shape.Rectangle;

/**
 * The sweep's parallel-coordinates chart, drawn off the FX thread (the charts module renders it
 * into an image of this region's size). Drag vertically on an axis to brush it; click an axis to
 * clear its brush. Pixels map to values through the {@link Layout} the shown image was drawn with.
 */
final class ParallelChartPane extends Region {
    private final SweepViewModel vm;
    private final ExecutorService renderer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "parallel-renderer");
        t.setDaemon(true);
        return t;
    });
    private final ImageView view = new ImageView();
    private final Rectangle band = new Rectangle();
    private final AtomicBoolean queued = new AtomicBoolean();
    /** What the image on screen was drawn with (FX thread). */
    private Layout layout;
    private List<ParallelAxis> axes = List.of();
    private int dragAxis = -1;
    private double dragFrom;
    private long renders;

    ParallelChartPane(SweepViewModel vm) {
        this.vm = vm;
        setId("sweep-parallel");
        view.setManaged(false);
        band.setManaged(false);
        band.setMouseTransparent(true);
        band.setVisible(false);
        band.setFill(javafx.scene.paint.Color.rgb(31, 119, 180, 0.2));
        band.setStroke(javafx.scene.paint.Color.rgb(31, 119, 180));
        getChildren().addAll(view, band);
        setMinSize(300, 200);
        Rectangle clip = new Rectangle();   // an older, larger image stays inside while the next one is drawn
        clip.widthProperty().bind(widthProperty());
        clip.heightProperty().bind(heightProperty());
        setClip(clip);
        widthProperty().addListener((o, a, b) -> requestRender());
        heightProperty().addListener((o, a, b) -> requestRender());
        vm.revisionProperty().addListener((o, a, b) -> requestRender());
        setOnMousePressed(e -> {
            dragAxis = layout == null ? -1 : layout.axisAt(e.getX(), e.getY());
            dragFrom = e.getY();
        });
        setOnMouseDragged(e -> {
            if (dragAxis < 0) return;
            double x = layout.axisX(dragAxis);
            band.setX(x - 9);
            band.setWidth(18);
            band.setY(Math.min(dragFrom, e.getY()));
            band.setHeight(Math.abs(e.getY() - dragFrom));
            band.setVisible(true);
        });
        setOnMouseReleased(e -> {
            band.setVisible(false);
            if (dragAxis < 0 || dragAxis >= axes.size()) return;
            ParallelAxis a = axes.get(dragAxis);
            if (Math.abs(e.getY() - dragFrom) < 4) vm.clearBrush(a.name());   // a click clears
            else vm.brush(a.name(), layout.range(a, dragFrom, e.getY()));
            dragAxis = -1;
        });
    }

    /** What one render draws, taken on the FX thread. */
    private record Job(String title, List<ParallelAxis> axes, List<ParallelCoordinates.Line> lines,
                       Map<Integer, ParallelCoordinates.Range> brushes, int w, int h) {}

    private final java.util.concurrent.atomic.AtomicReference<Job> pending = new java.util.concurrent.atomic.AtomicReference<>();

    /** FX thread: draws again at the current size with the view model's data (the newest request wins). */
    void requestRender() {
        int w = (int) Math.round(getWidth()), h = (int) Math.round(getHeight());
        if (w < 50 || h < 50 || vm.axes().isEmpty()) return;
        String title = "Settings → best validation MSE (" + vm.shown().size() + " of " + vm.rows().size() + " runs shown)";
        pending.set(new Job(title, vm.axes(), vm.lines(), vm.brushesByAxis(), w, h));
        if (!queued.compareAndSet(false, true)) return;
        renderer.execute(() -> {
            queued.set(false);
            Job j = pending.getAndSet(null);
            if (j == null) return;
            BufferedImage img = ParallelCoordinates.render(j.title(), j.axes(), j.lines(), j.brushes(), "No run has a validation yet.",
                                                           j.w(), j.h());
            Layout lay = ParallelCoordinates.layout(j.axes(), j.w(), j.h());
            var fx = SwingFXUtils.toFXImage(img, null);
            Platform.runLater(() -> {
                view.setImage(fx);
                layout = lay;
                axes = j.axes();
                renders++;
            });
        });
    }

    /** The layout of the image shown, null before the first (tests drive the mouse with it). */
    Layout chartLayout() { return layout; }

    long renders() { return renders; }

    /** Stops the renderer thread (the window closed). */
    void dispose() { renderer.shutdownNow(); }
}
