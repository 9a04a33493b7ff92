package dev.mambamixer.workbench.session;

import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.mambamixer.engine.sweep.RunStatus;
import dev.mambamixer.engine.sweep.SweepFolder;
import dev.mambamixer.engine.sweep.SweepFolder.DiskStatus;
import dev.mambamixer.engine.sweep.SweepPlan;
import dev.mambamixer.engine.sweep.SweepPlan.PlannedRun;
import dev.mambamixer.engine.sweep.SweepPlan.Selection;
import dev.mambamixer.engine.sweep.SweepSpec.Setting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A sweep folder read once (off the FX thread): one {@link SweepRow} per planned run, SEARCH runs in
 * plan order, then the CONFIRM runs of each selection. Whether a run finished is read from its run
 * folder like {@code sweep table} does ({@link SweepFolder#diskStatus}); the values state.json already
 * holds for a finished run (best validation MSE, wall time) are taken from there.
 *
 * @param options            the grid's options without their dashes ("lr", "d-model"), in the file's order
 * @param coordinatorRunning a coordinator holds the sweep now (it is live)
 * @param stateModified      state.json's modification time (ms) when read, 0 when there is none
 */
public record SweepSnapshot(Path dir, String name, List<String> options, List<SweepRow> rows, boolean coordinatorRunning,
                            long stateModified) {

    public SweepSnapshot {
        options = List.copyOf(options);
        rows = List.copyOf(rows);
    }

    /**
     * Reads the sweep in {@code dir}. {@code settled}: run id -> FINISHED / FAILED found by an earlier
     * read; a run folder that has settled does not change, so its events are not read again (the
     * live view re-reads every few seconds). Updated with what this read settles.
     */
    public static SweepSnapshot read(Path dir, Map<String, DiskStatus> settled) throws IOException {
        long modified = stateModified(dir);
        boolean live = coordinatorRunning(dir);
        SweepFolder f = SweepFolder.read(dir);
        SweepPlan plan = new SweepPlan(f.spec());
        JsonObject state = f.readState();
        Map<Integer, Selection> sels = SweepFolder.selections(state, dir.resolve(SweepFolder.STATE_FILE).toString());
        JsonObject entries = state.getAsJsonObject("runs");
        Map<String, PlannedRun> runs = new LinkedHashMap<>();
        for (PlannedRun r : plan.searchRuns()) runs.put(r.id(), r);
        for (Selection s : sels.values()) for (PlannedRun r : plan.confirmRuns(s)) runs.putIfAbsent(r.id(), r);
        for (String id : entries.keySet()) {   // recorded by another version of the plan: shown all the same
            if (runs.containsKey(id)) continue;
            JsonObject e = entries.getAsJsonObject(id);
            runs.put(id, new PlannedRun(id, SweepPlan.Stage.valueOf(e.get("stage").getAsString()), e.get("setting").getAsInt(),
                                        SweepFolder.point(e), e.get("seed").getAsLong()));
        }
        List<String> options = f.spec().searchedOptions();
        List<SweepRow> rows = new ArrayList<>();
        for (PlannedRun r : runs.values()) {
            JsonObject e = entries.has(r.id()) ? entries.getAsJsonObject(r.id()) : null;
            RunStatus recorded = e != null && e.has("status") ? RunStatus.of(e) : RunStatus.PLANNED;
            DiskStatus disk = settled.get(r.id());
            if (disk == null) {
                disk = f.diskStatus(r.id());
                if (disk == DiskStatus.FINISHED || disk == DiskStatus.FAILED) settled.put(r.id(), disk);
            }
            SweepRow.Status status = disk == DiskStatus.FINISHED ? SweepRow.Status.FINISHED
                                     : disk == DiskStatus.FAILED || recorded == RunStatus.FAILED ? SweepRow.Status.FAILED
                                     : recorded == RunStatus.RUNNING && live ? SweepRow.Status.RUNNING
                                     : disk == DiskStatus.PARTIAL || recorded == RunStatus.RUNNING ? SweepRow.Status.STOPPED
                                     : SweepRow.Status.PLANNED;
            boolean onDisk = disk != DiskStatus.NOT_STARTED;
            boolean settledNow = status == SweepRow.Status.FINISHED || status == SweepRow.Status.FAILED;
            double best = settledNow && e != null && e.has("bestValMse") ? e.get("bestValMse").getAsDouble()
                          : onDisk ? f.bestValMse(r.id()) : Double.NaN;
            double wall = settledNow && e != null && e.has("wallSeconds") ? e.get("wallSeconds").getAsDouble()
                          : onDisk ? f.trainingSeconds(r.id()) : Double.NaN;
            Selection sel = sels.get(r.setting());
            boolean selected = sel != null && r.setting() < f.spec().settings().size()
                               && plan.sameConfiguration(r.setting(), r.point(), sel.point());
            double[] test = {Double.NaN, Double.NaN};
            if (selected && status == SweepRow.Status.FINISHED) test = f.testMetrics(r.id());
            Setting s = f.spec().settings().get(r.setting());
            List<String> values = new ArrayList<>();
            for (String o : options) {   // the value the run trained with: its point's, else the fixed one, else train's
                JsonPrimitive v = plan.effectiveValue(r.setting(), r.point(), o);
                values.add(v == null ? TRAIN_DEFAULT : v.getAsString());
            }
            rows.add(new SweepRow(r.id(), r.stage(), status, dataset(s), s.seqLen(), s.horizon(), values, r.seed(), selected, best,
                                  test[0], test[1], wall, f.runDir(r.id())));
        }
        return new SweepSnapshot(dir, f.spec().name(), options.stream().map(o -> o.replaceFirst("^-+", "")).toList(), rows, live,
                                 modified);
    }

    /** The value shown for an option a run left to {@code train}'s default (searched in another grid of the sweep). */
    public static final String TRAIN_DEFAULT = "default";

    /** "ETTh1" for .../ETTh1.csv.gz. */
    static String dataset(Setting s) { return s.data().getFileName().toString().replaceAll("\\.csv(\\.gz)?$", ""); }

    /** state.json's modification time, 0 when there is none (polled: a changed time means re-read). */
    public static long stateModified(Path dir) {
        try {
            Path s = dir.resolve(SweepFolder.STATE_FILE);
            return Files.exists(s) ? Files.getLastModifiedTime(s).toMillis() : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * Whether a coordinator holds the sweep. A folder without a lock file has none; it is not created
     * here (the workbench only reads sweep folders).
     */
    public static boolean coordinatorRunning(Path dir) {
        return Files.exists(dir.resolve(SweepFolder.LOCK_FILE)) && SweepFolder.coordinatorRunning(dir);
    }
}
