package dev.mambamixer.workbench.vm;

import java.util.List;
import java.util.Locale;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/**
 * One editable configuration value: its text as typed, the parse/range check of that text
 * ({@link #error()} empty when valid), a tooltip and whether it is "hot" (applies to a running
 * model, like the learning rate) or "cold" (structural: needs a new model).
 */
public final class Field {
    public enum Type { INT, DOUBLE, BOOL, CHOICE }

    private final String key, label, tooltip;
    private final Type type;
    private final boolean hot;
    private final double min, max;
    private final List<String> choices;
    private final StringProperty text = new SimpleStringProperty(this, "text");
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper(this, "error", "");

    private Field(String key, String label, String tooltip, Type type, boolean hot, double min, double max,
                  List<String> choices, String initial) {
        this.key = key;
        this.label = label;
        this.tooltip = tooltip;
        this.type = type;
        this.hot = hot;
        this.min = min;
        this.max = max;
        this.choices = List.copyOf(choices);
        text.addListener((o, a, b) -> error.set(check(b)));
        text.set(initial);
        error.set(check(initial));
    }

    public static Field integer(String key, String label, String tooltip, int min, int max, int initial) {
        return new Field(key, label, tooltip, Type.INT, false, min, max, List.of(), Integer.toString(initial));
    }

    public static Field decimal(String key, String label, String tooltip, double min, double max, double initial,
                                boolean hot) {
        return new Field(key, label, tooltip, Type.DOUBLE, hot, min, max, List.of(), format(initial));
    }

    public static Field bool(String key, String label, String tooltip, boolean initial) {
        return new Field(key, label, tooltip, Type.BOOL, false, 0, 1, List.of("true", "false"), Boolean.toString(initial));
    }

    public static Field choice(String key, String label, String tooltip, List<String> choices, String initial) {
        return new Field(key, label, tooltip, Type.CHOICE, false, 0, 0, choices, initial);
    }

    static String format(double v) {
        if (v != 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) return String.format(Locale.ROOT, "%.2e", v);
        String s = String.format(Locale.ROOT, "%.6f", v).replaceAll("0+$", "");
        return s.endsWith(".") ? s + "0" : s;
    }

    /** The problem with {@code s}, or "" when it is a valid value. */
    String check(String s) {
        String v = s == null ? "" : s.strip();
        if (v.isEmpty()) return label + ": required";
        switch (type) {
            case INT -> {
                try {
                    long x = Long.parseLong(v);
                    if (x < min || x > max) return label + ": must be in [" + (long) min + ", " + (long) max + "], got " + v;
                } catch (NumberFormatException e) {
                    return label + ": not a whole number: '" + v + "'";
                }
            }
            case DOUBLE -> {
                try {
                    double x = Double.parseDouble(v);
                    if (!Double.isFinite(x) || x < min || x > max)
                        return label + ": must be in [" + format(min) + ", " + format(max) + "], got " + v;
                } catch (NumberFormatException e) {
                    return label + ": not a number: '" + v + "'";
                }
            }
            case BOOL, CHOICE -> {
                if (!choices.contains(v)) return label + ": expected one of " + choices + ", got '" + v + "'";
            }
        }
        return "";
    }

    public boolean valid() { return error.get().isEmpty(); }

    public int intValue() { return Integer.parseInt(text.get().strip()); }

    public double doubleValue() { return Double.parseDouble(text.get().strip()); }

    public boolean boolValue() { return Boolean.parseBoolean(text.get().strip()); }

    public String stringValue() { return text.get().strip(); }

    public void set(Object value) {
        text.set(value instanceof Double d ? format(d) : String.valueOf(value));
    }

    public String key() { return key; }
    public String label() { return label; }
    public String tooltip() { return tooltip; }
    public Type type() { return type; }
    /** Hot: applies to the running model at once; cold: structural, needs a reset. */
    public boolean hot() { return hot; }
    public List<String> choices() { return choices; }
    public StringProperty textProperty() { return text; }
    public ReadOnlyStringProperty errorProperty() { return error.getReadOnlyProperty(); }

    @Override public String toString() { return key + "=" + text.get(); }
}
