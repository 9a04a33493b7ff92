package dev.mambamixer.engine.sweep;

import com.google.gson.JsonPrimitive;
import dev.mambamixer.engine.model.Tsm2Defaults;
import dev.mambamixer.engine.sweep.SweepSpec.Setting;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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

    /**
     * Setting {@code s}'s grid points: the union of its grids' cartesian products (each with its first
     * option varying slowest, grids in file order), a point that names the same configuration as an
     * earlier one (see {@link #canonical}) left out.
     */
    public List<Map<String, JsonPrimitive>> gridPoints(int s) {
        List<Map<String, JsonPrimitive>> all = new ArrayList<>();
        Set<Map<String, String>> seen = new HashSet<>();
        for (Map<String, List<JsonPrimitive>> grid : spec.gridsOf(s)) {
            List<Map<String, JsonPrimitive>> points = new ArrayList<>();
            points.add(new LinkedHashMap<>());
            for (Map.Entry<String, List<JsonPrimitive>> e : grid.entrySet()) {
                List<Map<String, JsonPrimitive>> next = new ArrayList<>();
                for (Map<String, JsonPrimitive> p : points)
                    for (JsonPrimitive v : e.getValue()) {
                        Map<String, JsonPrimitive> q = new LinkedHashMap<>(p);
                        q.put(e.getKey(), v);
                        next.add(q);
                    }
                points = next;
            }
            for (Map<String, JsonPrimitive> p : points) if (seen.add(canonical(s, p))) all.add(p);
        }
        return all;
    }

    /**
     * What names a configuration of setting {@code s}: the point's options, values as written, less
     * those equal to the setting's fixed value. So a grid that adds an option with the fixed value
     * among its values keeps the ids (and run folders) of the runs made before it was added.
     */
    public Map<String, String> canonical(int s, Map<String, JsonPrimitive> point) {
        Map<String, JsonPrimitive> fixed = spec.fixedOf(s);
        Map<String, String> c = new TreeMap<>();
        point.forEach((k, v) -> {
            if (!(fixed.containsKey(k) && fixed.get(k).getAsString().equals(v.getAsString()))) c.put(k, v.getAsString());
        });
        return c;
    }

    /** Whether two points of setting {@code s} train the same configuration. */
    public boolean sameConfiguration(int s, Map<String, JsonPrimitive> a, Map<String, JsonPrimitive> b) {
        return canonical(s, a).equals(canonical(s, b));
    }

    /**
     * {@code train}'s own defaults for the options a sweep searches most, so that a run which leaves
     * one out shows what it trained with (CliTest checks them against train's option defaults).
     */
    public static final Map<String, JsonPrimitive> TRAIN_DEFAULTS = Map.of(
            "--lr", new JsonPrimitive("" + Tsm2Defaults.LR), "--d-model", new JsonPrimitive("" + Tsm2Defaults.D_MODEL),
            "--layers", new JsonPrimitive("" + Tsm2Defaults.LAYERS), "--dropout", new JsonPrimitive("" + Tsm2Defaults.DROPOUT),
            "--batch", new JsonPrimitive("" + Tsm2Defaults.BATCH), "--epochs", new JsonPrimitive("" + Tsm2Defaults.EPOCHS),
            "--weight-decay", new JsonPrimitive("" + Tsm2Defaults.WEIGHT_DECAY), "--warmup", new JsonPrimitive("" + Tsm2Defaults.WARMUP),
            "--patience", new JsonPrimitive("" + Tsm2Defaults.PATIENCE), "--head-start", new JsonPrimitive(Tsm2Defaults.HEAD_START));

    /**
     * The value {@code option} has in a run of setting {@code s} at {@code point}: the point's, else
     * the fixed one, else train's default where {@link #TRAIN_DEFAULTS} knows it, else null.
     */
    public JsonPrimitive effectiveValue(int s, Map<String, JsonPrimitive> point, String option) {
        if (point.containsKey(option)) return point.get(option);
        JsonPrimitive fixed = spec.fixedOf(s).get(option);
        return fixed != null ? fixed : TRAIN_DEFAULTS.get(option);
    }

    /** Every SEARCH run: settings in file order, each setting's grid points in {@link #gridPoints} order. */
    public List<PlannedRun> searchRuns() {
        List<PlannedRun> runs = new ArrayList<>();
        for (int s = 0; s < spec.settings().size(); s++) runs.addAll(searchRuns(s));
        return runs;
    }

    public List<PlannedRun> searchRuns(int setting) {
        List<PlannedRun> runs = new ArrayList<>();
        for (Map<String, JsonPrimitive> p : gridPoints(setting))
            runs.add(new PlannedRun(runId(setting, p, spec.searchSeed()), Stage.SEARCH, setting, p, spec.searchSeed()));
        return runs;
    }

    /** The CONFIRM runs of a selection, one per seed (the one with the search seed is the selected SEARCH run). */
    public List<PlannedRun> confirmRuns(Selection sel) {
        List<PlannedRun> runs = new ArrayList<>();
        for (long seed : spec.seeds())
            runs.add(new PlannedRun(runId(sel.setting(), sel.point(), seed), Stage.CONFIRM,
                                    sel.setting(), sel.point(), seed));
        return runs;
    }

    /** How many runs the whole sweep trains (a CONFIRM run with the search seed is not trained again). */
    public int totalRuns() {
        int confirm = spec.seeds().size() - (spec.seeds().contains(spec.searchSeed()) ? 1 : 0);
        int n = 0;
        for (int s = 0; s < spec.settings().size(); s++) n += gridPoints(s).size() + confirm;
        return n;
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
        // each option once: the setting's value replaces the sweep's, the grid point's replaces both
        Map<String, JsonPrimitive> options = spec.fixedOf(run.setting());
        options.putAll(run.point());
        options.forEach((k, v) -> {
            if (backend == null || !k.equals("--backend")) SweepSpec.appendOption(a, k, v);
        });
        a.add("--seed");
        a.add(Long.toString(run.seed()));
        if (backend != null) {
            a.add("--backend");
            a.add(backend);
        }
        return a;
    }

    /** The id of the run of setting {@code s} at {@code point} with {@code seed}; it hashes the {@link #canonical} point. */
    public String runId(int s, Map<String, JsonPrimitive> point, long seed) {
        return runId(spec.settings().get(s), canonical(s, point), seed);
    }

    /**
     * {@code <setting label>-<8 hex digits>-s<seed>}: the hex digits hash the (canonical) grid point
     * (options sorted, values as written), so the id does not depend on the order of the grid in the file.
     */
    static String runId(Setting setting, Map<String, String> canonicalPoint, long seed) {
        StringBuilder canon = new StringBuilder();
        new TreeMap<>(canonicalPoint).forEach((k, v) -> canon.append(k).append('=').append(v).append('\n'));
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
