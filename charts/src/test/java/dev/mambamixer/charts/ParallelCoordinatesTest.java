package dev.mambamixer.charts;

import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.charts.ParallelCoordinates.Layout;
import dev.mambamixer.charts.ParallelCoordinates.Line;
import dev.mambamixer.charts.ParallelCoordinates.Range;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParallelCoordinatesTest {
    private static final List<ParallelAxis> AXES = List.of(
            ParallelAxis.categorical("dataset", List.of("ETTh1", "ETTh2")),
            ParallelAxis.numeric("lr", new double[] {1e-4, 1e-3, 1e-2}),
            ParallelAxis.numeric("best val MSE", new double[] {0.3, 0.5}));

    @Test void numericAxisIsLogWhereValuesSpanADecadeAndMapsBothWays() {
        ParallelAxis lr = AXES.get(1);
        assertEquals(ParallelAxis.Scale.LOG, lr.scale());
        assertEquals(0.5, lr.fraction(1e-3), 1e-12, "1e-3 is half way between 1e-4 and 1e-2 on a log axis");
        assertEquals(1e-3, lr.value(0.5), 1e-15);
        assertEquals(ParallelAxis.PAD, lr.fraction(1e-4), 1e-12);
        assertEquals(ParallelAxis.Scale.LINEAR, ParallelAxis.numeric("d", new double[] {32, 64}).scale());
        assertEquals(0.5, ParallelAxis.numeric("T", new double[] {512}).fraction(512), 0, "one value: the middle");
        assertEquals("1e-4", lr.label(1e-4));
        assertEquals("ETTh2", AXES.get(0).label(1));
        assertEquals("0.003", ParallelAxis.number(3e-3));
    }

    @Test void layoutMapsPixelsToAxesAndValuesInOrder() {
        Layout lay = ParallelCoordinates.layout(AXES, 900, 400);
        assertTrue(lay.axisX(0) < lay.axisX(1) && lay.axisX(1) < lay.axisX(2), "axes left to right in the order given");
        assertEquals(1, lay.axisAt(lay.axisX(1) + 5, 200));
        assertEquals(-1, lay.axisAt((lay.axisX(0) + lay.axisX(1)) / 2, 200), "between axes: none");
        ParallelAxis lr = AXES.get(1);
        double py = lay.y(lr.fraction(1e-3));
        assertEquals(1e-3, lr.value(lay.fraction(py)), 1e-12, "pixel -> value is the inverse of value -> pixel");
        assertEquals(0, lay.fraction(lay.bottom() + 50), 0, "below the axis: clamped to its bottom");
        Range r = lay.range(lr, lay.y(lr.fraction(1e-2)) - 3, lay.y(lr.fraction(1e-3)) + 3);   // dragged downwards
        assertTrue(r.contains(1e-2) && r.contains(1e-3) && !r.contains(1e-4), "a drag over 1e-2 .. 1e-3: " + r);
    }

    /** The Table 5 sweep's eight axes in a 600-pixel pane: long names alternate rows, long tick labels are cut. */
    @Test void crowdedAxesNeverOverprintTheirNamesOrTickLabels() {
        List<ParallelAxis> axes = List.of(
                ParallelAxis.categorical("dataset", List.of("exchange_rate", "ETTh1")),
                ParallelAxis.numeric("H", new double[] {96, 720}),
                ParallelAxis.numeric("lr", new double[] {5e-5, 5e-4}),
                ParallelAxis.numeric("d-model", new double[] {16, 64}),
                ParallelAxis.numeric("dropout", new double[] {0.2, 0.4}),
                ParallelAxis.numeric("layers", new double[] {1, 2}),
                ParallelAxis.categorical("head-start", List.of("random", "least-squares")),
                ParallelAxis.numeric("best val MSE", new double[] {0.13, 1.66}));
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        var g = scratch.createGraphics();
        var nameFm = g.getFontMetrics(ParallelCoordinates.NAME_FONT);
        var tickFm = g.getFontMetrics(Theme.TICK_FONT);
        Layout lay = ParallelCoordinates.layout(axes, 600, 350);
        assertTrue(lay.nameRows()[7] > 0, "'best val MSE (log)', pushed left by the image's edge, goes up");
        assertTrue(lay.top() > 74, "more rows of names take more room above the axes");
        for (int i = 0; i < axes.size(); i++)
            for (int j = i + 1; j < axes.size(); j++) {
                if (lay.nameRows()[i] != lay.nameRows()[j]) continue;
                double[] a = ParallelCoordinates.nameSpan(lay, i, nameFm.stringWidth(ParallelCoordinates.axisName(axes.get(i))));
                double[] b = ParallelCoordinates.nameSpan(lay, j, nameFm.stringWidth(ParallelCoordinates.axisName(axes.get(j))));
                assertTrue(a[1] <= b[0], "names of axes " + i + " and " + j + " overlap in row " + lay.nameRows()[i]);
            }
        String cut = ParallelCoordinates.fit("least-squares", tickFm, lay.labelRoom(6));
        assertTrue(cut.endsWith("…") && cut.length() < "least-squares".length(), cut);
        assertTrue(tickFm.stringWidth(cut) <= lay.labelRoom(6));
        assertEquals("random", ParallelCoordinates.fit("random", tickFm, lay.labelRoom(6)), "what fits stays whole");
        Layout wide = ParallelCoordinates.layout(AXES, 900, 400);
        assertArrayEquals(new int[3], wide.nameRows(), "three short names side by side: one row");
        assertEquals(74, wide.top(), 0);
        g.dispose();
    }

    @Test void brushedOutLineIsGreyActiveLineIsColouredBrushIsDrawn(@TempDir Path dir) throws Exception {
        // two lines that differ on the lr axis only: the brushed-out one low, the active one high
        Line out = new Line(new double[] {0, 1e-4, 0.5}, false), in = new Line(new double[] {0, 1e-2, 0.3}, true);
        int w = 900, h = 400;
        BufferedImage img = ParallelCoordinates.render("sweep", AXES, List.of(out, in), Map.of(1, new Range(5e-3, 2e-2)),
                                                       "no runs", w, h);
        String keep = System.getProperty("charts.png.dir", "");
        ImageIO.write(img, "png", (keep.isBlank() ? dir : Path.of(keep)).resolve("parallel-coordinates.png").toFile());
        Layout lay = ParallelCoordinates.layout(AXES, w, h);
        // on the segment from axis 0 to axis 1, a quarter of the way
        double x = lay.axisX(0) + 0.25 * (lay.axisX(1) - lay.axisX(0));
        double yStart = lay.y(AXES.get(0).fraction(0));
        double yOut = yStart + 0.25 * (lay.y(AXES.get(1).fraction(1e-4)) - yStart);
        double yIn = yStart + 0.25 * (lay.y(AXES.get(1).fraction(1e-2)) - yStart);
        assertNear(ParallelCoordinates.BRUSHED_OUT, img.getRGB((int) Math.round(x), (int) Math.round(yOut)), 12, "brushed-out line");
        Color c = new Color(img.getRGB((int) Math.round(x), (int) Math.round(yIn)));
        assertNear(ParallelCoordinates.colour(AXES.get(2), 0.3), c.getRGB(), 30, "active line in its val-MSE colour");
        assertTrue(c.getBlue() > c.getGreen() + 10 || c.getRed() != c.getGreen(), "not grey: " + c);
        // the brush band on the lr axis covers 1e-2 and not 1e-4
        int bx = (int) Math.round(lay.axisX(1) + 7);
        assertTrue(isBrush(img.getRGB(bx, (int) Math.round(lay.y(AXES.get(1).fraction(1e-2)) - 1))), "band at 1e-2");
        assertFalse(isBrush(img.getRGB(bx, (int) Math.round(lay.y(AXES.get(1).fraction(1e-4))))), "no band at 1e-4");
    }

    @Test void closeTickValuesDoNotOverprint() {
        // on a 298 px axis from 0.684 to 0.966, 0.698 is 13 px above 0.684: its label would overprint
        ParallelAxis val = ParallelAxis.numeric("val", new double[] {0.684, 0.698, 0.71, 0.966});
        Layout lay = ParallelCoordinates.layout(List.of(val), 300, 400);
        List<Double> labelled = ParallelCoordinates.labelledTicks(val, lay, 14);
        assertEquals(List.of(0.684, 0.966, 0.71), labelled, "the ends first; 0.698 left out, 0.71 (26 px up) kept");
        assertEquals(4, ParallelCoordinates.labelledTicks(val, ParallelCoordinates.layout(List.of(val), 300, 2000), 14).size(),
                     "on a tall axis every value keeps its label");
    }

    @Test void noDrawableLineShowsTheEmptyText() {
        BufferedImage a = ParallelCoordinates.render("s", AXES, List.of(new Line(new double[] {0, 1e-3, Double.NaN}, true)),
                                                     Map.of(), "no run has a validation yet", 600, 300);
        BufferedImage b = ParallelCoordinates.render("s", AXES, List.of(), Map.of(), "", 600, 300);
        assertTrue(Pixels.nonWhite(a) > Pixels.nonWhite(b), "the text is drawn, the NaN line is not");
    }

    private static boolean isBrush(int rgb) {
        Color c = new Color(rgb);
        return c.getBlue() > c.getRed() + 25;   // the translucent blue over white
    }

    private static void assertNear(Color want, int rgb, int tol, String what) { assertNear(want.getRGB(), rgb, tol, what); }

    private static void assertNear(int want, int rgb, int tol, String what) {
        Color a = new Color(want), b = new Color(rgb);
        assertTrue(Math.abs(a.getRed() - b.getRed()) <= tol && Math.abs(a.getGreen() - b.getGreen()) <= tol
                   && Math.abs(a.getBlue() - b.getBlue()) <= tol, what + ": expected about " + a + ", found " + b);
    }
}
