package dev.mambamixer.engine.sweep;

import com.google.gson.JsonPrimitive;
import dev.mambamixer.engine.sweep.SweepSpec.Setting;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The runs of a sweep. SEARCH: every grid point of every setting with the search seed. CONFIRM:
 * the selected grid point of a setting with each of the seeds, planned once all SEARCH runs of that
 * setting are over and one was selected. A run's id depends only on its setting, grid point and
 * seed, so it names the same run folder in every invocation (resume finds it), and a CONFIRM run
 * whose seed is the search seed is the SEARCH run itself (the same training), not a second one.
 */
public final class SweepPlan {
    public enum Stage { SEARCH, CONFIRM }

    /**
     * One run of the sweep.
     *
     * @param setting index into {@link SweepSpec#settings()}
     * @param point   grid option -> value, in the grid's order
     */
    public record PlannedRun(String id, Stage stage, int setting, Map<String, JsonPrimitive> point, long seed) {
        public PlannedRun {
            point = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(point));
        }
    }

    /** A setting's selected grid point: the SEARCH run with the lowest best validation MSE. */
    public record Selection(int setting, String runId, Map<String, JsonPrimitive> point, double bestValMse) {}

    private final SweepSpec spec;

    public SweepPlan(SweepSpec spec) { this.spec = spec; }

    public SweepSpec spec() { return spec; }

    /** The grid's cartesian product, the first option varying slowest (the file's order). */
    public List<Map<String, JsonPrimitive>> gridPoints() {
        List<Map<String, JsonPrimitive>> points = new ArrayList<>();
        points.add(new LinkedHashMap<>());
        for (Map.Entry<String, List<JsonPrimitive>> e : spec.grid().entrySet()) {
            List<Map<String, JsonPrimitive>> next = new ArrayList<>();
            for (Map<String, JsonPrimitive> p : points)
                for (JsonPrimitive v : e.getValue()) {
                    Map<String, JsonPrimitive> q = new LinkedHashMap<>(p);
                    q.put(e.getKey(), v);
                    next.add(q);
                }
            points = next;
        }
        return points;
    }

    /** Every SEARCH run: settings in file order, grid points in {@link #gridPoints} order. */
    public List<PlannedRun> searchRuns() {
        List<PlannedRun> runs = new ArrayList<>();
        for (int s = 0; s < spec.settings().size(); s++)
            for (Map<String, JsonPrimitive> p : gridPoints())
                runs.add(new PlannedRun(runId(spec.settings().get(s), p, spec.searchSeed()), Stage.SEARCH, s, p, spec.searchSeed()));
        return runs;
    }

    public List<PlannedRun> searchRuns(int setting) {
        return searchRuns().stream().filter(r -> r.setting() == setting).toList();
    }

    /** The CONFIRM runs of a selection, one per seed (the one with the search seed is the selected SEARCH run). */
    public List<PlannedRun> confirmRuns(Selection sel) {
        List<PlannedRun> runs = new ArrayList<>();
        for (long seed : spec.seeds())
            runs.add(new PlannedRun(runId(spec.settings().get(sel.setting()), sel.point(), seed), Stage.CONFIRM,
                                    sel.setting(), sel.point(), seed));
        return runs;
    }

    /** How many runs the whole sweep trains (a CONFIRM run with the search seed is not trained again). */
    public int totalRuns() {
        int confirm = spec.seeds().size() - (spec.seeds().contains(spec.searchSeed()) ? 1 : 0);
        return spec.settings().size() * (gridPoints().size() + confirm);
    }

    /**
     * The selection rule: among the SEARCH runs with a finite best validation MSE, the lowest; a tie
     * goes to the earlier grid point. Empty when no run has one (all failed). Test metrics are not read.
     *
     * @param bestValMse run id -> best validation MSE of a finished run (absent or NaN: no candidate)
     */
    public Optional<Selection> select(int setting, Map<String, Double> bestValMse) {
        Selection best = null;
        for (PlannedRun r : searchRuns(setting)) {
            Double v = bestValMse.get(r.id());
            if (v == null || !Double.isFinite(v)) continue;
            if (best == null || v < best.bestValMse()) best = new Selection(setting, r.id(), r.point(), v);
        }
        return Optional.ofNullable(best);
    }

    /** The {@code train} arguments of a run that starts fresh in {@code runDir}. */
    public List<String> trainArgs(PlannedRun run, java.nio.file.Path runDir, String backend) {
        List<String> a = commonArgs(run, backend);
        a.add("--run-dir");
        a.add(runDir.toString());
        return a;
    }

    /** The {@code train} arguments that continue a run in {@code runDir} from its last checkpoint. */
    public List<String> resumeArgs(PlannedRun run, java.nio.file.Path runDir, String backend) {
        List<String> a = commonArgs(run, backend);
        a.add("--resume");
        a.add(runDir.toString());
        return a;
    }

    private List<String> commonArgs(PlannedRun run, String backend) {
        Setting s = spec.settings().get(run.setting());
        List<String> a = new ArrayList<>(List.of("--data", s.data().toString(), "--seq-len", "" + s.seqLen(),
                                                 "--horizon", "" + s.horizon()));
        Map<String, JsonPrimitive> fixed = new LinkedHashMap<>(spec.fixed());
        fixed.putAll(s.fixed());   // the setting's own value of an option replaces the sweep's
        fixed.forEach((k, v) -> {
            if (backend == null || !k.equals("--backend")) SweepSpec.appendOption(a, k, v);
        });
        run.point().forEach((k, v) -> SweepSpec.appendOption(a, k, v));
        a.add("--seed");
        a.add(Long.toString(run.seed()));
        if (backend != null) {
            a.add("--backend");
            a.add(backend);
        }
        return a;
    }

    /**
     * {@code <setting label>-<8 hex digits>-s<seed>}: the hex digits hash the grid point (options
     * sorted, values as written), so the id does not depend on the order of the grid in the file.
     */
    public static String runId(Setting setting, Map<String, JsonPrimitive> point, long seed) {
        StringBuilder canon = new StringBuilder();
        new TreeMap<>(point).forEach((k, v) -> canon.append(k).append('=').append(v.getAsString()).append('\n'));
        String hash;
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(canon.toString().getBytes(StandardCharsets.UTF_8));
            hash = String.format("%02x%02x%02x%02x", d[0], d[1], d[2], d[3]);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
        String label = setting.label().replaceAll("[^A-Za-z0-9._-]", "_");
        return label + "-" + hash + "-s" + seed;
    }

    /** A grid point as {@code --lr=1e-4 --dropout=0.1}, for tables and progress lines. */
    public static String describe(Map<String, JsonPrimitive> point) {
        StringBuilder b = new StringBuilder();
        point.forEach((k, v) -> b.append(b.length() == 0 ? "" : " ").append(k).append('=').append(v.getAsString()));
        return b.toString();
    }
}
