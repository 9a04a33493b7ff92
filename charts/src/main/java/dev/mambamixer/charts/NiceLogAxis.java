package dev.mambamixer.charts;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.axis.AxisState;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;

/**
 * A base-10 log axis with readable ticks: the densest of 10ᵏ; 1, 2, 5 × 10ᵏ; 1, 2, 3, 5, 7 × 10ᵏ;
 * 1, 1.5, 2, ..., 9 × 10ᵏ that fits (at most 10 ticks), labelled
 * as plain decimals (0.05, 2, 300) between 10⁻⁴ and 10⁵ and as 1E-6 outside. JFreeChart's own
 * LogAxis picks ticks at fractional powers (1.995E0), which nobody can read.
 */
final class NiceLogAxis extends LogAxis {
    private static final double[][] MANTISSAS = {{1}, {1, 2, 5}, {1, 2, 3, 5, 7}, {1, 1.5, 2, 3, 4, 5, 6, 7, 8, 9}};

    NiceLogAxis(String label) {
        super(label);
        setBase(10);
        setSmallestValue(1e-12);
        setMinorTickMarksVisible(false);
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public List refreshTicks(Graphics2D g2, AxisState state, Rectangle2D dataArea, RectangleEdge edge) {
        boolean vertical = RectangleEdge.isLeftOrRight(edge);
        double lo = Math.max(getLowerBound(), getSmallestValue()), hi = getUpperBound();
        double lengthPx = vertical ? dataArea.getHeight() : dataArea.getWidth();
        double labelPx = vertical ? 22 : 60;   // room one label needs
        // The densest tick set that fits (at most 10 ticks, each label with its room).
        int limit = (int) Math.min(10, Math.max(2, lengthPx / labelPx));
        List<Double> values = values(lo, hi, MANTISSAS[0]);
        for (double[] m : MANTISSAS) {
            List<Double> v = values(lo, hi, m);
            if (v.size() <= limit && v.size() > values.size()) values = v;
        }
        TextAnchor anchor = edge == RectangleEdge.LEFT ? TextAnchor.CENTER_RIGHT
                            : edge == RectangleEdge.RIGHT ? TextAnchor.CENTER_LEFT
                            : edge == RectangleEdge.TOP ? TextAnchor.BOTTOM_CENTER : TextAnchor.TOP_CENTER;
        List ticks = new ArrayList();
        if (values.size() < 2) {
            // a range narrower than 1 to 1.5: log ticks would leave one label, so use evenly spaced ones
            org.jfree.chart.axis.NumberTickUnit unit = Theme.tickUnit(lo, hi, limit);
            for (double v : linearValues(lo, hi, unit.getSize()))
                ticks.add(new NumberTick(TickType.MAJOR, v, unit.valueToString(v), anchor, TextAnchor.CENTER, 0.0));
            return ticks;
        }
        for (double v : values) ticks.add(new NumberTick(TickType.MAJOR, v, label(v), anchor, TextAnchor.CENTER, 0.0));
        return ticks;
    }

    /** Multiples of {@code unit} in [lo, hi]. */
    static List<Double> linearValues(double lo, double hi, double unit) {
        List<Double> out = new ArrayList<>();
        if (!(unit > 0) || !(hi >= lo)) return out;
        for (long i = (long) Math.ceil(lo / unit - 1e-9); i * unit <= hi * (1 + 1e-12) && out.size() < 100; i++) out.add(i * unit);
        return out;
    }

    private static List<Double> values(double lo, double hi, double[] mantissas) {
        List<Double> out = new ArrayList<>();
        if (!(lo > 0) || !(hi > lo)) return out;
        for (int k = (int) Math.floor(Math.log10(lo)); k <= (int) Math.ceil(Math.log10(hi)); k++)
            for (double m : mantissas) {
                double v = m * Math.pow(10, k);
                if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.add(v);
            }
        return out;
    }

    static String label(double v) {
        if (v >= 1e-4 && v < 1e5) return new BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
        String s = String.format(java.util.Locale.ROOT, "%.2g", v);   // e.g. 2.0e-06
        int e = s.indexOf('e');
        String mant = s.substring(0, e).replaceAll("\\.?0+$", "");
        return mant + "E" + Integer.parseInt(s.substring(e + 1));
    }
}
