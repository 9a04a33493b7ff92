package dev.mambamixer.workbench.vm;

import com.google.gson.JsonObject;
import dev.mambamixer.engine.sweep.SweepFolder;
import dev.mambamixer.engine.sweep.SweepPlan;
import dev.mambamixer.engine.sweep.SweepPlan.PlannedRun;
import dev.mambamixer.engine.sweep.SweepPlan.Selection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A sweep folder written for the tests: 4 SEARCH runs (lr × d-model) of one setting and the
 * selection's CONFIRM run (seed 2). Three SEARCH runs finished, one (lr 1e-2, d-model 16) is
 * running (recorded so; running while {@link #coordinator()} holds the lock); the selected one (lr 1e-2, d-model 32) also has its test metrics; the CONFIRM run is planned.
 */
public final class SweepFixture {
    public final SweepFolder folder;
    public final SweepPlan plan;
    public final List<PlannedRun> search;
    private final JsonObject state;

    static final String SPEC = """
        {"name": "fixture", "settings": [{"data": "ETTh1.csv", "seqLen": 96, "horizon": 24}],
         "fixed": {"--epochs": 1}, "grid": {"--lr": [1e-4, 1e-2], "--d-model": [16, 32]}, "searchSeed": 1, "seeds": [1, 2]}""";
    /** Best validation MSE per SEARCH run, in plan order (lr 1e-4: d 16, 32; lr 1e-2: d 16, 32). */
    public static final double[] BEST = {0.50, 0.45, 0.40, 0.30};

    public SweepFixture(Path dir) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(SweepFolder.SPEC_FILE), SPEC);
        folder = SweepFolder.read(dir);
        plan = new SweepPlan(folder.spec());
        search = plan.searchRuns();
        state = new JsonObject();
        state.add("runs", new JsonObject());
        state.add("selections", new JsonObject());
        for (int i = 0; i < 4; i++) {
            PlannedRun r = search.get(i);
            boolean running = i == 2;
            writeRun(r.id(), BEST[i], running ? 2 : 4, !running);
            entry(r, running ? "running" : "finished", running ? Double.NaN : BEST[i], 10.0 + i);
        }
        Selection sel = new Selection(0, search.get(3).id(), search.get(3).point(), BEST[3]);
        JsonObject s = new JsonObject();
        s.addProperty("runId", sel.runId());
        JsonObject point = new JsonObject();
        sel.point().forEach(point::add);
        s.add("point", point);
        s.addProperty("bestValMse", sel.bestValMse());
        state.getAsJsonObject("selections").add("0", s);
        entry(plan.confirmRuns(sel).get(1), "planned", Double.NaN, Double.NaN);
        save();
    }

    public void save() throws Exception { folder.writeState(state); }

    /** Takes the sweep's lock as its coordinator does (close it: the coordinator ended). */
    public SweepFolder coordinator() throws Exception { return SweepFolder.open(folder.dir()); }

    /** Records a run in state.json (written by {@link #save}). */
    public void entry(PlannedRun r, String status, double best, double wall) {
        JsonObject e = new JsonObject();
        e.addProperty("stage", r.stage().name());
        e.addProperty("setting", r.setting());
        e.addProperty("seed", r.seed());
        JsonObject p = new JsonObject();
        r.point().forEach(p::add);
        e.add("point", p);
        e.addProperty("status", status);
        if (!Double.isNaN(wall)) e.addProperty("wallSeconds", wall);
        if (!Double.isNaN(best)) e.addProperty("bestValMse", best);
        state.getAsJsonObject("runs").add(r.id(), e);
    }

    /** A run folder with {@code vals} validations (10 steps each) falling to {@code best}; finished: a finish event and test metrics (what makes it finished on disk). */
    public void writeRun(String id, double best, int vals, boolean finished) throws Exception {
        Path d = folder.runDir(id);
        Files.createDirectories(d);
        Files.writeString(d.resolve("config.json"), "{}");
        StringBuilder ev = new StringBuilder();
        for (int v = 1; v <= vals; v++) {
            double val = best + 0.1 * (vals - v);
            for (int s = 10 * (v - 1) + 1; s <= 10 * v; s++)
                ev.append(String.format(Locale.ROOT, "{\"type\":\"step\",\"epoch\":1,\"step\":%d,\"stepInEpoch\":%d,\"stepsPerEpoch\":40,"
                                                     + "\"loss\":%.3f,\"lr\":0.001,\"gradNorm\":1.0,\"samples\":%d,\"wallSeconds\":%.2f}\n",
                                        s, s, val + 0.2, 32 * s, 0.1 * s));
            ev.append(String.format(Locale.ROOT, "{\"type\":\"validation\",\"epoch\":1,\"step\":%d,\"trainLoss\":%.3f,\"valMse\":%.3f,"
                                                 + "\"valMae\":0.5,\"lr\":0.001,\"wallSeconds\":%.2f,\"best\":true,\"endOfEpoch\":false}\n",
                                    10 * v, val + 0.2, val, 1.0 * v));
        }
        if (finished) ev.append("{\"type\":\"finish\",\"reason\":\"completed 1 epochs\",\"failed\":false}\n");
        Files.writeString(d.resolve("events.jsonl"), ev.toString());
        if (finished) Files.writeString(d.resolve("test-metrics.json"), "{\"mse\": " + (best + 0.01) + ", \"mae\": 0.4}");
    }
}
