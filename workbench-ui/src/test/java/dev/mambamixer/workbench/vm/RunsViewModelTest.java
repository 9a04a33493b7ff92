package dev.mambamixer.workbench.vm;

import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.workbench.session.RunSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runs table reads every kind of run folder: a CLI TSM2 run (metrics.csv), a teaching run (events), a damaged one. */
class RunsViewModelTest {
    @TempDir Path runs;

    static void write(Path f, String text) throws Exception {
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
    }

    @Test void listsFiltersAndFormatsRunFolders() throws Exception {
        Path tsm2 = runs.resolve("20261204-101500-etth1");
        write(tsm2.resolve("config.json"), """
            {"model": {"dModel": 16, "layers": 2}, "training": {"lr": 0.001, "batchSize": 32},
             "data": {"path": "data/ETTh1.csv"}}""");
        write(tsm2.resolve("metrics.csv"), "epoch,step,train_loss,val_mse,lr,wall_time_s\n1,100,0.5,0.4123,0.001,10.5\n"
                                           + "2,200,0.4,0.3017,0.0009,21.0\n3,300,0.35,");   // a torn last line
        write(tsm2.resolve("test-metrics.json"), "{\"mse\": 0.2883, \"mae\": 0.41}");
        Path teach = runs.resolve("20261204-111500-selective-copy");
        write(teach.resolve("config.json"), """
            {"model": {"dModel": 32, "layers": 2}, "teaching": {"lr": 0.003, "batch": 32}, "task": {"name": "selective-copy"}}""");
        write(teach.resolve("events.jsonl"), """
            {"type":"step","epoch":1,"step":1,"samples":32,"loss":2.5,"lr":0.001,"gradNorm":1.0,"tokens":0,"wallSeconds":0.5}
            {"type":"held_out","step":1,"loss":2.0,"accuracy":0.5,"exactMatch":0.0,"targets":64,"examples":16,"wallSeconds":0.6}
            {"type":"step","epoch":1,"step":2,"samples":64,"loss":1.5,"lr":0.001,"gradNorm":1.0,"tokens":0,"wallSeconds":65.2}
            {"type":"held_out","step":2,"loss":1.0,"accuracy":0.875,"exactMatch":0.5,"targets":64,"examples":16,"wallSeconds":65.3}
            {"type":"finish","reason":"completed","failed":false}
            """);
        write(runs.resolve("20261204-121500-broken").resolve("config.json"), "{not json");
        Files.createDirectories(runs.resolve("not-a-run"));

        RunsViewModel vm = new RunsViewModel(Runnable::run);
        List<RunSummary> rows = vm.refresh(runs).get(30, TimeUnit.SECONDS);
        assertEquals(List.of("20261204-111500-selective-copy", "20261204-101500-etth1"),
                     rows.stream().map(RunSummary::name).toList(), "newest first; the damaged folder is left out");

        RunSummary t = rows.get(1);
        assertEquals("TSM2", t.kind());
        assertEquals("ETTh1.csv", t.dataset());
        assertEquals("d_model 16, 2 layers, lr 0.00100, batch 32", t.settings());
        assertEquals(0.3017, t.best(), 1e-12, "the smallest val MSE of metrics.csv");
        assertEquals(0.2883, t.test(), 1e-12);
        assertEquals("0.3017", RunsViewModel.format(t, t.best()));
        assertEquals("unfinished", t.status());

        RunSummary s = rows.get(0);
        assertEquals("teaching", s.kind());
        assertEquals("selective-copy", s.dataset());
        assertEquals(0.875, s.best(), 1e-12, "the best held-out accuracy");
        assertTrue(Double.isNaN(s.test()));
        assertEquals("87.50 %", RunsViewModel.format(s, s.best()));
        assertEquals("", RunsViewModel.format(s, s.test()));
        assertEquals(2, s.steps());
        assertEquals("1:05", RunsViewModel.duration(s.seconds()));
        assertEquals("finished", s.status());

        vm.filterProperty().set("TEACHING finished");
        assertEquals(List.of(s), List.copyOf(vm.shown()));
        vm.filterProperty().set("etth1 d_model 16");
        assertEquals(List.of(t), List.copyOf(vm.shown()));
        vm.filterProperty().set("");
        assertEquals(2, vm.shown().size());

        // renaming: kept in the folder, shown, found by either name; a bad name changes nothing
        RunSummary renamed = vm.rename(t, "  baseline d16  ").get(30, TimeUnit.SECONDS);
        assertEquals("baseline d16", renamed.name());
        assertEquals("baseline d16", vm.rows().get(1).name());
        assertEquals("baseline d16", RunSummary.read(tsm2).name());
        vm.filterProperty().set("baseline");
        assertEquals(List.of(renamed), List.copyOf(vm.shown()));
        vm.filterProperty().set("101500");
        assertEquals(List.of(renamed), List.copyOf(vm.shown()));
        vm.filterProperty().set("");
        java.util.concurrent.ExecutionException bad =
            assertThrows(java.util.concurrent.ExecutionException.class, () -> vm.rename(renamed, "x".repeat(121)).get(30, TimeUnit.SECONDS));
        assertTrue(bad.getCause().getMessage().contains("at most 120 characters"), bad.getCause().getMessage());
        assertEquals("baseline d16", vm.rows().get(1).name());
        assertEquals("20261204-101500-etth1", vm.rename(renamed, " ").get(30, TimeUnit.SECONDS).name(), "blank: the folder's name again");
        assertFalse(Files.exists(tsm2.resolve("label.txt")));
    }
}
