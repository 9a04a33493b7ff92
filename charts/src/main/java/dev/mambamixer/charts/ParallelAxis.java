package dev.mambamixer.charts;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One vertical axis of a {@link ParallelCoordinates} chart and its mapping between values and the
 * axis' height (fraction 0 = bottom, 1 = top; a small pad keeps the extreme values off the ends).
 * A categorical axis holds the category's index as the value, its categories spaced evenly; a
 * numeric one is linear, or logarithmic where the values span a decade or more (learning rates).
 *
 * @param categories the names of a {@link Scale#CATEGORY} axis (value = index); empty otherwise
 * @param ticks      the values labelled on the axis
 */
public record ParallelAxis(String name, Scale scale, List<String> categories, double lower, double upper, double[] ticks) {
    public enum Scale { CATEGORY, LINEAR, LOG }

    /** Share of the axis' height left free at each end. */
    static final double PAD = 0.05;
    /** Up to this many distinct values are each labelled; beyond, five evenly spaced ticks. */
    static final int MAX_VALUE_TICKS = 8;

    public ParallelAxis {
        categories = List.copyOf(categories);
        ticks = ticks.clone();
    }

    public static ParallelAxis categorical(String name, List<String> categories) {
        double[] t = new double[categories.size()];
        for (int i = 0; i < t.length; i++) t[i] = i;
        return new ParallelAxis(name, Scale.CATEGORY, categories, 0, Math.max(0, categories.size() - 1), t);
    }

    /** A numeric axis over the finite values given (NaN ignored): log when all are positive and span ≥ 10×. */
    public static ParallelAxis numeric(String name, double[] values) {
        double[] v = Arrays.stream(values).filter(Double::isFinite).sorted().distinct().toArray();
        if (v.length == 0) return new ParallelAxis(name, Scale.LINEAR, List.of(), 0, 1, new double[0]);
        double lo = v[0], hi = v[v.length - 1];
        Scale s = lo > 0 && hi / lo >= 10 ? Scale.LOG : Scale.LINEAR;
        double[] ticks = v;
        if (v.length > MAX_VALUE_TICKS) {
            ticks = new double[5];
            for (int i = 0; i < 5; i++) ticks[i] = inverse(s, lo, hi, i / 4.0);
        }
        return new ParallelAxis(name, s, List.of(), lo, hi, ticks);
    }

    /** Where {@code value} sits on the axis, 0 (bottom) to 1 (top); NaN for NaN. */
    public double fraction(double value) {
        if (Double.isNaN(value)) return Double.NaN;
        if (!(upper > lower)) return 0.5;   // one value: the middle
        double t = scale == Scale.LOG ? (Math.log(value) - Math.log(lower)) / (Math.log(upper) - Math.log(lower))
                                      : (value - lower) / (upper - lower);
        return PAD + (1 - 2 * PAD) * t;
    }

    /** The value at {@code fraction} of the axis' height (the inverse of {@link #fraction}). */
    public double value(double fraction) {
        if (!(upper > lower)) return lower;
        return inverse(scale, lower, upper, (fraction - PAD) / (1 - 2 * PAD));
    }

    private static double inverse(Scale s, double lo, double hi, double t) {
        return s == Scale.LOG ? Math.exp(Math.log(lo) + t * (Math.log(hi) - Math.log(lo))) : lo + t * (hi - lo);
    }

    /** A tick's text: the category's name, or the number short ("1e-4", "0.0030", "512"). */
    public String label(double value) {
        if (scale == Scale.CATEGORY) {
            int i = (int) Math.round(value);
            return i >= 0 && i < categories.size() ? categories.get(i) : "";
        }
        return number(value);
    }

    public static String number(double v) {
        if (!Double.isFinite(v)) return String.valueOf(v);
        double a = Math.abs(v);
        if (v == Math.rint(v) && a < 1e6) return Long.toString((long) v);
        if (a < 1e-3 || a >= 1e5) {
            String s = String.format(Locale.ROOT, "%.1e", v);   // 1.0e-04 -> 1e-4, 3.5e-05 -> 3.5e-5
            String[] p = s.split("e");
            String m = p[0].endsWith(".0") ? p[0].substring(0, p[0].length() - 2) : p[0];
            return m + "e" + Integer.parseInt(p[1]);
        }
        return String.format(Locale.ROOT, a < 0.1 ? "%.4f" : "%.3f", v).replaceAll("(\\.\\d*?)0+$", "$1").replaceAll("\\.$", "");
    }

    @Override public boolean equals(Object o) {
        return o instanceof ParallelAxis a && a.name.equals(name) && a.scale == scale && a.categories.equals(categories)
               && Double.compare(a.lower, lower) == 0 && Double.compare(a.upper, upper) == 0 && Arrays.equals(a.ticks, ticks);
    }

    @Override public int hashCode() { return name.hashCode() * 31 + scale.hashCode(); }

    @Override public String toString() { return "ParallelAxis[" + name + ", " + scale + ", " + lower + ".." + upper + "]"; }
}
