package dev.mambamixer.charts;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A parallel-coordinates chart drawn with Java2D in the charts' {@link Theme}: one vertical axis per
 * setting (left to right as given), one polyline per row through its value on each axis. Lines are
 * coloured by their value on the last axis (viridis, dark = low, the colour bar is that axis); a
 * line brushed out by a range on some axis is drawn faint grey underneath. Brushed ranges show as
 * bands on their axes. The geometry is a {@link Layout}, so a view maps mouse pixels back to values
 * with the same numbers the image was drawn with.
 */
public final class ParallelCoordinates {
    private ParallelCoordinates() {}

    /** A brushed range of an axis in its values (either order given; stored lower ≤ upper). */
    public record Range(double lower, double upper) {
        public Range {
            if (lower > upper) {
                double t = lower;
                lower = upper;
                upper = t;
            }
        }

        public boolean contains(double v) { return v >= lower && v <= upper; }
    }

    /**
     * One polyline: a value per axis (NaN anywhere: not drawn); {@code active} false: brushed out;
     * {@code emphasised}: drawn wide with a dark edge on top of the others (the runs whose curves are shown).
     */
    public record Line(double[] values, boolean active, boolean emphasised) {
        public Line(double[] values, boolean active) { this(values, active, false); }
    }

    public static final Color BRUSHED_OUT = new Color(0xD3, 0xD3, 0xD3);
    static final Color BRUSH_FILL = new Color(31, 119, 180, 60), BRUSH_EDGE = new Color(31, 119, 180);
    static final Font NAME_FONT = Theme.AXIS_LABEL_FONT.deriveFont(Font.BOLD);

    /**
     * Where things are at an image size: the axes' x positions and the vertical extent they share.
     *
     * @param left     pixels left of the first axis (room for its tick labels)
     * @param nameRows per axis, the row its name is written in above the axes: 0 just above, 1 one
     *                 line higher, and so on (a name goes to the lowest row where it overprints none)
     */
    public record Layout(int width, int height, int axes, double left, int[] nameRows) {
        static final double TOP = 74, ROW = 18, BOTTOM = 28, RIGHT = 48, HIT = 14, NAME_GAP = 8;
        static final int MAX_ROWS = 3;

        /** One row of names (the layout of a chart whose names fit side by side). */
        public Layout(int width, int height, int axes, double left) { this(width, height, axes, left, new int[axes]); }

        public Layout {
            nameRows = nameRows.clone();
        }

        public double axisX(int i) {
            if (axes <= 1) return (left + width - RIGHT) / 2;
            return left + i * (width - RIGHT - left) / (axes - 1);
        }

        public double top() {
            int rows = 0;
            for (int r : nameRows) rows = Math.max(rows, r);
            return TOP + ROW * rows;
        }

        /** Baseline of an axis' name. */
        double nameBaseline(int axis) { return top() - 16 - ROW * nameRows[axis]; }

        /**
         * Room for a tick label left of axis {@code i}: up to the axis before it (the first: the
         * left margin), less a gap.
         */
        double labelRoom(int i) { return (i == 0 ? left : axisX(i) - axisX(i - 1)) - 13; }

        public double bottom() { return height - BOTTOM; }

        /** Pixel row of an axis fraction (0 = bottom). */
        public double y(double fraction) { return bottom() - fraction * (bottom() - top()); }

        /** Axis fraction at pixel row {@code py}, clamped to [0, 1]. */
        public double fraction(double py) { return Math.max(0, Math.min(1, (bottom() - py) / (bottom() - top()))); }

        /** The range of {@code axis}' values between pixel rows {@code py0} and {@code py1} (a brush dragged on it). */
        public Range range(ParallelAxis axis, double py0, double py1) {
            return new Range(axis.value(fraction(py0)), axis.value(fraction(py1)));
        }

        /** The axis within a few pixels of {@code px} (and within the axes' height), or -1. */
        public int axisAt(double px, double py) {
            if (py < top() - 10 || py > bottom() + 10) return -1;
            for (int i = 0; i < axes; i++) if (Math.abs(px - axisX(i)) <= HIT) return i;
            return -1;
        }
    }

    /** The layout {@link #render} uses for these axes at w × h. */
    public static Layout layout(List<ParallelAxis> axes, int w, int h) {
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = scratch.createGraphics();
        try {
            double left = 40;
            if (!axes.isEmpty()) {
                FontMetrics fm = g.getFontMetrics(Theme.TICK_FONT);
                for (double t : axes.get(0).ticks()) left = Math.max(left, fm.stringWidth(axes.get(0).label(t)) + 20);
                left = Math.max(left, g.getFontMetrics(NAME_FONT).stringWidth(axes.get(0).name()) / 2.0 + 8);
            }
            Layout one = new Layout(w, h, axes.size(), Math.min(left, w / 3.0));
            // a name that would overprint one to its left goes up a line (the last row takes what is left)
            FontMetrics fm = g.getFontMetrics(NAME_FONT);
            int[] rows = new int[axes.size()];
            double[] end = new double[Layout.MAX_ROWS];   // right end of the last name per row
            java.util.Arrays.fill(end, Double.NEGATIVE_INFINITY);
            for (int i = 0; i < axes.size(); i++) {
                double[] x = nameSpan(one, i, fm.stringWidth(axisName(axes.get(i))));
                int r = 0;
                while (r < Layout.MAX_ROWS - 1 && x[0] < end[r] + Layout.NAME_GAP) r++;
                rows[i] = r;
                end[r] = x[1];
            }
            return new Layout(w, h, axes.size(), one.left(), rows);
        } finally {
            g.dispose();
        }
    }

    static String axisName(ParallelAxis a) { return a.name() + (a.scale() == ParallelAxis.Scale.LOG ? " (log)" : ""); }

    /** Left and right pixel of an axis name {@code width} wide: centred on its axis, kept inside the image. */
    static double[] nameSpan(Layout lay, int i, int width) {
        double nx = Math.max(2, Math.min(lay.width() - width - 4, lay.axisX(i) - width / 2.0));
        return new double[] {nx, nx + width};
    }

    /** {@code s}, cut with an ellipsis to at most {@code room} pixels (at least its first character). */
    static String fit(String s, FontMetrics fm, double room) {
        if (fm.stringWidth(s) <= room) return s;
        for (int n = s.length() - 1; n >= 1; n--) {
            String t = s.substring(0, n) + "…";
            if (fm.stringWidth(t) <= room) return t;
        }
        return s.charAt(0) + "…";
    }

    /** The colour of a line whose value on the last axis is {@code v}. */
    public static Color colour(ParallelAxis last, double v) {
        double t = (last.fraction(v) - ParallelAxis.PAD) / (1 - 2 * ParallelAxis.PAD);
        return VIRIDIS.color(Math.max(0, Math.min(1, t)));
    }

    private static final ColorMap VIRIDIS = ColorMap.sequential(0, 1);

    /**
     * Draws the chart into a new w × h image.
     *
     * @param brushes axis index -> brushed range (absent: none)
     * @param empty   the text shown when no line can be drawn
     */
    public static BufferedImage render(String title, List<ParallelAxis> axes, List<Line> lines, Map<Integer, Range> brushes,
                                       String empty, int w, int h) {
        Layout lay = layout(axes, w, h);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Theme.BACKGROUND);
            g.fillRect(0, 0, w, h);
            g.setColor(Theme.TEXT);
            g.setFont(Theme.TITLE_FONT);
            g.drawString(title, 12, 26);
            if (axes.isEmpty()) return img;
            ParallelAxis last = axes.get(axes.size() - 1);
            List<Line> drawable = new ArrayList<>();
            for (Line l : lines) {
                boolean ok = l.values().length == axes.size();
                for (double v : l.values()) ok &= Double.isFinite(v);
                if (ok) drawable.add(l);
            }
            // brushed out first (underneath); among the active, the best (lowest last value) last, on top
            g.setStroke(new BasicStroke(1.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.setColor(BRUSHED_OUT);
            for (Line l : drawable) if (!l.active()) g.draw(path(lay, axes, l));
            List<Line> active = new ArrayList<>(drawable.stream().filter(Line::active).toList());
            active.sort(Comparator.comparingDouble((Line l) -> -l.values()[axes.size() - 1]));
            g.setStroke(new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            for (Line l : active) {
                if (l.emphasised()) continue;
                g.setColor(colour(last, l.values()[axes.size() - 1]));
                g.draw(path(lay, axes, l));
            }
            for (Line l : active) {
                if (!l.emphasised()) continue;
                g.setStroke(new BasicStroke(5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
                g.setColor(Theme.TEXT);
                g.draw(path(lay, axes, l));
                g.setStroke(new BasicStroke(3f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
                g.setColor(colour(last, l.values()[axes.size() - 1]));
                g.draw(path(lay, axes, l));
            }
            for (int i = 0; i < axes.size(); i++) drawAxis(g, lay, axes.get(i), i, i == axes.size() - 1, brushes.get(i));
            if (drawable.isEmpty()) {
                g.setFont(Theme.SUBTITLE_FONT);
                g.setColor(Color.GRAY);
                g.drawString(empty, (int) lay.left() + 10, (int) (lay.y(0.5)));
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    private static Path2D path(Layout lay, List<ParallelAxis> axes, Line l) {
        Path2D.Double p = new Path2D.Double();
        for (int i = 0; i < axes.size(); i++) {
            double x = lay.axisX(i), y = lay.y(axes.get(i).fraction(l.values()[i]));
            if (i == 0) p.moveTo(x, y);
            else p.lineTo(x, y);
        }
        if (axes.size() == 1) p.lineTo(lay.axisX(0) + 6, lay.y(axes.get(0).fraction(l.values()[0])));   // a tick, not a dot
        return p;
    }

    /**
     * The ticks that get a label: values close together (0.698, 0.71) would overprint, so a tick
     * less than {@code minGap} pixels from one already placed is left out; the ends (the axis'
     * range) are placed first.
     */
    static List<Double> labelledTicks(ParallelAxis a, Layout lay, double minGap) {
        double[] t = a.ticks();
        List<Double> order = new ArrayList<>();
        if (t.length > 0) order.add(t[0]);
        if (t.length > 1) order.add(t[t.length - 1]);
        for (int i = 1; i < t.length - 1; i++) order.add(t[i]);
        List<Double> placed = new ArrayList<>();
        for (double v : order) {
            double y = lay.y(a.fraction(v));
            if (placed.stream().noneMatch(p -> Math.abs(lay.y(a.fraction(p)) - y) < minGap)) placed.add(v);
        }
        return placed;
    }

    private static void drawAxis(Graphics2D g, Layout lay, ParallelAxis a, int i, boolean colourBar, Range brush) {
        double x = lay.axisX(i);
        if (colourBar) {   // the last axis doubles as the colour legend
            for (int py = (int) lay.top(); py <= (int) lay.bottom(); py++) {
                g.setColor(colour(a, a.value(lay.fraction(py))));
                g.fillRect((int) x - 3, py, 7, 1);
            }
        }
        g.setColor(Theme.TEXT);
        g.setStroke(new BasicStroke(1.5f));
        g.drawLine((int) x, (int) lay.top(), (int) x, (int) lay.bottom());
        if (brush != null) {
            double y0 = lay.y(a.fraction(brush.upper())), y1 = lay.y(a.fraction(brush.lower()));
            y0 = Math.max(lay.top() - 4, y0);
            y1 = Math.min(lay.bottom() + 4, y1);
            g.setColor(BRUSH_FILL);
            g.fill(new java.awt.geom.Rectangle2D.Double(x - 9, y0 - 3, 18, y1 - y0 + 6));
            g.setColor(BRUSH_EDGE);
            g.setStroke(new BasicStroke(1.5f));
            g.draw(new java.awt.geom.Rectangle2D.Double(x - 9, y0 - 3, 18, y1 - y0 + 6));
        }
        g.setFont(Theme.TICK_FONT);
        FontMetrics fm = g.getFontMetrics();
        for (double t : labelledTicks(a, lay, fm.getAscent() + 2)) {
            double y = lay.y(a.fraction(t));
            String s = fit(a.label(t), fm, lay.labelRoom(i));
            int sw = fm.stringWidth(s);
            g.setColor(new Color(255, 255, 255, 210));   // a halo: labels stay readable over lines
            g.fillRect((int) x - 10 - sw - 2, (int) y - fm.getAscent() / 2 - 2, sw + 4, fm.getAscent() + 3);
            g.setColor(Theme.TEXT);
            g.drawLine((int) x - 5, (int) y, (int) x, (int) y);
            g.drawString(s, (int) x - 10 - sw, (int) (y + fm.getAscent() / 2.0 - 1));
        }
        g.setFont(NAME_FONT);
        fm = g.getFontMetrics();
        String name = axisName(a);
        g.drawString(name, (int) nameSpan(lay, i, fm.stringWidth(name))[0], (int) lay.nameBaseline(i));
    }
}
