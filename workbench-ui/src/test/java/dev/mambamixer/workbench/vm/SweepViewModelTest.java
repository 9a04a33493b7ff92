package dev.mambamixer.workbench.vm;

import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.charts.ParallelAxis;
import dev.mambamixer.charts.ParallelCoordinates;
import dev.mambamixer.charts.ParallelCoordinates.Range;
import dev.mambamixer.engine.sweep.SweepFolder;
import dev.mambamixer.engine.sweep.SweepPlan;
import dev.mambamixer.engine.sweep.SweepPlan.PlannedRun;
import dev.mambamixer.workbench.session.SweepRow;
import dev.mambamixer.workbench.session.SweepRow.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sweep view model over the {@link SweepFixture} sweep folder. */
public class SweepViewModelTest {
    @TempDir Path dir;
    private SweepFixture fx;
    private List<PlannedRun> search;
    private SweepViewModel vm;
    private SweepFolder coordinator;

    @BeforeEach void writeSweep() throws Exception {
        fx = new SweepFixture(dir);
        search = fx.search;
        coordinator = fx.coordinator();   // the sweep is live
        vm = new SweepViewModel(Runnable::run);
        vm.open(dir).get(30, TimeUnit.SECONDS);
    }

    @AfterEach void end() throws Exception {
        coordinator.close();
        vm.close();
    }

    private SweepRow row(int searchIndex) {
        String id = search.get(searchIndex).id();
        return vm.rows().stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
    }

    @Test void oneRowPerPlannedRunWithStatusSettingsAndResults() {
        assertEquals(5, vm.rows().size(), "4 SEARCH runs and the CONFIRM run of the selection (seed 2)");
        assertEquals(List.of(Status.FINISHED, Status.FINISHED, Status.RUNNING, Status.FINISHED, Status.PLANNED),
                     vm.rows().stream().map(SweepRow::status).toList());
        SweepRow best = row(3);
        assertEquals(List.of("1e-2", "32"), best.values(), "grid values in the grid's order, as written");
        assertEquals("ETTh1", best.dataset());
        assertEquals(24, best.horizon());
        assertTrue(best.selected());
        assertEquals(0.31, best.testMse(), 1e-12, "test metrics of the selected configuration");
        assertTrue(Double.isNaN(row(0).testMse()), "not selected: no test metrics read");
        assertEquals(0.40, row(2).bestValMse(), 1e-9, "the running run's best so far, from its events");
        assertEquals(SweepPlan.Stage.CONFIRM, vm.rows().get(4).stage());
        assertTrue(Double.isNaN(vm.rows().get(4).bestValMse()));
        assertEquals(List.of("run", "stage", "status", "dataset", "T", "H", "lr", "d-model", "seed", "best val MSE", "test MSE",
                             "test MAE", "wall time"), vm.columns().stream().map(SweepViewModel.Column::title).toList());
        assertEquals("1e-4", vm.columns().get(6).text().apply(row(0)), "numbers shown short");
        assertEquals(List.of("lr", "d-model", SweepViewModel.VAL_AXIS), vm.axes().stream().map(ParallelAxis::name).toList(),
                     "only what varies, then the validation");
        assertEquals(ParallelAxis.Scale.LOG, vm.axes().get(0).scale(), "lr spans two decades");
        assertEquals(ParallelAxis.Scale.LINEAR, vm.axes().get(1).scale());
        assertTrue(vm.statusProperty().get().contains("3 finished, 1 running"), vm.statusProperty().get());
        assertTrue(vm.liveProperty().get(), "the coordinator holds the sweep");
    }

    /** Several grids: each run shows the value it trains with (its point's, the fixed one, or train's default). */
    @Test void optionsOfAnotherGridShowTheFixedValueOrTrainsDefault() throws Exception {
        Path other = dir.resolve("grids");
        Files.createDirectories(other);
        Files.writeString(other.resolve(SweepFolder.SPEC_FILE), """
            {"name": "grids", "settings": [{"data": "ETTh1.csv", "seqLen": 96, "horizon": 24}],
             "fixed": {"--epochs": 1, "--dropout": 0.2},
             "grid": [{"--lr": [1e-4, 1e-2]}, {"--lr": [5e-5], "--dropout": [0.4], "--weight-decay": [0.1], "--eval-every": [50]}],
             "searchSeed": 1, "seeds": [1]}""");
        SweepViewModel g = new SweepViewModel(Runnable::run);
        try {
            g.open(other).get(30, TimeUnit.SECONDS);
            String wd = "" + dev.mambamixer.engine.model.Tsm2Defaults.WEIGHT_DECAY;
            assertEquals(List.of(List.of("1e-4", "0.2", wd, "default"), List.of("1e-2", "0.2", wd, "default"),
                                 List.of("5e-5", "0.4", "0.1", "50")),
                         g.rows().stream().map(SweepRow::values).toList(),
                         "weight decay left out: train's default; --eval-every has none the sweep knows");
            assertEquals(List.of("lr", "dropout", "weight-decay", "eval-every", SweepViewModel.VAL_AXIS),
                         g.axes().stream().map(ParallelAxis::name).toList());
        } finally {
            g.close();
        }
    }

    @Test void aRunningRunWithoutACoordinatorIsStopped() throws Exception {
        coordinator.close();
        vm.refresh().get(30, TimeUnit.SECONDS);
        assertEquals(Status.STOPPED, row(2).status(), "state.json says running, but nothing runs it: resume continues it");
        assertFalse(vm.liveProperty().get());
        assertTrue(vm.statusProperty().get().endsWith("no coordinator running"), vm.statusProperty().get());
    }

    @Test void aFolderThatIsNotASweepSaysSoAndShowsNoRows() throws Exception {
        Path other = dir.resolve("runs");   // a run folder's parent, no sweep.json
        var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> vm.open(other).get(30, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof java.io.IOException, e.getCause().toString());
        assertEquals("Could not read " + other + ": " + other + ": not a sweep folder (no sweep.json)", vm.statusProperty().get());
        assertEquals(0, vm.rows().size());
        assertTrue(vm.curves().comparisonNames().isEmpty());
    }

    @Test void sortsByAColumnWithUnmeasuredLast() {
        SweepViewModel.Column val = vm.columns().stream().filter(c -> c.title().equals("best val MSE")).findFirst().orElseThrow();
        vm.comparatorProperty().set(val.comparator());
        assertEquals(List.of(0.30, 0.40, 0.45, 0.50), vm.sorted().stream().limit(4).map(SweepRow::bestValMse).toList());
        assertTrue(Double.isNaN(vm.sorted().get(4).bestValMse()), "the planned run, with no validation, last");
        vm.comparatorProperty().set(val.comparator().reversed());   // what the table does for a descending sort
        assertEquals(List.of(0.50, 0.45, 0.40, 0.30), vm.sorted().stream().skip(1).map(SweepRow::bestValMse).toList());
    }

    @Test void textFilterAndBrushesFilterTheTableAndGreyTheChartLines() {
        vm.filterProperty().set("d-model=32");
        assertEquals(List.of(search.get(1).id(), search.get(3).id(), vm.rows().get(4).id()),
                     vm.shown().stream().map(SweepRow::id).toList());
        vm.filterProperty().set("");
        vm.brush("lr", new Range(5e-3, 2e-2));
        assertEquals(3, vm.shown().size(), "lr = 1e-2: two SEARCH runs and the CONFIRM run");
        vm.brush(SweepViewModel.VAL_AXIS, new Range(0.35, 0.2));
        assertEquals(List.of(search.get(3).id()), vm.shown().stream().map(SweepRow::id).toList(),
                     "both brushes: lr 1e-2 and val MSE in [0.2, 0.35]; a run without validation is outside");
        List<ParallelCoordinates.Line> lines = vm.lines();
        assertEquals(List.of(false, false, false, true, false), lines.stream().map(ParallelCoordinates.Line::active).toList());
        assertArrayEquals(new double[] {1e-2, 32, 0.30}, lines.get(3).values(), 1e-12);
        assertEquals(Map.of(0, new Range(5e-3, 2e-2), 2, new Range(0.2, 0.35)), vm.brushesByAxis());
        vm.clearBrush("lr");
        vm.clearBrush(SweepViewModel.VAL_AXIS);
        assertEquals(5, vm.shown().size());
    }

    @Test void selectedRowsAreOverlaidOnTheCurvesAndBrushedOutOnesLeave() throws Exception {
        List<SweepRow> pick = List.of(row(0), row(3), vm.rows().get(4));
        vm.select(pick).get(30, TimeUnit.SECONDS);
        assertEquals(List.of(row(0), row(3)), vm.overlaid(), "the planned run has no curves");
        assertEquals(List.of("lr=1e-4 d-model=16", "lr=0.01 d-model=32"), vm.curves().comparisonNames(),
                     "legends name what differs among the overlaid runs");
        assertEquals(40, vm.curves().comparisonSeries().get("lr=0.01 d-model=32: train loss").size());
        assertEquals(4, vm.curves().comparisonSeries().get("lr=0.01 d-model=32: val MSE").size());
        vm.brush("lr", new Range(5e-3, 2e-2));
        awaitOverlay(1);
        assertEquals(List.of("lr=0.01 d-model=32 s1"), vm.curves().comparisonNames(),
                     "brushed out: no longer overlaid; one run named by what tells it apart in the sweep");
    }

    @Test void aRunningSweepIsReadAgainAndItsRowUpdatedInPlace() throws Exception {
        SweepViewModel.Column val = vm.columns().stream().filter(c -> c.title().equals("best val MSE")).findFirst().orElseThrow();
        vm.comparatorProperty().set(val.comparator());
        vm.brush("d-model", new Range(10, 20));
        vm.select(List.of(row(2))).get(30, TimeUnit.SECONDS);
        assertEquals(20, vm.curves().comparisonSeries().get("lr=0.01 d-model=16 s1: train loss").size());
        assertTrue(vm.poll().get(30, TimeUnit.SECONDS), "a coordinator runs it: read again");
        assertEquals(Status.RUNNING, vm.rows().get(2).status());

        // the running run finishes (a lower validation), the coordinator records it and ends
        fx.writeRun(search.get(2).id(), 0.20, 4, true);
        fx.entry(search.get(2), "finished", 0.20, 12.0);
        fx.save();
        coordinator.close();
        Path s = dir.resolve(SweepFolder.STATE_FILE);
        Files.setLastModifiedTime(s, FileTime.fromMillis(Files.getLastModifiedTime(s).toMillis() + 2000));
        assertTrue(vm.poll().get(30, TimeUnit.SECONDS), "state.json changed: read again");
        assertEquals(Status.FINISHED, vm.rows().get(2).status(), "same place in the rows");
        assertEquals(0.20, vm.rows().get(2).bestValMse(), 1e-12);
        assertEquals(12.0, vm.rows().get(2).wallSeconds(), 0);
        assertEquals(search.get(2).id(), vm.sorted().get(0).id(), "sorted again by best val MSE: now first");
        assertFalse(vm.liveProperty().get());
        assertFalse(vm.poll().get(30, TimeUnit.SECONDS), "nothing changed, no coordinator: not read again");
        assertEquals(Map.of("d-model", new Range(10, 20)), Map.copyOf(vm.brushes()), "the brush stays");
        assertEquals(java.util.Set.of(search.get(2).id()), vm.selectedIds(), "the selection stays");
        awaitOverlay(1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (vm.curves().comparisonSeries().get("lr=0.01 d-model=16 s1: train loss").size() < 40 && System.nanoTime() < deadline)
            Thread.sleep(20);
        assertEquals(40, vm.curves().comparisonSeries().get("lr=0.01 d-model=16 s1: train loss").size(),
                     "the overlaid curves were read again with the new steps");
    }

    private void awaitOverlay(int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (vm.curves().comparisonNames().size() != n && System.nanoTime() < deadline) Thread.sleep(20);
    }
}
