package dev.mambamixer.charts;

import java.awt.Color;
import java.awt.Paint;
import java.io.Serializable;
import org.jfree.chart.renderer.PaintScale;

/**
 * A heatmap colour scale: viridis (sequential, for non-negative data) or blue–white–red
 * (diverging, symmetric around 0, for signed data). Values outside the bounds are clamped; NaN
 * gets a fully transparent paint so the plot background shows through (missing, not black).
 */
public final class ColorMap implements PaintScale, Serializable {
    /** Which colour map a heatmap uses; AUTO picks DIVERGING when the data has a negative value. */
    public enum Kind { AUTO, SEQUENTIAL, DIVERGING }

    // matplotlib's viridis sampled at 0, 0.1, ..., 1.
    private static final int[] VIRIDIS = {0x440154, 0x482475, 0x414487, 0x355F8D, 0x2A788E, 0x21918C, 0x22A884,
                                          0x44BF70, 0x7AD151, 0xBDDF26, 0xFDE725};
    // ColorBrewer RdBu reversed (blue = negative), with a pure white centre.
    private static final int[] BLUE_WHITE_RED = {0x2166AC, 0x4393C3, 0x92C5DE, 0xD1E5F0, 0xFFFFFF, 0xFDDBC7, 0xF4A582,
                                                 0xD6604D, 0xB2182B};
    private static final Color TRANSPARENT = new Color(0, 0, 0, 0);
    private static final int STEPS = 257;   // odd: the diverging centre (0) is exactly white

    private final Kind kind;
    private final double lower, upper;
    private final Color[] lut;

    private ColorMap(Kind kind, double lower, double upper, int[] stops) {
        if (!(lower < upper)) throw new IllegalArgumentException("colour map needs lower < upper, got " + lower + ", " + upper);
        this.kind = kind;
        this.lower = lower;
        this.upper = upper;
        this.lut = interpolate(stops);
    }

    /** Viridis from {@code lower} (dark purple) to {@code upper} (yellow). */
    public static ColorMap sequential(double lower, double upper) {
        double[] b = widen(lower, upper);
        return new ColorMap(Kind.SEQUENTIAL, b[0], b[1], VIRIDIS);
    }

    /** Blue (−maxAbs) – white (0) – red (+maxAbs). */
    public static ColorMap diverging(double maxAbs) {
        double m = Double.isFinite(maxAbs) && maxAbs > 0 ? maxAbs : 1;
        return new ColorMap(Kind.DIVERGING, -m, m, BLUE_WHITE_RED);
    }

    /**
     * The scale for these values: sequential over [min, max], or diverging over ±max|z|
     * (AUTO: diverging when some finite value is negative). NaN cells are ignored.
     */
    public static ColorMap forData(float[][] z, Kind kind) {
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (float[] row : z)
            for (float v : row)
                if (Float.isFinite(v)) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
        if (min > max) { min = 0; max = 1; }   // nothing finite
        boolean diverging = kind == Kind.DIVERGING || (kind == Kind.AUTO && min < 0);
        return diverging ? diverging(Math.max(Math.abs(min), Math.abs(max))) : sequential(min, max);
    }

    /** Bounds for constant data: a unit-wide range around the value (a legend needs lower < upper). */
    private static double[] widen(double lower, double upper) {
        if (!Double.isFinite(lower) || !Double.isFinite(upper)) return new double[] {0, 1};
        if (lower < upper) return new double[] {lower, upper};
        double half = lower == 0 ? 0.5 : Math.abs(lower) * 0.5;
        return new double[] {lower - half, upper + half};
    }

    private static Color[] interpolate(int[] stops) {
        Color[] out = new Color[STEPS];
        for (int i = 0; i < STEPS; i++) {
            double pos = i / (double) (STEPS - 1) * (stops.length - 1);
            int lo = Math.min((int) pos, stops.length - 2);
            double f = pos - lo;
            int a = stops[lo], b = stops[lo + 1];
            out[i] = new Color(mix(a >> 16, b >> 16, f), mix(a >> 8, b >> 8, f), mix(a, b, f));
        }
        return out;
    }

    private static int mix(int a, int b, double f) {
        return (int) Math.round((a & 0xFF) * (1 - f) + (b & 0xFF) * f);
    }

    public Kind kind() { return kind; }

    @Override public double getLowerBound() { return lower; }

    @Override public double getUpperBound() { return upper; }

    @Override public Paint getPaint(double value) { return color(value); }

    /** The colour of a value (transparent for NaN). */
    public Color color(double value) {
        if (Double.isNaN(value)) return TRANSPARENT;
        double f = (value - lower) / (upper - lower);
        int i = (int) Math.round(Math.max(0, Math.min(1, f)) * (STEPS - 1));
        return lut[i];
    }

    @Override public boolean equals(Object o) {
        return o instanceof ColorMap c && c.kind == kind && c.lower == lower && c.upper == upper;
    }

    @Override public int hashCode() { return kind.hashCode() * 31 + Double.hashCode(lower) * 7 + Double.hashCode(upper); }

    @Override public String toString() { return "ColorMap[" + kind + ", " + lower + ".." + upper + "]"; }
}
