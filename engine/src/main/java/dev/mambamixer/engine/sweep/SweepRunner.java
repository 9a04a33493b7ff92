package dev.mambamixer.engine.sweep;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.mambamixer.engine.sweep.Executor.RunResult;
import dev.mambamixer.engine.sweep.Executor.RunTask;
import dev.mambamixer.engine.sweep.SweepFolder.DiskStatus;
import dev.mambamixer.engine.sweep.SweepPlan.PlannedRun;
import dev.mambamixer.engine.sweep.SweepPlan.Selection;
import dev.mambamixer.engine.sweep.SweepPlan.Stage;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The coordinator: plans the runs, hands those that may start to an {@link Executor}, records every
 * outcome in state.json and selects each setting's configuration once its SEARCH runs are over.
 * Used by {@code sweep run} and {@code sweep resume} alike: what a run folder on disk says decides
 * what happens to the run (finished: nothing; a config or checkpoint: {@code train --resume}; nothing:
 * a fresh {@code train}), so a stopped sweep continues where it was.
 *
 * <p>Rules: a run is tried once per invocation; a run that exited non-zero without recording a
 * failure in its folder (killed, crashed, refused its input) is tried again by the next
 * {@code resume}, one whose folder records a failure (non-finite values) is not. A setting's
 * selection is made once all its SEARCH runs are over and is then kept in state.json, as long as
 * the setting's search stays the same (see {@link #dropOutdatedSelections}). A run whose
 * worker left the cluster before it ended is not a try: it is queued again and continues from its
 * run folder.
 */
public final class SweepRunner {
    private final SweepFolder folder;
    private final SweepPlan plan;
    private final Executor executor;
    private final String backend;
    private final PrintStream out;
    private final Map<String, PlannedRun> runs = new LinkedHashMap<>();   // id -> run, SEARCH first
    private final Map<Integer, Selection> selections = new HashMap<>();
    private final Set<String> inFlight = new HashSet<>();
    private final Set<String> triedNow = new HashSet<>();
    private final LinkedBlockingQueue<RunResult> done = new LinkedBlockingQueue<>();
    /** Per run, how often its worker left while it ran (cluster executor). */
    private final Map<String, Integer> lost = new HashMap<>();
    static final int MAX_LOST = 3;
    private JsonObject state;
    private double wallSum;
    private int wallCount;
    private volatile boolean stopping;
    /** The settings whose runs this invocation hands out (all unless {@link #only} narrowed them). */
    private Set<Integer> included;

    /** @param backend the {@code --backend} of every run, or null for the sweep file's (else train's default) */
    public SweepRunner(SweepFolder folder, Executor executor, String backend, PrintStream out) {
        this.folder = folder;
        this.plan = new SweepPlan(folder.spec());
        this.executor = executor;
        this.backend = backend;
        this.out = out;
    }

    /**
     * Hands out the runs of these settings only (e.g. the cheap ones on a CPU while a GPU takes the
     * rest); the other settings' runs stay planned for another invocation.
     */
    public SweepRunner only(Set<Integer> settings) {
        this.included = Set.copyOf(settings);
        return this;
    }

    private boolean included(int setting) { return included == null || included.contains(setting); }

    /** From now on outcomes are not recorded (the executor is ending its runs: they are interrupted, not failed). */
    public void stop() { stopping = true; }

    /** Runs the sweep to its end; 0 when every needed run finished, 1 when some failed or a setting has no selection. */
    public int run() throws IOException, InterruptedException {
        state = folder.readState();
        selections.putAll(SweepFolder.selections(state, folder.dir().resolve(SweepFolder.STATE_FILE).toString()));
        dropOutdatedSelections();
        for (PlannedRun r : plan.searchRuns()) register(r);
        for (Selection s : selections.values()) for (PlannedRun r : plan.confirmRuns(s)) register(r);
        dropRemovedRuns();
        for (PlannedRun r : runs.values()) reconcile(r.id());
        for (int s = 0; s < plan.spec().settings().size(); s++) trySelect(s);
        saveState();
        out.printf("sweep %s: %d settings, %d search runs, seeds %s; %d runs in all, %d finished already; %d workers%n",
                   plan.spec().name(), plan.spec().settings().size(), plan.searchRuns().size(), plan.spec().seeds(),
                   plan.totalRuns(), count(RunStatus.FINISHED), executor.slots());
        if (included != null)
            out.printf("only the runs of %d setting(s): %s (%d runs left of them)%n", included.size(),
                       String.join(", ", included.stream().sorted().map(s -> plan.spec().settings().get(s).label()).toList()),
                       remaining());
        submitReady();
        while (!inFlight.isEmpty()) {
            RunResult r = done.take();
            if (stopping) return 1;
            inFlight.remove(r.runId());
            if (r.workerLost() && requeue(r)) {
                saveState();
                submitReady();
                continue;
            }
            record(r);
            progress(r);
            trySelect(runs.get(r.runId()).setting());
            saveState();
            submitReady();
        }
        int failed = count(RunStatus.FAILED);
        long unselected = java.util.stream.IntStream.range(0, plan.spec().settings().size())
            .filter(s -> !selections.containsKey(s)).count();
        int left = plan.totalRuns() - count(RunStatus.FINISHED) - failed;
        out.printf("sweep %s: %d/%d runs finished, %d failed%s%s; `sweep table %s` for the results%n", plan.spec().name(),
                   count(RunStatus.FINISHED), plan.totalRuns(), failed,
                   unselected > 0 ? ", " + unselected + " setting(s) without a selection" : "",
                   included != null && left > 0 ? ", " + left + " runs of the other settings left for another invocation" : "",
                   folder.dir());
        return failed > 0 || unselected > 0 ? 1 : 0;
    }

    private void register(PlannedRun r) {
        JsonObject runsJ = state.getAsJsonObject("runs");
        JsonObject e = runsJ.has(r.id()) ? runsJ.getAsJsonObject(r.id()) : null;
        if (e == null) {
            e = new JsonObject();
            e.addProperty("stage", r.stage().name());
            e.addProperty("setting", r.setting());
            e.addProperty("seed", r.seed());
            JsonObject p = new JsonObject();
            r.point().forEach(p::add);
            e.add("point", p);
            RunStatus.PLANNED.writeTo(e);
            e.addProperty("attempts", 0);
            runsJ.add(r.id(), e);
        }
        if (r.stage() == Stage.CONFIRM) e.addProperty("confirm", true);   // a SEARCH run may also be a CONFIRM run
        runs.putIfAbsent(r.id(), r);
    }

    /**
     * A selection stands while its setting searches the runs it was chosen from. One whose search
     * changed since (sweep.json edited: a grid widened, e.g.) is dropped and made again once the
     * setting's search runs are over; finished runs are kept and never redone. The CONFIRM runs of
     * a dropped selection that had not finished are no longer planned.
     */
    private void dropOutdatedSelections() {
        JsonObject sels = state.getAsJsonObject("selections"), entries = state.getAsJsonObject("runs");
        for (int s : new ArrayList<>(selections.keySet())) {
            JsonObject j = sels.getAsJsonObject(Integer.toString(s));
            boolean known = s < plan.spec().settings().size()
                            && (!j.has("label") || j.get("label").getAsString().equals(plan.spec().settings().get(s).label()));
            Set<String> now = new HashSet<>(), then = new HashSet<>();
            if (known) for (PlannedRun r : plan.searchRuns(s)) now.add(r.id());
            if (j.has("candidates")) j.getAsJsonArray("candidates").forEach(e -> then.add(e.getAsString()));
            else for (String id : entries.keySet())   // state.json of an earlier version: every SEARCH run was registered
                if (entries.getAsJsonObject(id).get("setting").getAsInt() == s
                    && entries.getAsJsonObject(id).get("stage").getAsString().equals(Stage.SEARCH.name())) then.add(id);
            if (known && now.equals(then)) {
                if (!j.has("candidates")) j.add("candidates", idArray(now));
                continue;
            }
            selections.remove(s);
            sels.remove(Integer.toString(s));
            for (String id : new ArrayList<>(entries.keySet())) {
                JsonObject e = entries.getAsJsonObject(id);
                if (e.get("setting").getAsInt() != s || !e.has("confirm")) continue;
                if (e.get("stage").getAsString().equals(Stage.CONFIRM.name()) && !RunStatus.of(e).over())
                    entries.remove(id);
                else e.remove("confirm");
            }
            out.printf("setting %s: its search changed since %s was selected (%d search runs, were %d); it is selected again "
                       + "once they are over%n", j.has("label") ? j.get("label").getAsString() : "#" + s,
                       j.has("point") ? j.get("point").toString() : "?", now.size(), then.size());
        }
    }

    /**
     * Runs that sweep.json no longer plans (a grid narrowed) and that never finished or failed leave
     * state.json, so they are not counted or listed as planned; their folders stay on disk (widened
     * back, such a run resumes from them). Finished and failed ones stay in state.json as results.
     */
    private void dropRemovedRuns() throws IOException {
        JsonObject entries = state.getAsJsonObject("runs");
        for (String id : new ArrayList<>(entries.keySet())) {
            if (runs.containsKey(id)) continue;
            reconcile(id);
            if (over(id)) continue;
            entries.remove(id);
            out.printf("run %s is no longer in the sweep (sweep.json edited): dropped from the plan%n", id);
        }
    }

    private static JsonArray idArray(Set<String> ids) {
        JsonArray a = new JsonArray();
        new TreeSet<>(ids).forEach(a::add);
        return a;
    }

    private JsonObject entry(String id) { return state.getAsJsonObject("runs").getAsJsonObject(id); }

    private RunStatus status(String id) { return RunStatus.of(entry(id)); }

    /** The run folder decides: finished and recorded failures stand; anything else is planned (again). */
    private void reconcile(String id) throws IOException {
        RunStatus.of(folder.diskStatus(id)).writeTo(entry(id));
    }

    private void record(RunResult r) throws IOException {
        JsonObject e = entry(r.runId());
        DiskStatus d = folder.diskStatus(r.runId());
        boolean ok = r.exitCode() == 0 && d == DiskStatus.FINISHED;
        (ok ? RunStatus.FINISHED : RunStatus.FAILED).writeTo(e);
        e.addProperty("exitCode", r.exitCode());
        e.addProperty("worker", r.worker());
        double before = e.has("wallSeconds") ? e.get("wallSeconds").getAsDouble() : 0;
        e.addProperty("wallSeconds", before + r.wallSeconds());   // summed over attempts
        if (ok) {
            wallSum += r.wallSeconds();
            wallCount++;
            e.addProperty("bestValMse", folder.bestValMse(r.runId()));
        }
    }

    /**
     * A run whose worker left before it ended did not fail: it is planned again (at most
     * {@value #MAX_LOST} times per invocation) and the next submission continues it from its run
     * folder ({@code train --resume}) when it has a checkpoint or config, in the same folder.
     * Returns false when it was lost too often (it is then recorded as failed).
     */
    private boolean requeue(RunResult r) {
        int lost = this.lost.merge(r.runId(), 1, Integer::sum);
        if (lost > MAX_LOST) {
            out.printf("%s: its worker left %d times; not tried again in this invocation%n", r.runId(), lost);
            return false;
        }
        JsonObject e = entry(r.runId());
        double before = e.has("wallSeconds") ? e.get("wallSeconds").getAsDouble() : 0;
        e.addProperty("wallSeconds", before + r.wallSeconds());   // summed over attempts, as record() does
        RunStatus.PLANNED.writeTo(e);
        triedNow.remove(r.runId());
        out.printf("worker %s left with %s in flight; queued again%n", r.worker(), r.runId());
        return true;
    }

    /** Selects a setting's grid point once every SEARCH run of it is over; plans its CONFIRM runs. */
    private void trySelect(int setting) throws IOException {
        if (selections.containsKey(setting)) return;
        Map<String, Double> val = new HashMap<>();
        for (PlannedRun r : plan.searchRuns(setting)) {
            RunStatus st = status(r.id());
            if (st == RunStatus.FINISHED) val.put(r.id(), folder.bestValMse(r.id()));
            else if (!(st == RunStatus.FAILED || (st == RunStatus.PLANNED && triedNow.contains(r.id())))) return;   // not over yet
        }
        var sel = plan.select(setting, val);
        String label = plan.spec().settings().get(setting).label();
        if (sel.isEmpty()) {
            out.println("setting " + label + ": no SEARCH run finished with a validation MSE; nothing to select");
            return;
        }
        Selection s = sel.get();
        selections.put(setting, s);
        JsonObject j = new JsonObject();
        j.addProperty("label", label);
        j.addProperty("runId", s.runId());
        JsonObject p = new JsonObject();
        s.point().forEach(p::add);
        j.add("point", p);
        j.addProperty("bestValMse", s.bestValMse());
        Set<String> candidates = new HashSet<>();
        for (PlannedRun r : plan.searchRuns(setting)) candidates.add(r.id());
        j.add("candidates", idArray(candidates));   // a later change of the search drops the selection
        state.getAsJsonObject("selections").add(Integer.toString(setting), j);
        out.printf("setting %s: selected %s (best val MSE %.4f, run %s)%n", label, SweepPlan.describe(s.point()),
                   s.bestValMse(), s.runId());
        for (PlannedRun r : plan.confirmRuns(s)) {
            register(r);
            reconcile(r.id());
        }
    }

    /**
     * Hands out planned runs while slots are free: first the other seeds of configurations already
     * selected, then search runs in plan order, so that a long sweep run in slots completes its
     * settings one by one (mean ± std over seeds) instead of finishing every search first.
     */
    private void submitReady() throws IOException {
        List<PlannedRun> order = new ArrayList<>(runs.size());
        for (PlannedRun r : runs.values()) if (entry(r.id()).has("confirm")) order.add(r);
        for (PlannedRun r : runs.values()) if (!entry(r.id()).has("confirm")) order.add(r);
        for (PlannedRun r : order) {
            String id = r.id();
            // the queue stays here, not in the executor: "running" in state.json means running, and a run
            // that becomes unnecessary (its setting got selected) was never handed out
            if (inFlight.size() >= executor.slots()) return;
            if (status(id) != RunStatus.PLANNED || inFlight.contains(id) || triedNow.contains(id) || !included(r.setting())) continue;
            // an unfinished SEARCH run of a setting already selected is not needed any more
            if (selections.containsKey(r.setting()) && !entry(id).has("confirm")) continue;
            folder.removeEmptyRunDir(id);
            boolean partial = folder.diskStatus(id) == DiskStatus.PARTIAL;
            List<String> args = partial ? plan.resumeArgs(r, folder.runDir(id), backend)
                                        : plan.trainArgs(r, folder.runDir(id), backend);
            JsonObject e = entry(id);
            RunStatus.RUNNING.writeTo(e);
            e.addProperty("attempts", e.get("attempts").getAsInt() + 1);
            inFlight.add(id);
            triedNow.add(id);
            saveState();
            executor.submit(new RunTask(id, args, folder.runLog(id))).thenAccept(done::add);
            if (partial) out.println("resuming " + id + " from its run folder");
        }
    }

    private void progress(RunResult r) {
        int fin = count(RunStatus.FINISHED), failed = count(RunStatus.FAILED), total = plan.totalRuns();
        int remaining = remaining();
        String eta = wallCount == 0 || remaining == 0 ? "" : ", ETA " + duration(wallSum / wallCount * Math.ceil(
            (double) remaining / executor.slots()));
        String what = status(r.runId()) == RunStatus.FINISHED
            ? String.format("finished %s in %.0f s (best val MSE %.4f)", r.runId(), r.wallSeconds(),
                            entry(r.runId()).get("bestValMse").getAsDouble())
            : String.format("FAILED %s (exit %d; log %s)", r.runId(), r.exitCode(), folder.runLog(r.runId()));
        out.printf("[%d/%d done, %d failed, %d running%s] %s%n", fin + failed, total, failed, inFlight.size(), eta, what);
    }

    /** Runs of the included settings not over yet, counting the CONFIRM runs of settings still to be selected. */
    private int remaining() {
        int confirmPerSetting = plan.spec().seeds().size() - (plan.spec().seeds().contains(plan.spec().searchSeed()) ? 1 : 0);
        int n = 0;
        for (int s = 0; s < plan.spec().settings().size(); s++) {
            if (!included(s)) continue;
            for (PlannedRun r : plan.searchRuns(s)) if (!over(r.id())) n++;
            if (selections.containsKey(s)) {
                for (PlannedRun r : plan.confirmRuns(selections.get(s)))
                    if (r.seed() != plan.spec().searchSeed() && !over(r.id())) n++;
            } else {
                n += confirmPerSetting;
            }
        }
        return n;
    }

    private boolean over(String id) { return status(id).over(); }

    private int count(RunStatus status) {
        int n = 0;
        for (String id : runs.keySet()) {
            PlannedRun r = runs.get(id);
            boolean needed = !selections.containsKey(r.setting()) || entry(id).has("confirm") || status(id) != RunStatus.PLANNED;
            if (needed && status(id) == status) n++;
        }
        return n;
    }

    static String duration(double s) {
        long t = Math.round(s);
        return t >= 3600 ? String.format("%dh %02dm", t / 3600, t / 60 % 60)
             : t >= 60 ? String.format("%dm %02ds", t / 60, t % 60) : t + " s";
    }

    private void saveState() throws IOException {
        state.addProperty("version", 1);
        folder.writeState(state);
    }
}
