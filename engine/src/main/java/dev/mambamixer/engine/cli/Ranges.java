package dev.mambamixer.engine.cli;

import java.util.List;
import java.util.Locale;

/**
 * Range checks of command-line values, one line each in the commands: every message names the
 * option, the allowed range and the value given ({@code --epochs must be >= 1, got 0}). Thrown as
 * IllegalArgumentException, which {@link Main} prints as one line with exit code 2.
 */
final class Ranges {
    private Ranges() {}

    /** A count that must be at least 1 (sizes, epochs, batches). */
    static int positive(String option, int v) { return atLeast(option, v, 1); }

    /** A count where 0 has a meaning (off, every, full epochs) but negatives do not. */
    static int nonNegative(String option, int v) { return atLeast(option, v, 0); }

    static int atLeast(String option, int v, int min) {
        if (v < min) throw new IllegalArgumentException(option + " must be >= " + min + ", got " + v);
        return v;
    }

    static int between(String option, int v, int min, int max) {
        if (v < min || v > max) throw new IllegalArgumentException(option + " must be in " + min + ".." + max + ", got " + v);
        return v;
    }

    /** Every element of a comma-separated list at least 1. */
    static List<Integer> positive(String option, List<Integer> vs) {
        if (vs != null) for (int v : vs) positive(option, v);
        return vs;
    }

    /** A finite value greater than 0 (learning rates). */
    static double positive(String option, double v) {
        if (!Double.isFinite(v) || v <= 0) throw new IllegalArgumentException(option + " must be a finite number > 0, got " + v);
        return v;
    }

    /** A finite value >= 0 (weight decay, clip norms where 0 = off). */
    static double nonNegative(String option, double v) {
        if (!Double.isFinite(v) || v < 0) throw new IllegalArgumentException(option + " must be a finite number >= 0, got " + v);
        return v;
    }

    /** A finite value in [min, max) (rates and probabilities). */
    static double fraction(String option, double v, double min, double maxExclusive) {
        if (!Double.isFinite(v) || v < min || v >= maxExclusive)
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s must be in [%s, %s), got %s", option,
                                                             num(min), num(maxExclusive), num(v)));
        return v;
    }

    /** Any finite value (NaN and the infinities are refused). */
    static double finite(String option, double v) {
        if (!Double.isFinite(v)) throw new IllegalArgumentException(option + " must be a finite number, got " + v);
        return v;
    }

    /** A word from a fixed list (case-insensitive); returns it lower-cased. */
    static String oneOf(String option, String v, String... allowed) {
        String t = v == null ? "" : v.trim().toLowerCase(Locale.ROOT);
        for (String a : allowed) if (a.equalsIgnoreCase(t)) return a;
        throw new IllegalArgumentException(option + ": unknown value '" + v + "' (expected " + String.join(", ", allowed) + ")");
    }

    /** A {@code --backend} name Backends.create accepts. */
    static String backend(String v) { return oneOf("--backend", v, "auto", "cpu", "cuda", "reference"); }

    private static String num(double v) { return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v); }
}
