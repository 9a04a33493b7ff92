package dev.mambamixer.engine.sweep;

import static dev.mambamixer.engine.sweep.SweepTestSupport.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.mambamixer.engine.cli.CliRun.Out;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A whole tiny sweep through the CLI: 2 settings x 2 grid points, 2 seeds, 2 workers, then status and table. */
class SweepEndToEndTest {
    @TempDir Path tmp;

    @Test void tinySweepRunsSelectsOnValidationAndTabulates() throws Exception {
        Path spec = SweepTestSupport.writeSpec(tmp, "[8, 16]", "[1, 2]", 1);
        Path dir = tmp.resolve("sweep");
        Out run = cli("sweep", "run", spec.toString(), "--dir", dir.toString(), "--workers", "2", "--worker-heap", "512m");
        assertEquals(0, run.code(), run.out() + run.err());
        assertTrue(run.out().contains("[6/6 done, 0 failed, 0 running]"), run.out());

        // 2 settings x (2 search runs + 1 confirm run for seed 2; seed 1 is the selected search run itself)
        List<Path> dirs = SweepTestSupport.runDirs(dir);
        assertEquals(6, dirs.size(), dirs.toString());
        SweepFolder f = SweepFolder.read(dir);
        SweepPlan plan = new SweepPlan(f.spec());
        for (Path d : dirs) {
            assertEquals(SweepFolder.DiskStatus.FINISHED, f.diskStatus(d.getFileName().toString()));
            assertTrue(Files.size(f.runLog(d.getFileName().toString())) > 0, "each run has its log");
        }

        // selection: per setting the search run with the lowest validation MSE, read here from metrics.csv
        JsonObject state = JsonParser.parseString(Files.readString(dir.resolve("state.json"))).getAsJsonObject();
        for (int s = 0; s < 2; s++) {
            String bestId = null;
            double best = Double.POSITIVE_INFINITY;
            for (var r : plan.searchRuns(s)) {
                double v = SweepTestSupport.minValMse(f.runDir(r.id()));
                if (v < best) { best = v; bestId = r.id(); }
            }
            JsonObject sel = state.getAsJsonObject("selections").getAsJsonObject("" + s);
            assertEquals(bestId, sel.get("runId").getAsString());
            assertEquals(best, sel.get("bestValMse").getAsDouble(), 1e-12);
        }

        Out status = cli("sweep", "status", dir.toString());
        assertEquals(0, status.code(), status.err());
        assertTrue(status.out().contains("SEARCH  planned 0, running 0, finished 4, failed 0"), status.out());
        assertTrue(status.out().contains("CONFIRM planned 0, running 0, finished 4, failed 0"), status.out());
        assertTrue(status.out().contains("no coordinator running"), status.out());

        Out table = cli("sweep", "table", dir.toString());
        assertEquals(0, table.code(), table.err());
        List<String> csv = Files.readAllLines(dir.resolve("table.csv"));
        assertEquals(3, csv.size(), csv.toString());
        for (int s = 0; s < 2; s++) {
            String[] row = csv.get(1 + s).split(",", -1);
            String selId = state.getAsJsonObject("selections").getAsJsonObject("" + s).get("runId").getAsString();
            assertEquals(selId, row[4]);
            assertEquals("1 2", row[7]);
            // mean and sample std of the two seeds' test-metrics.json, read directly
            var seedRuns = plan.confirmRuns(SweepFolder.selections(state, "state.json").get(s));
            double[] mse = new double[2], mae = new double[2];
            String[] steps = new String[2];
            for (int i = 0; i < 2; i++) {
                JsonObject tm = JsonParser.parseString(Files.readString(f.runDir(seedRuns.get(i).id()).resolve("test-metrics.json")))
                    .getAsJsonObject();
                mse[i] = tm.get("mse").getAsDouble();
                mae[i] = tm.get("mae").getAsDouble();
                steps[i] = String.valueOf(tm.get("best_step").getAsLong());
            }
            assertEquals(steps[0] + " " + steps[1], row[row.length - 1], "best step per seed, last column");
            assertEquals((mse[0] + mse[1]) / 2, Double.parseDouble(row[8]), 1e-12);
            assertEquals(Math.abs(mse[0] - mse[1]) / Math.sqrt(2), Double.parseDouble(row[9]), 1e-12);
            assertEquals((mae[0] + mae[1]) / 2, Double.parseDouble(row[10]), 1e-12);
            assertEquals(f.spec().settings().get(s).label(), row[0]);
            assertTrue(table.out().contains(String.format(java.util.Locale.ROOT, "%.4f ± %.4f", (mse[0] + mse[1]) / 2,
                                                          Math.abs(mse[0] - mse[1]) / Math.sqrt(2))), table.out());
        }
        assertTrue(Files.readString(dir.resolve("table.md")).startsWith("| setting | selected configuration |"));

        // beside published numbers: setting 0's reference 5 % above our mean, setting 1's 20 % below it
        double[] ours = new double[2];
        for (int s = 0; s < 2; s++) ours[s] = Double.parseDouble(csv.get(1 + s).split(",", -1)[8]);
        String l0 = f.spec().settings().get(0).label(), l1 = f.spec().settings().get(1).label();
        Path ref = tmp.resolve("ref.csv");
        Files.writeString(ref, "setting,mse,source\n" + l0 + "," + ours[0] * 1.05 + ",test\n" + l1 + "," + ours[1] / 1.2 + ",test\n"
                               + "ETTh1-T512-H96,0.375,not in this sweep\n");
        Out vs = cli("sweep", "table", dir.toString(), "--reference", ref.toString());
        assertEquals(0, vs.code(), vs.err());
        assertTrue(vs.out().contains("| reference MSE | ratio |"), vs.out());
        assertTrue(vs.out().contains("| 0.952× |"), vs.out());
        assertTrue(vs.out().contains("| 1.200× |"), vs.out());
        assertTrue(vs.out().contains("Against ref.csv: 2 of 2 settings with a reference measured; mean ratio 1.076×; "
                                     + "at or below the reference in 1 of 2; above 1.10×: " + l1 + " (1.200×)."), vs.out());
        String[] row0 = Files.readAllLines(dir.resolve("table.csv")).get(1).split(",", -1);
        assertEquals(1 / 1.05, Double.parseDouble(row0[15]), 1e-12);
        Files.writeString(ref, "setting,mse\n" + l0 + ",lots\n");
        Out bad = cli("sweep", "table", dir.toString(), "--reference", ref.toString());
        assertEquals(2, bad.code(), bad.out());
        assertTrue(bad.err().contains(ref + ":2: mse: expected a number, found \"lots\""), bad.err());

        // hparams: one row per run; test metrics only for the selected configuration's runs
        List<String> hp = Files.readAllLines(dir.resolve("hparams.csv"));
        assertEquals(7, hp.size());
        List<String> head = List.of(hp.get(0).split(","));
        Map<String, Integer> col = new HashMap<>();
        for (int i = 0; i < head.size(); i++) col.put(head.get(i), i);
        int withTest = 0;
        List<String> notSelected = new ArrayList<>();
        for (String line : hp.subList(1, hp.size())) {
            String[] c = line.split(",", -1);
            assertFalse(c[col.get("best_val_mse")].isEmpty(), line);
            assertTrue(Double.parseDouble(c[col.get("wall_time_s")]) > 0, line);
            if (c[col.get("selected")].equals("true")) {
                withTest++;
                assertFalse(c[col.get("test_mse")].isEmpty(), line);
            } else {
                notSelected.add(line);
                assertTrue(c[col.get("test_mse")].isEmpty() && c[col.get("test_mae")].isEmpty(), "no test of unselected runs: " + line);
            }
        }
        assertEquals(4, withTest);
        assertEquals(2, notSelected.size());
    }

    /** One worker: once a setting is selected, its other seeds run before the next setting's search. */
    @Test void selectedConfigurationsGetTheirSeedsBeforeFurtherSearch() throws Exception {
        Path spec = SweepTestSupport.writeSpec(tmp, "[8, 16]", "[1, 2]", 1);
        Path dir = tmp.resolve("ordered");
        Out run = cli("sweep", "run", spec.toString(), "--dir", dir.toString(), "--workers", "1", "--worker-heap", "512m");
        assertEquals(0, run.code(), run.out() + run.err());
        List<String> finished = new ArrayList<>();
        for (String line : run.out().split("\n"))
            if (line.contains("] finished ")) finished.add(line.substring(line.indexOf("] finished ") + 11).split(" ")[0]);
        assertEquals(6, finished.size(), run.out());
        SweepPlan plan = new SweepPlan(SweepFolder.read(dir).spec());
        String h8seed2 = finished.stream().filter(id -> id.startsWith("synthetic-T32-H8-") && id.endsWith("-s2")).findFirst().orElseThrow();
        int firstH16 = finished.indexOf(plan.searchRuns(1).get(0).id());
        assertTrue(firstH16 > 0, finished.toString());
        assertTrue(finished.indexOf(h8seed2) < firstH16, "H8's seed 2 before H16's search: " + finished);
        assertEquals(List.of(plan.searchRuns(0).get(0).id(), plan.searchRuns(0).get(1).id(), h8seed2), finished.subList(0, 3));
    }

    /**
     * A finished sweep whose sweep.json gets a second grid (as one widens a running sweep): resume
     * trains only the new search runs, selects again over all of them and never redoes a finished run.
     * The state.json has no "candidates" (as one written before they were recorded).
     */
    @Test void aWidenedGridIsSearchedAndSelectedAgainWithoutRedoingFinishedRuns() throws Exception {
        Path spec = SweepTestSupport.writeSpec(tmp, "8", "[1, 2]", 1);
        Path dir = tmp.resolve("widened");
        Out run = cli("sweep", "run", spec.toString(), "--dir", dir.toString(), "--workers", "2", "--worker-heap", "512m");
        assertEquals(0, run.code(), run.out() + run.err());
        Map<String, java.nio.file.attribute.FileTime> before = new HashMap<>();
        for (Path d : SweepTestSupport.runDirs(dir)) before.put(d.getFileName().toString(), Files.getLastModifiedTime(d.resolve("test-metrics.json")));
        assertEquals(3, before.size());

        Path stateFile = dir.resolve("state.json");
        JsonObject state = JsonParser.parseString(Files.readString(stateFile)).getAsJsonObject();
        String oldSelection = state.getAsJsonObject("selections").getAsJsonObject("0").get("runId").getAsString();
        state.getAsJsonObject("selections").getAsJsonObject("0").remove("candidates");
        Files.writeString(stateFile, state.toString());
        // --d-model is fixed at 8: the point with 8 is named without it; 12 is a new configuration
        SweepTestSupport.editGrid(dir, "[{\"--lr\": [1e-2, 1e-4]}, {\"--lr\": [3e-3], \"--d-model\": [8, 12]}]");

        Out resumed = cli("sweep", "resume", dir.toString(), "--workers", "1", "--worker-heap", "512m");
        assertEquals(0, resumed.code(), resumed.out() + resumed.err());
        assertTrue(resumed.out().contains("setting synthetic-T32-H8: its search changed since"), resumed.out());
        SweepFolder f = SweepFolder.read(dir);
        SweepPlan plan = new SweepPlan(f.spec());
        assertEquals(4, plan.searchRuns(0).size());
        String bestId = null;
        double best = Double.POSITIVE_INFINITY;
        for (var r : plan.searchRuns(0)) {
            double v = SweepTestSupport.minValMse(f.runDir(r.id()));
            if (v < best) { best = v; bestId = r.id(); }
        }
        state = JsonParser.parseString(Files.readString(stateFile)).getAsJsonObject();
        JsonObject sel = state.getAsJsonObject("selections").getAsJsonObject("0");
        assertEquals(bestId, sel.get("runId").getAsString(), "selected again over all four search runs");
        assertEquals(4, sel.getAsJsonArray("candidates").size());
        List<String> trained = new ArrayList<>();
        for (String line : resumed.out().split("\n"))
            if (line.contains("] finished ")) trained.add(line.substring(line.indexOf("] finished ") + 11).split(" ")[0]);
        boolean same = bestId.equals(oldSelection);
        assertEquals(same ? 2 : 3, trained.size(), "the two new search runs" + (same ? "" : " and the new selection's seed 2") + ": " + resumed.out());
        for (String id : before.keySet()) {
            assertFalse(trained.contains(id), "not redone: " + id);
            assertEquals(before.get(id), Files.getLastModifiedTime(f.runDir(id).resolve("test-metrics.json")), "untouched: " + id);
        }
        for (var r : plan.confirmRuns(SweepFolder.selections(state, "state.json").get(0)))
            assertEquals(SweepFolder.DiskStatus.FINISHED, f.diskStatus(r.id()));

        Out again = cli("sweep", "resume", dir.toString(), "--workers", "1", "--worker-heap", "512m");
        assertEquals(0, again.code(), again.out() + again.err());
        assertFalse(again.out().contains("its search changed"), again.out());
        assertFalse(again.out().contains("] finished "), "nothing left to train: " + again.out());
    }

    /**
     * A grid narrowed in sweep.json before all its runs started: the runs it no longer plans and that
     * never started leave state.json (status counts nothing planned), finished ones stay as results,
     * and the setting whose search lost a finished run is selected again among the runs left.
     */
    @Test void aNarrowedGridDropsRunsThatNeverStartedAndKeepsFinishedOnes() throws Exception {
        Path spec = SweepTestSupport.writeSpec(tmp, "[8, 16]", "[1]", 1);
        Path dir = tmp.resolve("narrowed-grid");
        Out first = cli("sweep", "run", spec.toString(), "--dir", dir.toString(), "--workers", "2", "--worker-heap", "512m",
                        "--settings", "*-H16");
        assertEquals(1, first.code(), "H8 is left without a selection: " + first.out());
        SweepFolder f = SweepFolder.read(dir);
        SweepPlan wide = new SweepPlan(f.spec());
        String h8Removed = wide.searchRuns(0).get(1).id(), h16Removed = wide.searchRuns(1).get(1).id();   // --lr 1e-4
        String h16Kept = wide.searchRuns(1).get(0).id();
        assertEquals(SweepFolder.DiskStatus.FINISHED, f.diskStatus(h16Removed));

        SweepTestSupport.editGrid(dir, "{\"--lr\": [1e-2]}");

        Out resumed = cli("sweep", "resume", dir.toString(), "--workers", "1", "--worker-heap", "512m");
        assertEquals(0, resumed.code(), resumed.out() + resumed.err());
        assertTrue(resumed.out().contains("run " + h8Removed + " is no longer in the sweep (sweep.json edited): dropped from the plan"),
                   resumed.out());
        assertFalse(resumed.out().contains("run " + h16Removed + " is no longer"), "a finished run is a result: " + resumed.out());
        assertFalse(resumed.out().contains("finished " + h8Removed), resumed.out());
        JsonObject state = JsonParser.parseString(Files.readString(dir.resolve("state.json"))).getAsJsonObject();
        JsonObject entries = state.getAsJsonObject("runs");
        assertFalse(entries.has(h8Removed));
        assertEquals("finished", entries.getAsJsonObject(h16Removed).get("status").getAsString());
        assertEquals(h16Kept, state.getAsJsonObject("selections").getAsJsonObject("1").get("runId").getAsString(),
                     "H16 selected again among the runs its grid still has");
        assertFalse(Files.exists(f.runDir(h8Removed)), "the dropped run never had a folder");

        Out status = cli("sweep", "status", dir.toString());
        assertTrue(status.out().contains("; 2 runs planned in all"), status.out());
        assertTrue(status.out().contains("SEARCH  planned 0, running 0, finished 3, failed 0"), status.out());
    }

    /** --settings hands out one setting's runs; the next invocation without it does the rest. */
    @Test void settingsNarrowWhichRunsAnInvocationHandsOut() throws Exception {
        Path spec = SweepTestSupport.writeSpec(tmp, "[8, 16]", "[1, 2]", 1);
        Path dir = tmp.resolve("narrowed");
        Out bad = cli("sweep", "run", spec.toString(), "--dir", dir.toString(), "--settings", "ETTh*,*-H16");
        assertEquals(2, bad.code(), bad.out());
        assertTrue(bad.err().contains("--settings: no setting matches ETTh* (the settings: synthetic-T32-H8, synthetic-T32-H16)"), bad.err());
        assertFalse(Files.exists(dir), "nothing was created");

        Out run = cli("sweep", "run", spec.toString(), "--dir", dir.toString(), "--workers", "2", "--worker-heap", "512m",
                      "--settings", "*-H16");
        assertEquals(1, run.code(), "a setting is left without a selection: " + run.out());
        assertTrue(run.out().contains("only the runs of 1 setting(s): synthetic-T32-H16 (3 runs left of them)"), run.out());
        assertTrue(run.out().contains("3 runs of the other settings left for another invocation"), run.out());
        SweepFolder f = SweepFolder.read(dir);
        SweepPlan plan = new SweepPlan(f.spec());
        List<Path> dirs = SweepTestSupport.runDirs(dir);
        assertEquals(3, dirs.size(), dirs.toString());
        assertTrue(dirs.stream().allMatch(d -> d.getFileName().toString().startsWith("synthetic-T32-H16-")), dirs.toString());
        for (var r : plan.searchRuns(0)) assertEquals(SweepFolder.DiskStatus.NOT_STARTED, f.diskStatus(r.id()));

        Out rest = cli("sweep", "resume", dir.toString(), "--workers", "2", "--worker-heap", "512m");
        assertEquals(0, rest.code(), rest.out() + rest.err());
        assertEquals(6, SweepTestSupport.runDirs(dir).size());
        assertFalse(rest.out().contains("synthetic-T32-H16-") && rest.out().contains("] finished synthetic-T32-H16"), rest.out());
    }

    @Test void aFailingRunFailsAloneAndIsNeverSelected() throws Exception {
        Path spec = SweepTestSupport.writeSpec(tmp, "8", "[1]", 1);
        Files.writeString(spec, Files.readString(spec).replace("[1e-2, 1e-4]", "[-1, 1e-2]"));   // train refuses --lr -1
        Path dir = tmp.resolve("sweep");
        Out run = cli("sweep", "run", spec.toString(), "--dir", dir.toString(), "--workers", "2", "--worker-heap", "512m");
        assertEquals(1, run.code(), "a failed run makes the exit status 1: " + run.out());
        assertTrue(run.out().contains("[2/2 done, 1 failed, 0 running]"), run.out());
        SweepFolder f = SweepFolder.read(dir);
        SweepPlan plan = new SweepPlan(f.spec());
        String bad = plan.searchRuns().get(0).id(), good = plan.searchRuns().get(1).id();
        assertTrue(Files.readString(f.runLog(bad)).contains("--lr"), "the run's log says why it failed");
        assertEquals(SweepFolder.DiskStatus.FINISHED, f.diskStatus(good));
        JsonObject state = JsonParser.parseString(Files.readString(dir.resolve("state.json"))).getAsJsonObject();
        assertEquals("failed", state.getAsJsonObject("runs").getAsJsonObject(bad).get("status").getAsString());
        assertEquals(2, state.getAsJsonObject("runs").getAsJsonObject(bad).get("exitCode").getAsInt());
        assertEquals(good, state.getAsJsonObject("selections").getAsJsonObject("0").get("runId").getAsString());
        Out status = cli("sweep", "status", dir.toString());
        assertTrue(status.out().contains("SEARCH  planned 0, running 0, finished 1, failed 1"), status.out());
    }

    @Test void trainOptionsAreCheckedBeforeAnyRunStarts() throws Exception {
        Path spec = SweepTestSupport.writeSpec(tmp, "8", "[1]", 1);
        Files.writeString(spec, Files.readString(spec).replace("\"--epochs\": 1", "\"--epochs\": \"many\", \"--lr-max\": 3")
                                                     .replace("[1e-2, 1e-4]", "[1e-2, true]")
                                                     .replace("\"horizon\": 8}", "\"horizon\": 8, \"fixed\": {\"--batch\": \"lots\"}}"));
        Path dir = tmp.resolve("bad");
        Out o = cli("sweep", "run", spec.toString(), "--dir", dir.toString());
        assertEquals(2, o.code(), o.out());
        assertTrue(o.err().startsWith("error: " + spec + ": "), o.err());
        assertTrue(o.err().contains("fixed.\"--epochs\": Invalid value for option '--epochs': 'many' is not an int"), o.err());
        assertTrue(o.err().contains("fixed.\"--lr-max\": train has no option --lr-max"), o.err());
        assertTrue(o.err().contains("grid.\"--lr\"[1]: --lr takes a value; expected a number or string, found true"), o.err());
        assertTrue(o.err().contains("settings[synthetic-T32-H8].fixed.\"--batch\": Invalid value for option '--batch': 'lots' is not an int"), o.err());
        assertFalse(Files.exists(dir), "nothing was created");

        Path good = SweepTestSupport.writeSpec(tmp, "8", "[1]", 1);
        Out workers = cli("sweep", "run", good.toString(), "--dir", dir.toString(), "--workers", "0");
        assertEquals(2, workers.code());
        assertTrue(workers.err().contains("--workers"), workers.err());
        Out heap = cli("sweep", "run", good.toString(), "--dir", dir.toString(), "--worker-heap", "lots");
        assertTrue(heap.err().contains("--worker-heap: expected a size such as 512m or 8g, found \"lots\""), heap.err());
        assertFalse(Files.exists(dir), "bad options leave no sweep folder");

        Out again = cli("sweep", "resume", tmp.resolve("nowhere").toString());
        assertEquals(2, again.code());
        assertTrue(again.err().contains("nowhere: not a sweep folder (no sweep.json)"), again.err());
    }
}
