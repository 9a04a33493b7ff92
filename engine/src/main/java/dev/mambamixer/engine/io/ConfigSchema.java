package dev.mambamixer.engine.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Checks a JSON object against a config record before Gson reads it. Gson fills a missing or
 * null record field with 0/false/null, so a config.json without {@code dModel} would become a
 * model of width 0 (or, with other holes, an NPE deep in a constructor). Here every record
 * component must be present with the JSON type its Java type needs: integers integral and in
 * range, doubles finite, enums one of their tokens, lists of the element type, nested records
 * recursively. Every problem is reported in one {@link IllegalArgumentException} that names the
 * file, the field path, what was expected and what was found. Range rules (positive sizes, ...)
 * stay in the records' own {@code validate()}.
 */
public final class ConfigSchema {
    private ConfigSchema() {}

    /**
     * Reads {@code parent[key]} as a {@code type}; {@code optional} names components that may be
     * absent (fields added later, whose Gson default 0/false is also their meaning).
     */
    public static <T extends Record> T read(JsonObject parent, String key, Class<T> type, String file, Set<String> optional) {
        JsonElement e = parent.get(key);
        if (e == null) throw new IllegalArgumentException(file + ": missing \"" + key + "\" (expected a JSON object)");
        List<String> errs = new ArrayList<>();
        check(e, type, key, optional, errs);
        if (!errs.isEmpty()) throw new IllegalArgumentException(file + ": " + String.join("; ", errs));
        try {
            return ConfigJson.GSON.fromJson(e, type);
        } catch (RuntimeException ex) {   // should not happen after the checks; still one clear line
            throw new IllegalArgumentException(file + ": \"" + key + "\" cannot be read: " + ex.getMessage(), ex);
        }
    }

    public static <T extends Record> T read(JsonObject parent, String key, Class<T> type, String file) {
        return read(parent, key, type, file, Set.of());
    }

    private static void check(JsonElement e, Type type, String path, Set<String> optional, List<String> errs) {
        Class<?> raw = type instanceof ParameterizedType pt ? (Class<?>) pt.getRawType() : (Class<?>) type;
        if (e == null || e.isJsonNull()) {
            errs.add(path + ": expected " + describe(raw) + ", found " + (e == null ? "nothing (missing)" : "null"));
            return;
        }
        if (raw.isRecord()) {
            if (!e.isJsonObject()) { errs.add(path + ": expected a JSON object, found " + shortly(e)); return; }
            JsonObject o = e.getAsJsonObject();
            for (RecordComponent c : raw.getRecordComponents()) {
                if (!o.has(c.getName()) && optional.contains(c.getName())) continue;
                check(o.get(c.getName()), c.getGenericType(), path + "." + c.getName(), optional, errs);
            }
        } else if (raw == int.class || raw == Integer.class) {
            integral(e, path, Integer.MIN_VALUE, Integer.MAX_VALUE, errs);
        } else if (raw == long.class || raw == Long.class) {
            integral(e, path, Long.MIN_VALUE, Long.MAX_VALUE, errs);
        } else if (raw == double.class || raw == Double.class || raw == float.class) {
            Double d = number(e);
            if (d == null) errs.add(path + ": expected a number, found " + shortly(e));
            else if (!Double.isFinite(d)) errs.add(path + ": expected a finite number, found " + d);
        } else if (raw == boolean.class || raw == Boolean.class) {
            if (!(e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean()))
                errs.add(path + ": expected true or false, found " + shortly(e));
        } else if (raw == String.class) {
            if (!(e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()))
                errs.add(path + ": expected a string, found " + shortly(e));
        } else if (raw.isEnum()) {
            if (!(e.isJsonPrimitive() && e.getAsJsonPrimitive().isString())) {
                errs.add(path + ": expected one of " + tokens(raw) + ", found " + shortly(e));
            } else {
                try {
                    enumParse(raw, e.getAsString(), path);
                } catch (IllegalArgumentException ex) {
                    errs.add(ex.getMessage());
                }
            }
        } else if (List.class.isAssignableFrom(raw)) {
            if (!e.isJsonArray()) { errs.add(path + ": expected a JSON array, found " + shortly(e)); return; }
            Type elem = type instanceof ParameterizedType pt ? pt.getActualTypeArguments()[0] : Object.class;
            JsonArray a = e.getAsJsonArray();
            for (int i = 0; i < a.size(); i++) check(a.get(i), elem, path + "[" + i + "]", optional, errs);
        } else {
            errs.add(path + ": no schema rule for " + raw.getSimpleName());
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void enumParse(Class<?> raw, String token, String path) {
        ConfigJson.parse((Class) raw, token, path);
    }

    private static void integral(JsonElement e, String path, long min, long max, List<String> errs) {
        BigDecimal v = decimal(e);
        if (v == null) { errs.add(path + ": expected an integer, found " + shortly(e)); return; }
        if (v.stripTrailingZeros().scale() > 0) { errs.add(path + ": expected an integer, found " + e); return; }
        if (v.compareTo(BigDecimal.valueOf(min)) < 0 || v.compareTo(BigDecimal.valueOf(max)) > 0)
            errs.add(path + ": " + e + " is outside the " + (max == Integer.MAX_VALUE ? "int" : "long") + " range");
    }

    /** The number of a JSON number primitive, or null (strings like "3" are not numbers here). */
    private static BigDecimal decimal(JsonElement e) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) return null;
        try {
            return e.getAsBigDecimal();
        } catch (NumberFormatException ex) {   // NaN / Infinity literals
            return null;
        }
    }

    /**
     * The value of a JSON number, or of the literals NaN / Infinity / -Infinity that Gson writes for
     * special doubles (its lenient parser reads them back as strings); null otherwise.
     */
    private static Double number(JsonElement e) {
        if (!e.isJsonPrimitive()) return null;
        JsonPrimitive p = e.getAsJsonPrimitive();
        if (p.isString()) {
            switch (p.getAsString()) {
                case "NaN": return Double.NaN;
                case "Infinity": return Double.POSITIVE_INFINITY;
                case "-Infinity": return Double.NEGATIVE_INFINITY;
                default: return null;
            }
        }
        if (!p.isNumber()) return null;
        try {
            return e.getAsDouble();
        } catch (NumberFormatException ex) {
            return null;
        }
    }

    private static String describe(Class<?> raw) {
        if (raw.isRecord()) return "a JSON object";
        if (raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class) return "an integer";
        if (raw == double.class || raw == Double.class) return "a number";
        if (raw == boolean.class || raw == Boolean.class) return "true or false";
        if (raw.isEnum()) return "one of " + tokens(raw);
        if (List.class.isAssignableFrom(raw)) return "a JSON array";
        return "a string";
    }

    private static String tokens(Class<?> raw) {
        List<String> t = new ArrayList<>();
        for (Object c : raw.getEnumConstants()) t.add(c.toString());
        return String.join(", ", t);
    }

    /** A found value for a message, cut to a readable length. */
    static String shortly(JsonElement e) {
        String kind = e.isJsonObject() ? "an object " : e.isJsonArray() ? "an array "
            : e.isJsonPrimitive() && ((JsonPrimitive) e).isString() ? "the string " : "";
        String s = e.toString();
        return kind + (s.length() > 40 ? s.substring(0, 40) + "..." : s);
    }

    // ------------------------------------------------------------------ state.json counters

    /** {@code o[key]} as an int in {@code min..max}; names the file, the key and the range otherwise. */
    public static int intIn(JsonObject o, String key, int min, int max, String file) {
        JsonElement e = o.get(key);
        BigDecimal v = e == null || e.isJsonNull() ? null : decimal(e);
        if (v == null || v.stripTrailingZeros().scale() > 0)
            throw new IllegalArgumentException(file + ": \"" + key + "\" expected an integer in " + min + ".." + max
                                               + ", found " + (e == null ? "nothing (missing)" : shortly(e)));
        if (v.compareTo(BigDecimal.valueOf(min)) < 0 || v.compareTo(BigDecimal.valueOf(max)) > 0)
            throw new IllegalArgumentException(file + ": \"" + key + "\" is " + e + ", expected " + min + ".." + max);
        return v.intValueExact();
    }

    /** {@code o[key]} as a long (any value). */
    public static long longField(JsonObject o, String key, String file) {
        JsonElement e = o.get(key);
        BigDecimal v = e == null || e.isJsonNull() ? null : decimal(e);
        if (v == null || v.stripTrailingZeros().scale() > 0
            || v.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) < 0 || v.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0)
            throw new IllegalArgumentException(file + ": \"" + key + "\" expected a 64-bit integer, found "
                                               + (e == null ? "nothing (missing)" : shortly(e)));
        return v.longValueExact();
    }

    /** {@code o[key]} as a number in [min, max] (infinite bounds allow the infinities JSON may hold as literals). */
    public static double doubleIn(JsonObject o, String key, double min, double max, String file) {
        JsonElement e = o.get(key);
        Double v = e == null || e.isJsonNull() ? null : number(e);
        if (v == null)
            throw new IllegalArgumentException(file + ": \"" + key + "\" expected a number in [" + min + ", " + max
                                               + "], found " + (e == null ? "nothing (missing)" : shortly(e)));
        if (Double.isNaN(v) || v < min || v > max)
            throw new IllegalArgumentException(file + ": \"" + key + "\" is " + (e.getAsJsonPrimitive().isString() ? v : e)
                                               + ", expected a number in [" + min + ", " + max + "]");
        return v;
    }
}
