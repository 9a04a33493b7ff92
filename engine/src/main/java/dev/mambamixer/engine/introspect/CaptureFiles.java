package dev.mambamixer.engine.introspect;

import dev.mambamixer.engine.io.ConfigJson;
import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.mambamixer.engine.io.AtomicFiles;
import dev.mambamixer.engine.io.NamedArray;
import dev.mambamixer.engine.io.SafeTensors;
import dev.mambamixer.engine.model.Tsm2Config;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Captures on disk, so a finished run can be explored later without the engine's model classes:
 * a folder with {@code capture.json} (format, step, model config, names, axes, shapes, the
 * safetensors key of every array, and derived per-layer statistics for quick browsing) and
 * {@code capture.safetensors} (every float array, F32). An averaging history is
 * {@code averaging-history.json} + {@code averaging-history.safetensors} (weights (T, K, K+1)).
 * Files are written atomically; reading checks every shape and reports what is missing.
 */
public final class CaptureFiles {
    public static final String FORMAT = "mambamixer-capture";
    public static final int VERSION = 1;
    public static final String CAPTURE_JSON = "capture.json", CAPTURE_ARRAYS = "capture.safetensors";
    public static final String HISTORY_JSON = "averaging-history.json", HISTORY_ARRAYS = "averaging-history.safetensors";
    public static final String FORECASTS_JSON = "forecasts.json";
    private static final Gson GSON = ConfigJson.GSON;

    private CaptureFiles() {}

    // ------------------------------------------------------------------ model capture

    public static void write(ModelCapture cap, Path folder) throws IOException {
        Files.createDirectories(folder);
        Tsm2Config cfg = cap.config();
        Map<String, NamedArray> arrays = new LinkedHashMap<>();
        JsonObject root = new JsonObject();
        root.addProperty("format", FORMAT);
        root.addProperty("version", VERSION);
        root.addProperty("arrays", CAPTURE_ARRAYS);
        root.addProperty("step", cap.step());
        root.addProperty("batch", cap.batch());
        root.add("config", GSON.toJsonTree(cfg));
        root.add("input", put(arrays, "input", cap.input(), cap.batch(), cfg.seqLen(), cfg.variates()));
        root.add("forecast", put(arrays, "forecast", cap.forecast(), cap.batch(), cfg.horizon(), cfg.variates()));
        root.add("averaging", averagingJson(cap.averaging(), arrays, "averaging.weights"));
        JsonArray mixers = new JsonArray();
        for (int i = 0; i < cap.mixers().size(); i++) {
            MixerCapture m = cap.mixers().get(i);
            String pre = "mixers." + i + ".";
            JsonObject mo = new JsonObject();
            mo.addProperty("name", m.name());
            mo.addProperty("kind", m.kind().label());
            mo.addProperty("block", m.block());
            mo.addProperty("s", m.s());
            mo.addProperty("l", m.l());
            mo.addProperty("f", m.f());
            mo.add("sequence_axes", GSON.toJsonTree(m.sequenceAxes()));
            mo.add("sequence_shape", GSON.toJsonTree(m.sequenceShape()));
            mo.addProperty("position_axis", m.positionAxis());
            mo.add("output_norm", put(arrays, pre + "output_norm", m.outputNorm(), m.s(), m.l()));
            JsonArray dirs = new JsonArray();
            for (ScanCapture d : m.directions()) {
                String dp = pre + d.direction() + ".";
                int s = d.s(), l = d.l(), e = d.e(), n = d.n();
                JsonObject dob = new JsonObject();
                dob.addProperty("name", d.name());
                dob.addProperty("direction", d.direction().label());
                dob.addProperty("reversed", d.reversed());
                dob.addProperty("s", s);
                dob.addProperty("l", l);
                dob.addProperty("e", e);
                dob.addProperty("n", n);
                JsonObject ar = new JsonObject();
                ar.add("u", put(arrays, dp + "u", d.u(), s, l, e));
                ar.add("delta", put(arrays, dp + "delta", d.delta(), s, l, e));
                ar.add("b", put(arrays, dp + "b", d.b(), s, l, n));
                ar.add("c", put(arrays, dp + "c", d.c(), s, l, n));
                ar.add("gate", put(arrays, dp + "gate", d.gate(), s, l, e));
                ar.add("retention", put(arrays, dp + "retention", d.retention(), s, l));
                ar.add("state_norm", put(arrays, dp + "state_norm", d.stateNorm(), s, l));
                ar.add("a", put(arrays, dp + "a", d.a(), e, n));
                ar.add("d", put(arrays, dp + "d", d.d(), e));
                ar.add("delta_bias", put(arrays, dp + "delta_bias", d.deltaBias(), e));
                dob.add("arrays", ar);
                JsonObject st = new JsonObject();   // derived, for browsing; ignored when reading
                st.add("delta", GSON.toJsonTree(d.deltaStats()));
                st.add("b", GSON.toJsonTree(d.bStats()));
                st.add("c", GSON.toJsonTree(d.cStats()));
                dob.add("stats", st);
                dirs.add(dob);
            }
            mo.add("directions", dirs);
            mixers.add(mo);
        }
        root.add("mixers", mixers);
        SafeTensors.write(folder.resolve(CAPTURE_ARRAYS), arrays, Map.of("format", FORMAT));
        AtomicFiles.writeString(folder.resolve(CAPTURE_JSON), GSON.toJson(root) + "\n");   // last: marks completion
    }

    public static ModelCapture read(Path folder) throws IOException {
        JsonObject root = readJson(folder.resolve(CAPTURE_JSON), FORMAT);
        String where = folder.resolve(CAPTURE_JSON).toString();
        Map<String, NamedArray> arrays = SafeTensors.read(folder.resolve(str(root, "arrays", where))).tensors();
        Tsm2Config cfg = GSON.fromJson(root.get("config"), Tsm2Config.class);
        List<MixerCapture> mixers = new ArrayList<>();
        for (JsonElement me : root.getAsJsonArray("mixers")) {
            JsonObject mo = me.getAsJsonObject();
            String name = str(mo, "name", where);
            List<ScanCapture> dirs = new ArrayList<>();
            for (JsonElement de : mo.getAsJsonArray("directions")) {
                JsonObject dob = de.getAsJsonObject();
                JsonObject ar = dob.getAsJsonObject("arrays");
                int s = dob.get("s").getAsInt(), l = dob.get("l").getAsInt();
                int e = dob.get("e").getAsInt(), n = dob.get("n").getAsInt();
                dirs.add(new ScanCapture(str(dob, "name", where), ScanDirection.of(str(dob, "direction", where)),
                                         dob.get("reversed").getAsBoolean(), s, l, e, n,
                                         get(arrays, ar, "u", where, s, l, e), get(arrays, ar, "delta", where, s, l, e),
                                         get(arrays, ar, "b", where, s, l, n), get(arrays, ar, "c", where, s, l, n),
                                         get(arrays, ar, "gate", where, s, l, e),
                                         get(arrays, ar, "retention", where, s, l),
                                         get(arrays, ar, "state_norm", where, s, l), get(arrays, ar, "a", where, e, n),
                                         get(arrays, ar, "d", where, e), get(arrays, ar, "delta_bias", where, e)));
            }
            int s = mo.get("s").getAsInt(), l = mo.get("l").getAsInt();
            // files written before the block was stored: the block is the number in blocks.<i>.<kind>
            int block = mo.has("block") ? mo.get("block").getAsInt() : MixerKind.parse(name).block();
            mixers.add(new MixerCapture(name, MixerKind.of(str(mo, "kind", where)), block, s, l, mo.get("f").getAsInt(),
                                        Arrays.asList(GSON.fromJson(mo.get("sequence_axes"), String[].class)),
                                        GSON.fromJson(mo.get("sequence_shape"), int[].class),
                                        str(mo, "position_axis", where), dirs,
                                        get(arrays, mo, "output_norm", where, s, l)));
        }
        int b = root.get("batch").getAsInt();
        JsonObject avg = root.getAsJsonObject("averaging");
        return new ModelCapture(root.get("step").getAsLong(), cfg, b,
                                get(arrays, root, "input", where, b, cfg.seqLen(), cfg.variates()),
                                get(arrays, root, "forecast", where, b, cfg.horizon(), cfg.variates()),
                                mixers, readAveraging(avg, arrays, where, null));
    }

    // ------------------------------------------------------------------ averaging history

    public static void write(AveragingHistory h, Path folder) throws IOException {
        if (h.size() == 0) throw new IllegalArgumentException("averaging history is empty, nothing to write");
        Files.createDirectories(folder);
        AveragingMatrix first = h.get(0);
        int k = first.targetCount(), src = first.sourceCount();
        float[] all = new float[h.size() * k * src];
        for (int i = 0; i < h.size(); i++) System.arraycopy(h.get(i).weights(), 0, all, i * k * src, k * src);
        Map<String, NamedArray> arrays = new LinkedHashMap<>();
        JsonObject root = new JsonObject();
        root.addProperty("format", FORMAT + "-averaging-history");
        root.addProperty("version", VERSION);
        root.addProperty("arrays", HISTORY_ARRAYS);
        root.add("steps", GSON.toJsonTree(h.steps()));
        JsonObject avg = averagingJson(first, new LinkedHashMap<>(), "unused");
        avg.add("weights", put(arrays, "weights", all, h.size(), k, src));
        root.add("averaging", avg);
        SafeTensors.write(folder.resolve(HISTORY_ARRAYS), arrays, Map.of("format", FORMAT));
        AtomicFiles.writeString(folder.resolve(HISTORY_JSON), GSON.toJson(root) + "\n");
    }

    public static AveragingHistory readHistory(Path folder) throws IOException {
        JsonObject root = readJson(folder.resolve(HISTORY_JSON), FORMAT + "-averaging-history");
        String where = folder.resolve(HISTORY_JSON).toString();
        Map<String, NamedArray> arrays = SafeTensors.read(folder.resolve(str(root, "arrays", where))).tensors();
        long[] steps = GSON.fromJson(root.get("steps"), long[].class);
        JsonObject avg = root.getAsJsonObject("averaging");
        int k = avg.getAsJsonArray("targets").size();
        float[] all = get(arrays, avg, "weights", where, steps.length, k, k + 1);
        AveragingHistory h = new AveragingHistory();
        for (int i = 0; i < steps.length; i++)
            h.record(steps[i], readAveraging(avg, arrays, where,
                                             Arrays.copyOfRange(all, i * k * (k + 1), (i + 1) * k * (k + 1))));
        return h;
    }

    // ------------------------------------------------------------------ helpers

    private static JsonObject averagingJson(AveragingMatrix a, Map<String, NamedArray> arrays, String key) {
        JsonObject o = new JsonObject();
        o.addProperty("mode", a.mode());
        o.add("targets", GSON.toJsonTree(a.targets()));
        o.add("sources", GSON.toJsonTree(a.sources()));
        JsonArray sym = new JsonArray();
        for (int t = 0; t < a.targetCount(); t++) {
            JsonArray row = new JsonArray();
            for (int s = 0; s < a.sourceCount(); s++) row.add(a.symbol(t, s));
            sym.add(row);
        }
        o.add("symbols", sym);
        o.add("weights", put(arrays, key, a.weights(), a.targetCount(), a.sourceCount()));
        return o;
    }

    /** weights == null: read them from the "weights" entry of o. */
    private static AveragingMatrix readAveraging(JsonObject o, Map<String, NamedArray> arrays, String where,
                                                 float[] weights) {
        List<String> targets = Arrays.asList(GSON.fromJson(o.get("targets"), String[].class));
        List<String> sources = Arrays.asList(GSON.fromJson(o.get("sources"), String[].class));
        float[] w = weights != null ? weights : get(arrays, o, "weights", where, targets.size(), sources.size());
        return new AveragingMatrix(targets, sources, str(o, "mode", where), w);
    }

    private static JsonObject put(Map<String, NamedArray> arrays, String key, float[] data, int... shape) {
        arrays.put(key, new NamedArray(shape, data));
        JsonObject o = new JsonObject();
        o.addProperty("key", key);
        o.add("shape", GSON.toJsonTree(shape));
        return o;
    }

    /** The array that {@code parent.field} points at, checked against the expected shape. */
    private static float[] get(Map<String, NamedArray> arrays, JsonObject parent, String field, String where,
                               int... shape) {
        if (!parent.has(field)) throw new IllegalArgumentException(where + ": missing \"" + field + "\"");
        String key = str(parent.getAsJsonObject(field), "key", where);
        NamedArray a = arrays.get(key);
        if (a == null) throw new IllegalArgumentException(where + ": array '" + key + "' is missing from the safetensors file");
        if (!Arrays.equals(a.shape(), shape))
            throw new IllegalArgumentException(where + ": array '" + key + "' has shape " + a.shapeString() + ", expected "
                                               + Arrays.toString(shape));
        return a.data();
    }

    private static String str(JsonObject o, String field, String where) {
        if (!o.has(field) || o.get(field).isJsonNull())
            throw new IllegalArgumentException(where + ": missing \"" + field + "\"");
        return o.get(field).getAsString();
    }

    private static JsonObject readJson(Path file, String format) throws IOException {
        if (!Files.exists(file)) throw new IOException(file + " does not exist (not a capture folder, or unfinished)");
        JsonObject root = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
        if (!root.has("format") || !format.equals(root.get("format").getAsString()))
            throw new IllegalArgumentException(file + ": not a " + format + " file");
        if (root.get("version").getAsInt() > VERSION)
            throw new IllegalArgumentException(file + ": version " + root.get("version") + " is newer than " + VERSION);
        return root;
    }

    /**
     * Writes forecast windows (history, truth, prediction, names, metrics) to
     * {@code folder/forecasts.json}, atomically.
     */
    public static void writeForecasts(List<ForecastWindow> windows, Path folder) throws IOException {
        Files.createDirectories(folder);
        JsonObject root = new JsonObject();
        root.addProperty("format", FORMAT + "-forecasts");
        root.addProperty("version", VERSION);
        root.add("windows", GSON.toJsonTree(windows));
        AtomicFiles.writeString(folder.resolve(FORECASTS_JSON), GSON.toJson(root) + "\n");
    }

    /** Reads {@link #writeForecasts}' file back; the record constructor re-checks every shape. */
    public static List<ForecastWindow> readForecasts(Path folder) throws IOException {
        Path f = folder.resolve(FORECASTS_JSON);
        try {
            JsonObject root = JsonParser.parseString(Files.readString(f, StandardCharsets.UTF_8)).getAsJsonObject();
            if (!root.has("windows")) throw new IOException(f + ": no \"windows\" array");
            return List.of(GSON.fromJson(root.get("windows"), ForecastWindow[].class));
        } catch (RuntimeException e) {   // JSON syntax, or a window the record constructor rejects
            Throwable c = e;
            while (c.getCause() != null && c.getCause() != c) c = c.getCause();
            throw new IOException(f + ": not a valid forecasts file: " + c, e);
        }
    }
}
