package dev.mambamixer.engine.sweep;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.mambamixer.engine.io.FileErrors;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A sweep file read and checked (docs/SWEEPS.md): the data settings, the fixed {@code train}
 * options, the grid searched on validation, the search seed and the seeds the selected
 * configuration is run with. Every problem found is reported in one {@link IllegalArgumentException}
 * naming the file and the field, like {@link dev.mambamixer.engine.io.ConfigSchema}.
 *
 * @param name       the sweep's name
 * @param settings   the data settings (data file, look-back, horizon), in file order
 * @param fixed      {@code train} option -> value, the same for every run
 * @param grids      the grids searched by settings without their own: each maps {@code train} option -> values,
 *                   and the search runs the union of their cartesian products (one grid, or several, e.g. a
 *                   narrower extra grid added to a running sweep)
 * @param searchSeed the {@code --seed} of the search runs
 * @param seeds      the seeds the selected configuration of each setting is run with
 * @param selection  the selection rule; only {@value #BEST_VAL_MSE} exists
 */
public record SweepSpec(String name, List<Setting> settings, Map<String, JsonPrimitive> fixed,
                        List<Map<String, List<JsonPrimitive>>> grids, long searchSeed, List<Long> seeds, String selection) {

    public static final String BEST_VAL_MSE = "best-val-mse";
    static final Set<String> FIELDS = Set.of("name", "settings", "fixed", "grid", "searchSeed", "seeds", "selection");
    static final Set<String> SETTING_FIELDS = Set.of("data", "seqLen", "horizon", "fixed", "grid");
    /** Options the sweep sets itself for every run; a sweep file may not set them. */
    public static final Set<String> MANAGED_OPTIONS = Set.of("--data", "--seq-len", "--horizon", "--seed", "--runs-dir",
                                                             "--name", "--resume", "--run-dir");

    /**
     * One data setting: a benchmark-format CSV, look-back T and horizon H, and the {@code train}
     * options of this setting alone: {@code fixed} replaces the sweep's fixed value of the same
     * option (e.g. a larger batch for a larger dataset); {@code grids}, when not empty, replace the
     * sweep's grids (e.g. a wider search for one dataset).
     */
    public record Setting(Path data, int seqLen, int horizon, Map<String, JsonPrimitive> fixed,
                          List<Map<String, List<JsonPrimitive>>> grids) {
        public Setting {
            fixed = Collections.unmodifiableMap(new LinkedHashMap<>(fixed));
            grids = copyGrids(grids);
        }

        public Setting(Path data, int seqLen, int horizon, Map<String, JsonPrimitive> fixed) {
            this(data, seqLen, horizon, fixed, List.of());
        }

        public Setting(Path data, int seqLen, int horizon) { this(data, seqLen, horizon, Map.of()); }

        /** e.g. {@code ETTh1-T512-H96}: data file name without .csv/.csv.gz, T and H. */
        public String label() {
            return data.getFileName().toString().replaceAll("\\.csv(\\.gz)?$", "") + "-T" + seqLen + "-H" + horizon;
        }
    }

    public SweepSpec {
        settings = List.copyOf(settings);
        fixed = Collections.unmodifiableMap(new LinkedHashMap<>(fixed));
        grids = copyGrids(grids);
        seeds = List.copyOf(seeds);
    }

    private static List<Map<String, List<JsonPrimitive>>> copyGrids(List<Map<String, List<JsonPrimitive>>> grids) {
        List<Map<String, List<JsonPrimitive>>> c = new ArrayList<>();
        for (Map<String, List<JsonPrimitive>> g : grids) {
            Map<String, List<JsonPrimitive>> m = new LinkedHashMap<>();
            g.forEach((k, v) -> m.put(k, List.copyOf(v)));
            c.add(Collections.unmodifiableMap(m));
        }
        return List.copyOf(c);
    }

    /** The grids searched for setting {@code s}: its own, else the sweep's. */
    public List<Map<String, List<JsonPrimitive>>> gridsOf(int s) {
        List<Map<String, List<JsonPrimitive>>> own = settings.get(s).grids();
        return own.isEmpty() ? grids : own;
    }

    /** Every option searched by some grid, in the order the file first names them (hparams table columns). */
    public List<String> searchedOptions() {
        Set<String> o = new LinkedHashSet<>();
        for (Map<String, List<JsonPrimitive>> g : grids) o.addAll(g.keySet());
        for (Setting s : settings) for (Map<String, List<JsonPrimitive>> g : s.grids()) o.addAll(g.keySet());
        return List.copyOf(o);
    }

    /**
     * The settings whose label matches one of {@code globs} ({@code *} any text, {@code ?} one
     * character, e.g. {@code ETTh*} or {@code weather-T512-H96}); a glob that matches none is an error.
     */
    public Set<Integer> settingsMatching(List<String> globs, String option) {
        Set<Integer> m = new TreeSet<>();
        List<String> none = new ArrayList<>();
        for (String g : globs) {
            String re = Pattern.quote(g).replace("*", "\\E.*\\Q").replace("?", "\\E.\\Q");
            boolean any = false;
            for (int i = 0; i < settings.size(); i++)
                if (settings.get(i).label().matches(re)) { m.add(i); any = true; }
            if (!any) none.add(g);
        }
        if (!none.isEmpty())
            throw new IllegalArgumentException(option + ": no setting matches " + String.join(", ", none) + " (the settings: "
                                               + String.join(", ", settings.stream().map(Setting::label).toList()) + ")");
        return m;
    }

    /** The fixed options of setting {@code s}: the sweep's, with the setting's own replacing them. */
    public Map<String, JsonPrimitive> fixedOf(int s) {
        Map<String, JsonPrimitive> f = new LinkedHashMap<>(fixed);
        f.putAll(settings.get(s).fixed());
        return f;
    }

    /** Reads and checks {@code file}; relative data paths are resolved against the file's folder. */
    public static SweepSpec read(Path file) throws IOException {
        String text = new String(FileErrors.readAllBytes(file), StandardCharsets.UTF_8);
        Path base = file.toAbsolutePath().getParent();
        return parse(text, file.toString(), base);
    }

    /** Parses sweep JSON; {@code where} names the file in messages, {@code base} resolves relative data paths. */
    public static SweepSpec parse(String text, String where, Path base) {
        JsonElement root;
        try {
            root = JsonParser.parseString(text);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(where + ": not valid JSON: " + e.getMessage(), e);
        }
        if (!root.isJsonObject()) throw new IllegalArgumentException(where + ": expected a JSON object at the top, found " + shortly(root));
        JsonObject o = root.getAsJsonObject();
        List<String> errs = new ArrayList<>();
        for (String k : o.keySet())
            if (!FIELDS.contains(k)) errs.add("unknown field \"" + k + "\" (known: " + String.join(", ", sorted(FIELDS)) + ")");

        String name = string(o, "name", errs);
        if (name != null && name.isBlank()) errs.add("name: expected a non-empty string");

        List<Setting> settings = new ArrayList<>();
        JsonArray sa = array(o, "settings", errs);
        if (sa != null && sa.isEmpty()) errs.add("settings: expected at least one setting");
        Set<String> labels = new HashSet<>();
        for (int i = 0; sa != null && i < sa.size(); i++) {
            String at = "settings[" + i + "]";
            JsonElement e = sa.get(i);
            if (!e.isJsonObject()) { errs.add(at + ": expected a JSON object, found " + shortly(e)); continue; }
            JsonObject so = e.getAsJsonObject();
            for (String k : so.keySet())
                if (!SETTING_FIELDS.contains(k))
                    errs.add(at + ": unknown field \"" + k + "\" (known: " + String.join(", ", sorted(SETTING_FIELDS)) + ")");
            String data = string(so, "data", errs, at + ".");
            Long t = integer(so.get("seqLen"), at + ".seqLen", 1, Integer.MAX_VALUE, errs);
            // "horizon" is one H or a list of them (one setting per H)
            List<Long> hs = new ArrayList<>();
            JsonElement he = so.get("horizon");
            if (he != null && he.isJsonArray()) {
                if (he.getAsJsonArray().isEmpty()) errs.add(at + ".horizon: expected at least one horizon");
                for (int j = 0; j < he.getAsJsonArray().size(); j++)
                    hs.add(integer(he.getAsJsonArray().get(j), at + ".horizon[" + j + "]", 1, Integer.MAX_VALUE, errs));
            } else {
                hs.add(integer(he, at + ".horizon", 1, Integer.MAX_VALUE, errs));
            }
            Map<String, JsonPrimitive> own = new LinkedHashMap<>();
            JsonObject sf = object(so, "fixed", errs, false, at + ".");
            if (sf != null) for (String k : sf.keySet()) {
                String fat = at + ".fixed.\"" + k + "\"";
                if (optionName(k, fat, errs)) {
                    JsonPrimitive v = value(sf.get(k), fat, errs);
                    if (v != null) own.put(k, v);
                }
            }
            List<Map<String, List<JsonPrimitive>>> ownGrids = so.has("grid") ? grids(so.get("grid"), at + ".grid", errs) : List.of();
            if (data == null || t == null || hs.contains(null)) continue;
            if (data.isBlank()) { errs.add(at + ".data: expected a file path, found an empty string"); continue; }
            Path p = base == null ? Path.of(data) : base.resolve(data).normalize();
            for (Long h : hs) {
                Setting s = new Setting(p, t.intValue(), h.intValue(), own, ownGrids);
                // run ids start with the label: two settings with one label would share run folders
                if (!labels.add(s.label())) errs.add(at + ": setting " + s.label() + " appears twice (same data file name, seqLen and horizon)");
                settings.add(s);
            }
        }

        Map<String, JsonPrimitive> fixed = new LinkedHashMap<>();
        JsonObject fo = object(o, "fixed", errs, false);
        if (fo != null) for (String k : fo.keySet()) {
            String at = "fixed.\"" + k + "\"";
            if (optionName(k, at, errs)) {
                JsonPrimitive v = value(fo.get(k), at, errs);
                if (v != null) fixed.put(k, v);
            }
        }

        List<Map<String, List<JsonPrimitive>>> grids = List.of();
        if (o.has("grid")) grids = grids(o.get("grid"), "grid", errs);
        else if (settings.stream().anyMatch(st -> st.grids().isEmpty()))
            errs.add("grid: expected a JSON object (option -> list of values) or a list of them, found nothing (missing); "
                     + "only a sweep whose every setting has its own \"grid\" may leave it out");

        Long searchSeed = integer(o.get("searchSeed"), "searchSeed", Long.MIN_VALUE, Long.MAX_VALUE, errs);
        List<Long> seeds = new ArrayList<>();
        JsonArray sd = array(o, "seeds", errs);
        if (sd != null && sd.isEmpty()) errs.add("seeds: expected at least one seed");
        for (int i = 0; sd != null && i < sd.size(); i++) {
            Long s = integer(sd.get(i), "seeds[" + i + "]", Long.MIN_VALUE, Long.MAX_VALUE, errs);
            if (s == null) continue;
            if (seeds.contains(s)) errs.add("seeds[" + i + "]: the seed " + s + " appears twice");
            seeds.add(s);
        }

        String selection = BEST_VAL_MSE;
        if (o.has("selection")) {
            String s = string(o, "selection", errs);
            if (s != null && !s.equals(BEST_VAL_MSE))
                errs.add("selection: expected \"" + BEST_VAL_MSE + "\" (lowest best validation MSE per setting), found \"" + s + "\"");
        }

        if (!errs.isEmpty()) throw new IllegalArgumentException(where + ": " + String.join("; ", errs));
        return new SweepSpec(name, settings, fixed, grids, searchSeed, seeds, selection);
    }

    /**
     * A {@code grid} field: one object (option -> list of values) or a non-empty list of them. An
     * option may also be fixed: a grid value replaces the fixed one for its runs.
     */
    private static List<Map<String, List<JsonPrimitive>>> grids(JsonElement e, String at, List<String> errs) {
        List<Map<String, List<JsonPrimitive>>> grids = new ArrayList<>();
        if (e.isJsonObject()) {
            grids.add(grid(e.getAsJsonObject(), at, errs));
        } else if (e.isJsonArray() && !e.getAsJsonArray().isEmpty()) {
            JsonArray a = e.getAsJsonArray();
            for (int i = 0; i < a.size(); i++) {
                if (a.get(i).isJsonObject()) grids.add(grid(a.get(i).getAsJsonObject(), at + "[" + i + "]", errs));
                else errs.add(at + "[" + i + "]: expected a JSON object (option -> list of values), found " + shortly(a.get(i)));
            }
        } else {
            errs.add(at + ": expected a JSON object (option -> list of values) or a non-empty list of them, found " + shortly(e));
        }
        return grids;
    }

    private static Map<String, List<JsonPrimitive>> grid(JsonObject go, String gat, List<String> errs) {
        Map<String, List<JsonPrimitive>> grid = new LinkedHashMap<>();
        if (go.keySet().isEmpty())
            errs.add(gat + ": expected at least one option with a list of values (use a one-value list to search nothing)");
        for (String k : go.keySet()) {
            String at = gat + ".\"" + k + "\"";
            if (!optionName(k, at, errs)) continue;
            JsonElement e = go.get(k);
            if (!e.isJsonArray()) { errs.add(at + ": expected a JSON array of values, found " + shortly(e)); continue; }
            JsonArray a = e.getAsJsonArray();
            if (a.isEmpty()) { errs.add(at + ": expected at least one value, found an empty list"); continue; }
            List<JsonPrimitive> vs = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (int j = 0; j < a.size(); j++) {
                JsonPrimitive v = value(a.get(j), at + "[" + j + "]", errs);
                if (v == null) continue;
                if (!seen.add(v.getAsString())) errs.add(at + "[" + j + "]: the value " + v + " appears twice");
                vs.add(v);
            }
            grid.put(k, vs);
        }
        return grid;
    }

    private static JsonElement gridsJson(List<Map<String, List<JsonPrimitive>>> grids) {
        JsonArray all = new JsonArray();
        for (Map<String, List<JsonPrimitive>> g : grids) {
            JsonObject go = new JsonObject();
            g.forEach((k, vs) -> {
                JsonArray a = new JsonArray();
                vs.forEach(a::add);
                go.add(k, a);
            });
            all.add(go);
        }
        return all.size() == 1 ? all.get(0) : all;
    }

    /** The spec as JSON, data paths as given here (absolute once read from a file): what sweep.json keeps. */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("name", name);
        JsonArray sa = new JsonArray();
        for (Setting s : settings) {
            JsonObject so = new JsonObject();
            so.addProperty("data", s.data().toString());
            so.addProperty("seqLen", s.seqLen());
            so.addProperty("horizon", s.horizon());
            if (!s.fixed().isEmpty()) {
                JsonObject sf = new JsonObject();
                s.fixed().forEach(sf::add);
                so.add("fixed", sf);
            }
            if (!s.grids().isEmpty()) so.add("grid", gridsJson(s.grids()));
            sa.add(so);
        }
        o.add("settings", sa);
        JsonObject fo = new JsonObject();
        fixed.forEach(fo::add);
        o.add("fixed", fo);
        if (!grids.isEmpty()) o.add("grid", gridsJson(grids));
        o.addProperty("searchSeed", searchSeed);
        JsonArray sd = new JsonArray();
        seeds.forEach(sd::add);
        o.add("seeds", sd);
        o.addProperty("selection", selection);
        return o;
    }

    /** The command-line words of one option: {@code --x v}; a boolean flag is its name when true and nothing when false. */
    static void appendOption(List<String> args, String option, JsonPrimitive value) {
        if (value.isBoolean()) {
            if (value.getAsBoolean()) args.add(option);
        } else {
            args.add(option);
            args.add(value.getAsString());   // a number as written in the file (1e-4 stays 1e-4)
        }
    }

    // ------------------------------------------------------------------ field readers (collect errors)

    private static boolean optionName(String k, String at, List<String> errs) {
        if (!k.matches("--[a-z0-9][a-z0-9-]*")) {
            errs.add(at + ": expected a train option name such as \"--lr\"");
            return false;
        }
        if (MANAGED_OPTIONS.contains(k)) {
            errs.add(at + ": set by the sweep itself (from settings, searchSeed and seeds); remove it");
            return false;
        }
        return true;
    }

    private static JsonPrimitive value(JsonElement e, String at, List<String> errs) {
        if (e == null || !e.isJsonPrimitive()) {
            errs.add(at + ": expected a number, string or true/false, found " + (e == null ? "nothing" : shortly(e)));
            return null;
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        if (p.isString() && p.getAsString().isBlank()) { errs.add(at + ": expected a value, found an empty string"); return null; }
        return p;
    }

    private static String string(JsonObject o, String key, List<String> errs) { return string(o, key, errs, ""); }

    private static String string(JsonObject o, String key, List<String> errs, String prefix) {
        JsonElement e = o.get(key);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            errs.add(prefix + key + ": expected a string, found " + (e == null ? "nothing (missing)" : shortly(e)));
            return null;
        }
        return e.getAsString();
    }

    private static JsonArray array(JsonObject o, String key, List<String> errs) {
        JsonElement e = o.get(key);
        if (e == null || !e.isJsonArray()) {
            errs.add(key + ": expected a JSON array, found " + (e == null ? "nothing (missing)" : shortly(e)));
            return null;
        }
        return e.getAsJsonArray();
    }

    private static JsonObject object(JsonObject o, String key, List<String> errs, boolean required) {
        return object(o, key, errs, required, "");
    }

    private static JsonObject object(JsonObject o, String key, List<String> errs, boolean required, String prefix) {
        JsonElement e = o.get(key);
        if (e == null && !required) return null;
        if (e == null || !e.isJsonObject()) {
            errs.add(prefix + key + ": expected a JSON object, found " + (e == null ? "nothing (missing)" : shortly(e)));
            return null;
        }
        return e.getAsJsonObject();
    }

    private static Long integer(JsonElement e, String at, long min, long max, List<String> errs) {
        BigDecimal v = null;
        if (e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            try {
                v = e.getAsBigDecimal();
            } catch (NumberFormatException ignored) {
                // NaN / Infinity: reported below
            }
        }
        if (v == null || v.stripTrailingZeros().scale() > 0) {
            errs.add(at + ": expected an integer, found " + (e == null ? "nothing (missing)" : shortly(e)));
            return null;
        }
        if (v.compareTo(BigDecimal.valueOf(min)) < 0 || v.compareTo(BigDecimal.valueOf(max)) > 0) {
            errs.add(at + ": " + e + " is outside " + min + ".." + max);
            return null;
        }
        return v.longValueExact();
    }

    private static String shortly(JsonElement e) {
        String kind = e.isJsonObject() ? "an object " : e.isJsonArray() ? "an array "
            : e.isJsonPrimitive() && e.getAsJsonPrimitive().isString() ? "the string " : "";
        String s = e.toString();
        return kind + (s.length() > 40 ? s.substring(0, 40) + "..." : s);
    }

    private static List<String> sorted(Set<String> s) {
        List<String> l = new ArrayList<>(s);
        Collections.sort(l);
        return l;
    }
}
