package dev.mambamixer.charts;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Stroke;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.Axis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.title.Title;
import org.jfree.chart.ui.RectangleInsets;

/**
 * The one look of every MambaMixer chart: white background, light grid, font sizes readable at
 * 800×500 and a colour-blind-safe series palette (Okabe–Ito). Every factory in this package calls
 * {@link #apply}; call it again after adding titles or subplots yourself.
 */
public final class Theme {
    private Theme() {}

    /** Font family present on every JVM (maps to DejaVu Sans on Linux). */
    public static final String FONT_FAMILY = Font.SANS_SERIF;
    public static final Font TITLE_FONT = new Font(FONT_FAMILY, Font.BOLD, 18);
    public static final Font SUBTITLE_FONT = new Font(FONT_FAMILY, Font.PLAIN, 13);
    public static final Font AXIS_LABEL_FONT = new Font(FONT_FAMILY, Font.PLAIN, 14);
    public static final Font TICK_FONT = new Font(FONT_FAMILY, Font.PLAIN, 12);
    public static final Font LEGEND_FONT = new Font(FONT_FAMILY, Font.PLAIN, 13);
    public static final Font ANNOTATION_FONT = new Font(FONT_FAMILY, Font.PLAIN, 11);

    public static final Color BACKGROUND = Color.WHITE;
    public static final Color GRID = new Color(0xDD, 0xDD, 0xDD);
    public static final Color TEXT = new Color(0x22, 0x22, 0x22);
    /** Heatmap cells without a value (NaN, unconnected) show this plot background. */
    public static final Color HEATMAP_BACKGROUND = new Color(0xF4, 0xF4, 0xF4);

    /**
     * Okabe–Ito palette (yellow moved last: it is hard to see on white), extended with grey and
     * wine (Paul Tol) so that ten series get ten colours.
     */
    private static final Color[] PALETTE = {
        new Color(0x00, 0x72, 0xB2),   // blue
        new Color(0xE6, 0x9F, 0x00),   // orange
        new Color(0x00, 0x9E, 0x73),   // bluish green
        new Color(0xD5, 0x5E, 0x00),   // vermillion
        new Color(0xCC, 0x79, 0xA7),   // reddish purple
        new Color(0x56, 0xB4, 0xE9),   // sky blue
        new Color(0x00, 0x00, 0x00),   // black
        new Color(0xF0, 0xE4, 0x42),   // yellow
        new Color(0x99, 0x99, 0x99),   // grey
        new Color(0x88, 0x22, 0x55),   // wine
    };

    /** Series colour i (cycles after 10). */
    public static Color color(int i) { return PALETTE[Math.floorMod(i, PALETTE.length)]; }

    /** The same colour with alpha in [0, 1] (faded raw curves, bands). */
    public static Color withAlpha(Color c, double alpha) {
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), (int) Math.round(255 * Math.max(0, Math.min(1, alpha))));
    }

    public static final Stroke LINE = new BasicStroke(2.0f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
    public static final Stroke THIN_LINE = new BasicStroke(1.0f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
    public static final Stroke DASHED = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                                                        new float[] {6f, 4f}, 0f);

    public static final Stroke DASHED_THICK = new BasicStroke(2.0f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
                                                              new float[] {7f, 4f}, 0f);

    /** Applies fonts, colours and paddings to the chart, its titles, and every (sub)plot and axis. */
    public static JFreeChart apply(JFreeChart chart) {
        chart.setBackgroundPaint(BACKGROUND);
        chart.setAntiAlias(true);
        chart.setTextAntiAlias(true);
        chart.setPadding(new RectangleInsets(6, 6, 6, 10));
        if (chart.getTitle() != null) {
            chart.getTitle().setFont(TITLE_FONT);
            chart.getTitle().setPaint(TEXT);
        }
        for (int i = 0; i < chart.getSubtitleCount(); i++) styleTitle(chart.getSubtitle(i));
        styleplot(chart.getPlot());
        return chart;
    }

    private static void styleTitle(Title t) {
        if (t instanceof TextTitle tt) {
            tt.setFont(SUBTITLE_FONT);
            tt.setPaint(TEXT);
        } else if (t instanceof LegendTitle lt) {
            lt.setItemFont(LEGEND_FONT);
            lt.setItemPaint(TEXT);
            lt.setBackgroundPaint(BACKGROUND);
            lt.setFrame(BlockBorder.NONE);
        } else if (t instanceof PaintScaleLegend p) {
            p.setBackgroundPaint(BACKGROUND);
            styleAxis(p.getAxis());
        }
    }

    private static void styleplot(Plot plot) {
        plot.setBackgroundPaint(BACKGROUND);
        plot.setOutlinePaint(GRID);
        if (plot instanceof CombinedDomainXYPlot c) {
            styleAxis(c.getDomainAxis());
            for (XYPlot sub : c.getSubplots()) styleplot(sub);
        }
        if (plot instanceof XYPlot xy) {
            xy.setDomainGridlinePaint(GRID);
            xy.setRangeGridlinePaint(GRID);
            xy.setDomainGridlineStroke(THIN_LINE);
            xy.setRangeGridlineStroke(THIN_LINE);
            xy.setAxisOffset(RectangleInsets.ZERO_INSETS);
            for (int i = 0; i < xy.getDomainAxisCount(); i++) styleAxis(xy.getDomainAxis(i));
            for (int i = 0; i < xy.getRangeAxisCount(); i++) styleAxis(xy.getRangeAxis(i));
        }
    }

    private static void styleAxis(Axis a) {
        if (a == null) return;
        a.setLabelFont(AXIS_LABEL_FONT);
        a.setLabelPaint(TEXT);
        a.setTickLabelFont(TICK_FONT);
        a.setTickLabelPaint(TEXT);
        a.setAxisLinePaint(Color.GRAY);
        a.setTickMarkPaint(Color.GRAY);
    }

    /**
     * A tick unit giving about {@code ticks} ticks over [lower, upper] at 1, 2 or 5 × 10ᵏ, with a
     * label format that shows just enough decimals (scientific below 10⁻⁴ or above 10⁵).
     */
    public static org.jfree.chart.axis.NumberTickUnit tickUnit(double lower, double upper, int ticks) {
        double raw = (upper - lower) / Math.max(1, ticks);
        if (!(raw > 0) || !Double.isFinite(raw)) raw = 1;
        double mag = Math.pow(10, Math.floor(Math.log10(raw))), f = raw / mag;
        double unit = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
        double big = Math.max(Math.abs(lower), Math.abs(upper));
        java.text.NumberFormat fmt;
        if (big >= 1e5 || big > 0 && big < 1e-3) {
            // enough mantissa digits that neighbouring ticks differ (0.02720 and 0.02725, not 2.72E-2 twice)
            fmt = scientificFormat(Math.max(0, (int) (Math.floor(Math.log10(big)) - Math.floor(Math.log10(unit) + 1e-9))));
        } else {
            int decimals = Math.max(0, (int) -Math.floor(Math.log10(unit) + 1e-9));
            fmt = new java.text.DecimalFormat(decimals == 0 ? "0" : "0." + "0".repeat(decimals),
                                              java.text.DecimalFormatSymbols.getInstance(java.util.Locale.ROOT));
        }
        return new org.jfree.chart.axis.NumberTickUnit(unit, fmt);
    }

    /** Compact scientific tick labels (5E-4) that print zero as "0". */
    public static java.text.NumberFormat scientificFormat() { return scientificFormat(2); }

    /** Scientific labels with up to {@code digits} mantissa decimals (trailing zeros dropped); zero prints as "0". */
    public static java.text.NumberFormat scientificFormat(int digits) {
        return new java.text.DecimalFormat(digits == 0 ? "0E0" : "0." + "#".repeat(digits) + "E0",
                                           java.text.DecimalFormatSymbols.getInstance(java.util.Locale.ROOT)) {
            @Override public StringBuffer format(double v, StringBuffer to, java.text.FieldPosition pos) {
                return v == 0 ? to.append('0') : super.format(v, to, pos);
            }
        };
    }
}
