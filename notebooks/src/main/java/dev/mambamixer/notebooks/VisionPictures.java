package dev.mambamixer.notebooks;

import dev.mambamixer.charts.ColorMap;
import dev.mambamixer.charts.Theme;
import dev.mambamixer.engine.data.vision.ImageSet;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Pictures for the vision notebook (06-vision): grey-scale images with a token-grid map laid over
 * them (Δ, implicit attention), a token mask outlined (the digit's box on a cluttered canvas) and a
 * query token marked; a row or grid of such panels shares one colour scale, shown as a bar with its
 * range. Also the confusion matrix with counts. Drawn with Java2D (the charts module's colours).
 */
public final class VisionPictures {
    /** The digit box outline and the query marker. */
    static final Color BOX = new Color(0xD5, 0x5E, 0x00), QUERY = new Color(0x56, 0xB4, 0xE9);
    private static final int PAD = 10, CAPTION = 36, TITLE = 30, BAR = 34;

    private VisionPictures() {}

    /**
     * One panel: an image (height × width, first channel shown, values in [0, 1]), optionally a
     * map over a token grid ({@code map[i][j]}, drawn semi-transparent over the image), a mask of
     * grid cells to outline (row-major, the same grid as the map or {@code maskH × maskW}), and a
     * query cell (row, column) to mark.
     */
    public record Panel(String caption, float[] image, int height, int width, int channels, double[][] map,
                        boolean[] mask, int maskH, int maskW, int[] query) {
        public Panel {
            Objects.requireNonNull(image, "image");
            if (image.length != height * width * channels)
                throw new IllegalArgumentException(image.length + " pixels for a " + height + "x" + width + "x" + channels + " image");
            if (mask != null && mask.length != maskH * maskW)
                throw new IllegalArgumentException("mask has " + mask.length + " cells, grid is " + maskH + "x" + maskW);
            caption = caption == null ? "" : caption;
        }

        /** Image {@code i} of a set. */
        public static Panel of(ImageSet set, int i, String caption) {
            float[] px = new float[set.imageSize()];
            set.copyImage(i, px, 0);
            return new Panel(caption, px, set.height(), set.width(), set.channels(), null, null, 0, 0, null);
        }

        /** A raw (H, W, C) image. */
        public static Panel of(float[] pixels, int height, int width, int channels, String caption) {
            return new Panel(caption, pixels, height, width, channels, null, null, 0, 0, null);
        }

        public Panel caption(String c) { return new Panel(c, image, height, width, channels, map, mask, maskH, maskW, query); }

        public Panel map(double[][] m) { return new Panel(caption, image, height, width, channels, m, mask, maskH, maskW, query); }

        public Panel map(float[][] m) { return map(toDouble(m)); }

        public Panel mask(boolean[] cells, int gridH, int gridW) {
            return new Panel(caption, image, height, width, channels, map, cells, gridH, gridW, query);
        }

        public Panel query(int i, int j) {
            return new Panel(caption, image, height, width, channels, map, mask, maskH, maskW, new int[] {i, j});
        }
    }

    /** Panels side by side, one shared colour scale for their maps. */
    public static Picture row(String title, List<Panel> panels, int cell) { return grid(title, panels, panels.size(), cell); }

    /**
     * Panels in rows of {@code cols}, each {@code cell} pixels square; all maps share one viridis
     * scale from the smallest to the largest value over the panels (drawn as a bar at the bottom),
     * leaving out each panel's query cell (a token's weight on itself dwarfs the rest; it is drawn
     * clipped to the top colour).
     */
    public static Picture grid(String title, List<Panel> panels, int cols, int cell) {
        if (panels.isEmpty()) return Pictures.message(600, 60, title + ": nothing to show");
        int rows = (panels.size() + cols - 1) / cols;
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (Panel p : panels)
            if (p.map() != null)
                for (int i = 0; i < p.map().length; i++)
                    for (int j = 0; j < p.map()[i].length; j++) {
                        double v = p.map()[i][j];
                        boolean isQuery = p.query() != null && p.query()[0] == i && p.query()[1] == j;
                        if (Double.isFinite(v) && !isQuery) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
                    }
        boolean anyMap = lo <= hi;
        ColorMap cm = anyMap ? ColorMap.sequential(lo, hi) : null;
        int w = Math.max(PAD + cols * (cell + PAD), Math.max(360, 2 * PAD + 9 * title.length())), h = TITLE + rows * (cell + CAPTION) + (anyMap ? BAR : 0) + PAD;
        StringBuilder text = new StringBuilder(title);
        for (Panel p : panels) text.append("\n  ").append(p.caption());
        if (anyMap) text.append(String.format(Locale.ROOT, "%n  colour scale %.4g .. %.4g", lo, hi));
        Picture pic = new Picture(w, h, text.toString());
        Graphics2D g = pic.graphics();
        try {
            g.setColor(Theme.TEXT);
            g.setFont(Theme.SUBTITLE_FONT.deriveFont(Font.BOLD, 15f));
            g.drawString(title, PAD, 21);
            for (int k = 0; k < panels.size(); k++) {
                int x = PAD + (k % cols) * (cell + PAD), y = TITLE + (k / cols) * (cell + CAPTION);
                draw(g, panels.get(k), x, y, cell, cm);
                caption(g, panels.get(k).caption(), x, y + cell, cell);
            }
            if (anyMap) colourBar(g, cm, PAD, h - BAR - PAD / 2 + 6, Math.min(w - 2 * PAD, 360));
        } finally {
            g.dispose();
        }
        return pic;
    }

    private static void draw(Graphics2D g, Panel p, int x0, int y0, int cell, ColorMap cm) {
        int h = p.height(), w = p.width(), c = p.channels();
        double sy = (double) cell / h, sx = (double) cell / w;
        boolean faded = p.map() != null;
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
                float v = Math.max(0f, Math.min(1f, p.image()[(i * w + j) * c]));
                int grey = faded ? (int) (40 + 160 * v) : (int) (255 * v);
                g.setColor(new Color(grey, grey, grey));
                int px = x0 + (int) Math.floor(j * sx), py = y0 + (int) Math.floor(i * sy);
                g.fillRect(px, py, x0 + (int) Math.floor((j + 1) * sx) - px, y0 + (int) Math.floor((i + 1) * sy) - py);
            }
        }
        if (p.map() != null && cm != null) {
            double[][] m = p.map();
            int gh = m.length, gw = m[0].length;
            for (int i = 0; i < gh; i++) {
                for (int j = 0; j < gw; j++) {
                    Color col = cm.color(m[i][j]);
                    g.setColor(new Color(col.getRed(), col.getGreen(), col.getBlue(), 150));
                    int[] r = cellRect(x0, y0, cell, gh, gw, i, j);
                    g.fillRect(r[0], r[1], r[2], r[3]);
                }
            }
        }
        if (p.mask() != null) {
            int gh = p.maskH(), gw = p.maskW();
            g.setColor(BOX);
            g.setStroke(new BasicStroke(3f));
            for (int i = 0; i < gh; i++) {
                for (int j = 0; j < gw; j++) {
                    if (!p.mask()[i * gw + j]) continue;
                    int[] r = cellRect(x0, y0, cell, gh, gw, i, j);
                    if (i == 0 || !p.mask()[(i - 1) * gw + j]) g.drawLine(r[0], r[1], r[0] + r[2], r[1]);
                    if (i == gh - 1 || !p.mask()[(i + 1) * gw + j]) g.drawLine(r[0], r[1] + r[3], r[0] + r[2], r[1] + r[3]);
                    if (j == 0 || !p.mask()[i * gw + j - 1]) g.drawLine(r[0], r[1], r[0], r[1] + r[3]);
                    if (j == gw - 1 || !p.mask()[i * gw + j + 1]) g.drawLine(r[0] + r[2], r[1], r[0] + r[2], r[1] + r[3]);
                }
            }
        }
        if (p.query() != null && p.map() != null) {
            int gh = p.map().length, gw = p.map()[0].length;
            int[] r = cellRect(x0, y0, cell, gh, gw, p.query()[0], p.query()[1]);
            g.setStroke(new BasicStroke(3f));
            g.setColor(Color.WHITE);
            g.drawRect(r[0] + 1, r[1] + 1, r[2] - 2, r[3] - 2);
            g.setColor(QUERY);
            g.setStroke(new BasicStroke(1.5f));
            g.drawRect(r[0] + 3, r[1] + 3, r[2] - 6, r[3] - 6);
        }
        g.setStroke(new BasicStroke(1f));
        g.setColor(Theme.GRID);
        g.drawRect(x0, y0, cell, cell);
    }

    /** x, y, width, height of grid cell (i, j) of a gh × gw grid over a cell-sized square. */
    private static int[] cellRect(int x0, int y0, int cell, int gh, int gw, int i, int j) {
        int x = x0 + (int) Math.round(j * (double) cell / gw), y = y0 + (int) Math.round(i * (double) cell / gh);
        int x1 = x0 + (int) Math.round((j + 1) * (double) cell / gw), y1 = y0 + (int) Math.round((i + 1) * (double) cell / gh);
        return new int[] {x, y, x1 - x, y1 - y};
    }

    /** Up to two lines under a panel, shrunk to fit. */
    private static void caption(Graphics2D g, String text, int x, int y, int cell) {
        g.setColor(Theme.TEXT);
        String[] lines = text.split("\n", 2);
        for (int k = 0; k < lines.length; k++) {
            float size = 13f;
            g.setFont(Theme.LEGEND_FONT.deriveFont(size));
            while (size > 8 && g.getFontMetrics().stringWidth(lines[k]) > cell) g.setFont(Theme.LEGEND_FONT.deriveFont(size -= 0.5f));
            g.drawString(lines[k], x, y + 15 + k * 15);
        }
    }

    private static void colourBar(Graphics2D g, ColorMap cm, int x, int y, int w) {
        int bw = w - 150;
        for (int k = 0; k < bw; k++) {
            g.setColor(cm.color(cm.getLowerBound() + (cm.getUpperBound() - cm.getLowerBound()) * k / (bw - 1.0)));
            g.fillRect(x + k, y, 1, 12);
        }
        g.setColor(Theme.TEXT);
        g.setFont(Theme.TICK_FONT);
        FontMetrics fm = g.getFontMetrics();
        String lo = String.format(Locale.ROOT, "%.3g", cm.getLowerBound()), hi = String.format(Locale.ROOT, "%.3g", cm.getUpperBound());
        g.drawString(lo, x, y + 12 + fm.getAscent());
        g.drawString(hi, x + bw - fm.stringWidth(hi), y + 12 + fm.getAscent());
        g.drawString("shared colour scale", x + bw + 10, y + 11);
    }

    /**
     * The confusion matrix (rows = true class, columns = predicted) with its counts; cells are
     * shaded by the share of their row, the diagonal in blue, mistakes in vermillion.
     */
    public static Picture confusion(int[][] m, List<String> names, String title) {
        int k = m.length, cell = 38, left = 70, top = 64;
        int w = left + k * cell + 20, h = top + k * cell + 30;
        StringBuilder text = new StringBuilder(title + "\n  rows = true class, columns = predicted");
        for (int i = 0; i < k; i++) {
            text.append("\n  ").append(names.get(i)).append(':');
            for (int v : m[i]) text.append(String.format(Locale.ROOT, " %4d", v));
        }
        Picture pic = new Picture(w, h, text.toString());
        Graphics2D g = pic.graphics();
        try {
            g.setColor(Theme.TEXT);
            g.setFont(Theme.SUBTITLE_FONT.deriveFont(Font.BOLD, 15f));
            g.drawString(title, 10, 20);
            g.setFont(Theme.TICK_FONT);
            g.drawString("predicted →", left, top - 26);
            g.drawString("true ↓", 8, top - 8);
            FontMetrics fm = g.getFontMetrics();
            for (int i = 0; i < k; i++) {
                g.setColor(Theme.TEXT);
                g.drawString(names.get(i), left + i * cell + (cell - fm.stringWidth(names.get(i))) / 2, top - 6);
                g.drawString(names.get(i), left - 10 - fm.stringWidth(names.get(i)), top + i * cell + cell / 2 + 5);
                int total = 0;
                for (int v : m[i]) total += v;
                for (int j = 0; j < k; j++) {
                    double share = total == 0 ? 0 : (double) m[i][j] / total;
                    Color base = i == j ? Theme.color(0) : Theme.color(3);
                    float a = (float) Math.min(1, share * (i == j ? 1 : 3));
                    g.setColor(blend(base, a));
                    g.fillRect(left + j * cell, top + i * cell, cell, cell);
                    g.setColor(Theme.GRID);
                    g.drawRect(left + j * cell, top + i * cell, cell, cell);
                    if (m[i][j] > 0) {
                        g.setColor(a > 0.55f ? Color.WHITE : Theme.TEXT);
                        String s = Integer.toString(m[i][j]);
                        g.drawString(s, left + j * cell + (cell - fm.stringWidth(s)) / 2, top + i * cell + cell / 2 + 5);
                    }
                }
            }
        } finally {
            g.dispose();
        }
        return pic;
    }

    private static Color blend(Color c, float a) {
        return new Color(Math.round(255 + (c.getRed() - 255) * a), Math.round(255 + (c.getGreen() - 255) * a),
                         Math.round(255 + (c.getBlue() - 255) * a));
    }

    // ---- numbers over a token grid ------------------------------------------------------------

    /** Share of the map's total inside the mask (row-major cells): Σ_inside / Σ_all. */
    public static double shareInside(double[][] map, boolean[] mask) {
        double in = 0, all = 0;
        int w = map[0].length;
        for (int i = 0; i < map.length; i++)
            for (int j = 0; j < w; j++) {
                all += map[i][j];
                if (mask[i * w + j]) in += map[i][j];
            }
        return all == 0 ? Double.NaN : in / all;
    }

    /** Mean of the map inside the mask divided by its mean outside (1 = no preference for the box). */
    public static double insideOverOutside(double[][] map, boolean[] mask) {
        double in = 0, out = 0;
        int nIn = 0, nOut = 0, w = map[0].length;
        for (int i = 0; i < map.length; i++)
            for (int j = 0; j < w; j++) {
                if (mask[i * w + j]) { in += map[i][j]; nIn++; } else { out += map[i][j]; nOut++; }
            }
        return nIn == 0 || nOut == 0 || out == 0 ? Double.NaN : (in / nIn) / (out / nOut);
    }

    /** Fraction of the cells inside the mask (what {@link #shareInside} would be for a flat map). */
    public static double maskFraction(boolean[] mask) {
        int n = 0;
        for (boolean b : mask) if (b) n++;
        return (double) n / mask.length;
    }

    /** The element-wise sum of maps of one shape. */
    public static double[][] sum(List<double[][]> maps) {
        double[][] s = new double[maps.get(0).length][maps.get(0)[0].length];
        for (double[][] m : maps)
            for (int i = 0; i < s.length; i++) for (int j = 0; j < s[0].length; j++) s[i][j] += m[i][j];
        return s;
    }

    /** The mean of maps of one shape. */
    public static double[][] mean(List<double[][]> maps) {
        double[][] s = sum(maps);
        for (double[] r : s) for (int j = 0; j < r.length; j++) r[j] /= maps.size();
        return s;
    }

    /** Largest |a − b| over two maps of one shape. */
    public static double maxAbsDiff(double[][] a, double[][] b) {
        if (a.length != b.length || a[0].length != b[0].length)
            throw new IllegalArgumentException("maps " + a.length + "x" + a[0].length + " and " + b.length + "x" + b[0].length);
        double d = 0;
        for (int i = 0; i < a.length; i++) for (int j = 0; j < a[0].length; j++) d = Math.max(d, Math.abs(a[i][j] - b[i][j]));
        return d;
    }

    /** A float map as doubles. */
    public static double[][] toDouble(float[][] m) {
        double[][] d = new double[m.length][];
        for (int i = 0; i < m.length; i++) {
            d[i] = new double[m[i].length];
            for (int j = 0; j < m[i].length; j++) d[i][j] = m[i][j];
        }
        return d;
    }

    /** Panels for several images of a set with captions. */
    public static List<Panel> panels(ImageSet set, int[] indices, List<String> captions) {
        List<Panel> out = new ArrayList<>();
        for (int k = 0; k < indices.length; k++) out.add(Panel.of(set, indices[k], captions.get(k)));
        return out;
    }
}
