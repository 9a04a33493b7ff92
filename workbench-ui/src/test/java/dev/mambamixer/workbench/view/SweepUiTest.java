package dev.mambamixer.workbench.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mambamixer.charts.ParallelAxis;
import dev.mambamixer.charts.ParallelCoordinates.Layout;
import dev.mambamixer.workbench.Paths;
import dev.mambamixer.workbench.session.SweepRow;
import dev.mambamixer.workbench.vm.SweepFixture;
import dev.mambamixer.workbench.vm.WorkbenchViewModel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javafx.application.Platform;
import javafx.geometry.Point2D;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.input.KeyCode;
import javafx.scene.input.MouseButton;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * The sweep view on a headless screen: open the {@link SweepFixture} folder as File → Open sweep…
 * does, sort by a header, brush the lr axis of the parallel-coordinates chart with a mouse drag
 * (the table follows), select two rows with clicks (their curves are overlaid and drawn), read
 * the sweep again after a run finished (row, sort, brush and selection kept), click the axis to
 * clear the brush.
 */
@ExtendWith(ApplicationExtension.class)
class SweepUiTest {
    @TempDir static Path tmp;
    WorkbenchViewModel vm;
    MainView view;

    @Start void start(Stage stage) {
        vm = new WorkbenchViewModel(Paths.sampleData(), tmp.resolve("runs"), Platform::runLater, "cpu", 100);
        view = new MainView(vm);
        stage.setScene(new Scene(view.root(), 800, 500));
        stage.show();
    }

    @AfterEach void stop() { vm.close(); }

    static <T> T fx(Supplier<T> s) throws Exception { return dev.mambamixer.workbench.session.FxCall.call(s, 20); }

    static void await(String what, BooleanSupplier cond) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            if (fx(cond::getAsBoolean)) return;
            Thread.sleep(30);
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    @Test void openSortBrushSelectAndOverlay(FxRobot robot) throws Exception {
        Path dir = tmp.resolve("sweep");
        SweepFixture f = new SweepFixture(dir);
        Stage st = fx(() -> view.showSweep(dir));
        fx(() -> {
            st.setWidth(1300);
            st.setHeight(860);
            return null;
        });
        SweepView sv = MainView.sweepView(st);
        await("five rows", () -> sv.table.getItems().size() == 5);

        // the table's skin may replace header labels while it lays out: take one that is on screen
        await("the header shown", () -> robot.lookup(".column-header").lookup((Node n) -> shownLabel(n, "best val MSE"))
                                             .tryQuery().isPresent());
        robot.clickOn(robot.lookup(".column-header").lookup((Node n) -> shownLabel(n, "best val MSE")).<Node>query());
        await("sorted by best val MSE", () -> sv.table.getItems().get(0).bestValMse() == 0.30);

        // brush lr (the first axis) from above 1e-2 down to its middle: only the lr = 1e-2 runs stay
        await("the chart drawn", () -> sv.chart.chartLayout() != null && sv.chart.chartLayout().width() > 300);
        Layout lay = fx(sv.chart::chartLayout);
        ParallelAxis lr = fx(() -> sv.sweepVm().axes().get(0));
        assertEquals("lr", lr.name());
        Point2D top = fx(() -> sv.chart.localToScreen(lay.axisX(0), lay.y(lr.fraction(1e-2)) - 6));
        Point2D mid = fx(() -> sv.chart.localToScreen(lay.axisX(0), lay.y(0.5)));
        robot.moveTo(top).press(MouseButton.PRIMARY).moveTo(mid).release(MouseButton.PRIMARY);
        await("three rows (lr = 1e-2)", () -> sv.table.getItems().size() == 3);
        assertTrue(fx(() -> sv.table.getItems().stream().allMatch(r -> r.values().get(0).equals("1e-2"))));

        // click the running run, ctrl-click the best: both overlaid on the training curves
        String running = f.search.get(2).id(), best = f.search.get(3).id();
        robot.clickOn(cell(robot, running));
        robot.press(KeyCode.CONTROL).clickOn(cell(robot, best)).release(KeyCode.CONTROL);
        await("two runs overlaid", () -> sv.sweepVm().curves().comparisonNames().size() == 2);
        assertEquals(List.of(running, best), fx(() -> sv.sweepVm().overlaid().stream().map(SweepRow::id).toList()));
        await("their curves drawn", () -> sv.curves.drawnPoints("d-model=32: train loss") == 40
                                           && sv.curves.drawnPoints("d-model=16: val MSE") == 2);

        // the sweep moves on: the stopped run finishes. A new reading replaces its row in place; the
        // table keeps its sort, the brush and both selected rows, and the row shows the new status
        f.writeRun(running, 0.20, 4, true);
        f.entry(f.search.get(2), "finished", 0.20, 12.0);
        f.save();
        fx(() -> sv.sweepVm().refresh()).get(30, TimeUnit.SECONDS);
        await("the finished run first", () -> sv.table.getItems().get(0).id().equals(running)
                                             && sv.table.getItems().get(0).status() == SweepRow.Status.FINISHED);
        assertEquals(3, (int) fx(() -> sv.table.getItems().size()), "the brush stays");
        assertEquals(List.of(running, best), fx(() -> sv.table.getSelectionModel().getSelectedItems().stream().map(SweepRow::id).toList()),
                     "the selection stays");
        await("its curves read again", () -> sv.curves.drawnPoints("d-model=16: val MSE") == 4);

        // a click on the axis clears its brush; the selection stays
        Point2D axis = fx(() -> sv.chart.localToScreen(lay.axisX(0), lay.y(0.7)));
        robot.moveTo(axis).clickOn(MouseButton.PRIMARY);
        await("all five rows again", () -> sv.table.getItems().size() == 5);
        assertEquals(2, (int) fx(() -> sv.table.getSelectionModel().getSelectedItems().size()));
        fx(() -> {
            st.close();
            return null;
        });
    }

    private static Node cell(FxRobot robot, String text) {
        return robot.lookup(".table-cell").lookup((Node n) -> n instanceof javafx.scene.control.TableCell<?, ?> c
                                                              && text.equals(c.getText()) && n.getScene() != null).query();
    }

    private static boolean shownLabel(Node n, String text) {
        return n instanceof javafx.scene.control.Label l && text.equals(l.getText()) && n.getScene() != null && n.isVisible();
    }
}
