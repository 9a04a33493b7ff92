package dev.mambamixer.engine.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mambamixer.engine.sweep.SweepPlan.PlannedRun;
import dev.mambamixer.engine.sweep.SweepPlan.Selection;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SweepPlanTest {
    private static SweepPlan plan(String grid) {
        return new SweepPlan(SweepSpec.parse("""
            {"name": "p", "settings": [{"data": "a/ETTh1.csv", "seqLen": 96, "horizon": [24, 48]}],
             "fixed": {"--epochs": 2}, "grid": %s, "searchSeed": 7, "seeds": [7, 8, 9]}
            """.formatted(grid), "p.json", Path.of("/d")));
    }

    @Test void searchRunsAreTheCartesianProductPerSetting() {
        SweepPlan p = plan("{\"--lr\": [1e-3, 1e-4], \"--dropout\": [0.1, 0.2, 0.3]}");
        List<PlannedRun> s = p.searchRuns();
        assertEquals(2 * 6, s.size());
        assertEquals(12, new HashSet<>(s.stream().map(PlannedRun::id).toList()).size(), "ids are unique");
        assertEquals("--lr=1e-3 --dropout=0.1", SweepPlan.describe(s.get(0).point()));
        assertEquals("--lr=1e-4 --dropout=0.3", SweepPlan.describe(s.get(5).point()));
        assertTrue(s.get(0).id().startsWith("ETTh1-T96-H24-") && s.get(0).id().endsWith("-s7"), s.get(0).id());
        assertTrue(s.get(6).id().startsWith("ETTh1-T96-H48-"), s.get(6).id());
        // 2 settings x (6 search + 2 confirm seeds other than the search seed)
        assertEquals(16, p.totalRuns());
    }

    @Test void aSettingsOwnFixedOptionsReplaceTheSweepsForItsRunsOnly() {
        SweepSpec spec = SweepSpec.parse("""
            {"name": "p", "settings": [{"data": "a/ETTh1.csv", "seqLen": 96, "horizon": 24},
                                       {"data": "a/ETTm1.csv.gz", "seqLen": 96, "horizon": 24,
                                        "fixed": {"--batch": 128, "--eval-every": 300}}],
             "fixed": {"--epochs": 2, "--batch": 32}, "grid": {"--lr": [1e-3]}, "searchSeed": 7, "seeds": [7]}
            """, "p.json", Path.of("/d"));
        SweepPlan p = new SweepPlan(spec);
        List<String> h1 = p.trainArgs(p.searchRuns(0).get(0), Path.of("/r/h1"), null);
        List<String> m1 = p.trainArgs(p.searchRuns(1).get(0), Path.of("/r/m1"), null);
        assertEquals("32", h1.get(h1.indexOf("--batch") + 1));
        assertEquals(-1, h1.indexOf("--eval-every"));
        assertEquals("128", m1.get(m1.indexOf("--batch") + 1));
        assertEquals(m1.indexOf("--batch"), m1.lastIndexOf("--batch"), "the sweep's --batch is replaced, not repeated");
        assertEquals("300", m1.get(m1.indexOf("--eval-every") + 1));
        assertEquals("2", m1.get(m1.indexOf("--epochs") + 1));
        // the grid point alone names a run: a setting's options leave its run ids as they were
        assertEquals(SweepPlan.runId(spec.settings().get(1), Map.of("--lr", "1e-3"), 7), p.searchRuns(1).get(0).id());
        // sweep.json keeps them and reads back the same
        SweepSpec again = SweepSpec.parse(spec.toJson().toString(), "sweep.json", null);
        assertEquals(spec.settings(), again.settings());
    }

    @Test void idsAreStableAndIndependentOfGridOrder() {
        SweepPlan a = plan("{\"--lr\": [1e-3, 1e-4], \"--dropout\": [0.1, 0.2]}");
        SweepPlan b = plan("{\"--dropout\": [0.2, 0.1], \"--lr\": [1e-4, 1e-3]}");
        assertEquals(new HashSet<>(a.searchRuns().stream().map(PlannedRun::id).toList()),
                     new HashSet<>(b.searchRuns().stream().map(PlannedRun::id).toList()));
        // same inputs, same id, every time (a resumed sweep finds its run folders)
        assertEquals(a.searchRuns().get(3).id(), plan("{\"--lr\": [1e-3, 1e-4], \"--dropout\": [0.1, 0.2]}").searchRuns().get(3).id());
        PlannedRun r = a.searchRuns().get(0);
        assertNotEquals(a.runId(0, r.point(), 8), r.id(), "the seed is part of the id");
    }

    @Test void severalGridsSearchTheUnionAndAPointWithTheFixedValueKeepsItsId() {
        SweepPlan one = plan("{\"--lr\": [1e-3, 1e-4]}");
        // widened later: --epochs added with its fixed value (2) among its values, and a second, narrower grid
        SweepPlan wide = plan("[{\"--lr\": [1e-3, 1e-4], \"--epochs\": [2, 4]}, {\"--lr\": [1e-4, 5e-5], \"--dropout\": [0.4]}]");
        List<String> ids = wide.searchRuns(0).stream().map(PlannedRun::id).toList();
        assertEquals(4 + 2, ids.size());
        assertEquals(ids.size(), new HashSet<>(ids).size());
        for (PlannedRun r : one.searchRuns()) assertTrue(wide.searchRuns().stream().anyMatch(w -> w.id().equals(r.id())),
                                                         "the runs made before the grid was widened keep their ids: " + r.id());
        PlannedRun atFixed = wide.searchRuns(0).get(0);
        assertEquals("--lr=1e-3 --epochs=2", SweepPlan.describe(atFixed.point()));
        assertTrue(wide.sameConfiguration(0, atFixed.point(), one.searchRuns(0).get(0).point()));
        assertEquals(1, Collections.frequency(wide.trainArgs(atFixed, Path.of("/r"), null), "--epochs"), "each option once");
        PlannedRun longer = wide.searchRuns(0).get(1);
        List<String> args = wide.trainArgs(longer, Path.of("/r"), null);
        assertEquals("4", args.get(args.indexOf("--epochs") + 1), "the grid value replaces the fixed one");
        assertEquals(1, Collections.frequency(args, "--epochs"));
        assertEquals("2", wide.effectiveValue(0, one.searchRuns(0).get(0).point(), "--epochs").getAsString());
        assertEquals("" + dev.mambamixer.engine.model.Tsm2Defaults.DROPOUT, wide.effectiveValue(0, atFixed.point(), "--dropout").getAsString(),
                     "left out everywhere: train's default");
        assertEquals(null, wide.effectiveValue(0, atFixed.point(), "--probe-windows"), "a default the sweep does not know");
        // 2 settings x (6 search + 2 confirm)
        assertEquals(16, wide.totalRuns());
        // a point in two grids (--lr=1e-4 here) is planned once
        SweepPlan dup = plan("[{\"--lr\": [1e-3, 1e-4]}, {\"--lr\": [1e-4, 5e-5]}]");
        assertEquals(3, dup.gridPoints(0).size());
    }

    @Test void aSettingsOwnGridReplacesTheSweeps() {
        SweepPlan p = new SweepPlan(SweepSpec.parse("""
            {"name": "p", "settings": [{"data": "a/ETTh1.csv", "seqLen": 96, "horizon": 24, "grid": {"--d-model": [16, 32]}},
                                       {"data": "a/ETTh2.csv", "seqLen": 96, "horizon": 24}],
             "fixed": {"--d-model": 32}, "grid": {"--lr": [1e-3, 1e-4, 1e-5]}, "searchSeed": 7, "seeds": [7]}
            """, "p.json", Path.of("/d")));
        assertEquals(List.of("--d-model=16", "--d-model=32"), p.searchRuns(0).stream().map(r -> SweepPlan.describe(r.point())).toList());
        assertEquals(3, p.searchRuns(1).size());
        // --d-model=32 is the fixed value: that run is named like one without the option
        assertEquals(SweepPlan.runId(p.spec().settings().get(0), Map.of(), 7), p.searchRuns(0).get(1).id());
        assertEquals(5, p.totalRuns());
    }

    @Test void selectionPicksTheLowestValidationAndIgnoresMissingOrNaN() {
        SweepPlan p = plan("{\"--lr\": [1e-3, 1e-4, 1e-5]}");
        List<PlannedRun> s = p.searchRuns(1);
        Map<String, Double> val = new HashMap<>();
        val.put(s.get(0).id(), 0.52);
        val.put(s.get(1).id(), 0.47);
        val.put(s.get(2).id(), Double.NaN);   // diverged: never selected
        Selection sel = p.select(1, val).orElseThrow();
        assertEquals(s.get(1).id(), sel.runId());
        assertEquals(0.47, sel.bestValMse());
        assertEquals("--lr=1e-4", SweepPlan.describe(sel.point()));
        val.put(s.get(0).id(), 0.47);   // a tie goes to the earlier grid point
        assertEquals(s.get(0).id(), p.select(1, val).orElseThrow().runId());
        assertTrue(p.select(0, val).isEmpty(), "no run of setting 0 finished");
    }

    @Test void confirmRunsReuseTheSearchRunOfTheSearchSeed() {
        SweepPlan p = plan("{\"--lr\": [1e-3, 1e-4]}");
        PlannedRun chosen = p.searchRuns(0).get(1);
        List<PlannedRun> c = p.confirmRuns(new Selection(0, chosen.id(), chosen.point(), 0.4));
        assertEquals(List.of(7L, 8L, 9L), c.stream().map(PlannedRun::seed).toList());
        assertEquals(chosen.id(), c.get(0).id(), "seed 7 is the search seed: the same run");
        assertTrue(c.stream().allMatch(r -> r.stage() == SweepPlan.Stage.CONFIRM && r.point().equals(chosen.point())));
    }

    @Test void trainArgumentsCarryTheSettingFixedOptionsPointAndSeed() {
        SweepPlan p = new SweepPlan(SweepSpec.parse("""
            {"name": "p", "settings": [{"data": "/x/s.csv", "seqLen": 32, "horizon": 8}],
             "fixed": {"--epochs": 2, "--pad-end": true, "--no-revin": false, "--backend": "cpu"},
             "grid": {"--lr": [1e-3]}, "searchSeed": 3, "seeds": [3]}
            """, "p.json", null));
        PlannedRun r = p.searchRuns().get(0);
        assertEquals(List.of("--data", "/x/s.csv", "--seq-len", "32", "--horizon", "8", "--epochs", "2", "--pad-end",
                             "--backend", "cpu", "--lr", "1e-3", "--seed", "3", "--run-dir", "/sw/runs/" + r.id()),
                     p.trainArgs(r, Path.of("/sw/runs/" + r.id()), null));
        // --backend of the command line replaces the file's; resume names the folder instead of creating it
        assertEquals(List.of("--data", "/x/s.csv", "--seq-len", "32", "--horizon", "8", "--epochs", "2", "--pad-end",
                             "--lr", "1e-3", "--seed", "3", "--backend", "cuda", "--resume", "/r"),
                     p.resumeArgs(r, Path.of("/r"), "cuda"));
    }
}
