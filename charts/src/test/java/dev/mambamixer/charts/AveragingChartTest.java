package dev.mambamixer.charts;

import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.introspect.AveragingHistory;
import dev.mambamixer.engine.introspect.AveragingMatrix;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYAnnotation;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AveragingChartTest {
    @TempDir Path dir;

    /** 4 mixers (2 TSM2 blocks) with distinct values in the connected cells. */
    static AveragingMatrix matrix() {
        List<String> names = List.of("blocks.0.time", "blocks.0.variate", "blocks.1.time", "blocks.1.variate");
        List<double[]> rows = List.of(new double[] {0.1, 0.9}, new double[] {0.2, -0.3, 1.1},
                                      new double[] {0.0, 0.05, 0.15, 0.8}, new double[] {0.3, 0.2, 0.1, 0.05, 0.7});
        return AveragingMatrix.of(names, "identity", rows);
    }

    @Test
    void unconnectedCellsStayEmptyAndConnectedOnesCarryTheirValue() throws Exception {
        AveragingMatrix m = matrix();
        Heatmap h = AveragingChart.matrix(m, 120);
        assertEquals(4, h.rows());
        assertEquals(5, h.cols());
        int texts = 0;
        for (Object a : h.plot().getAnnotations()) if (a instanceof XYTextAnnotation) texts++;
        assertEquals(2 + 3 + 4 + 5, texts, "one printed value per connected cell");
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 5; j++) {
                if (m.connected(i, j)) assertEquals(m.weight(i, j), h.value(i, j), 0);
                else assertTrue(Float.isNaN(h.value(i, j)), "unconnected (" + i + "," + j + ") is NaN");
            }
        assertEquals(ColorMap.Kind.DIVERGING, h.colorMap().kind(), "a negative weight makes the scale diverging");
        assertEquals(1.1, h.colorMap().getUpperBound(), 1e-6);

        // Render and look at the centre of an unconnected cell (target 0, source 3): plot background.
        JFreeChart chart = h.chart();
        BufferedImage img = new BufferedImage(800, 500, BufferedImage.TYPE_INT_ARGB);
        ChartRenderingInfo info = new ChartRenderingInfo();
        Graphics2D g = img.createGraphics();
        chart.draw(g, new Rectangle2D.Double(0, 0, 800, 500), info);
        g.dispose();
        Rectangle2D area = info.getPlotInfo().getDataArea();
        XYPlot plot = h.plot();
        int px = (int) plot.getDomainAxis().valueToJava2D(3, area, plot.getDomainAxisEdge());
        int py = (int) plot.getRangeAxis().valueToJava2D(0, area, plot.getRangeAxisEdge());
        assertEquals(Theme.HEATMAP_BACKGROUND.getRGB(), img.getRGB(px, py), "unconnected cell is blank");
        int cx = (int) plot.getDomainAxis().valueToJava2D(0, area, plot.getDomainAxisEdge()) - 15;   // left of the text
        int cy = (int) plot.getRangeAxis().valueToJava2D(3, area, plot.getRangeAxisEdge());
        assertEquals(h.colorMap().color(0.3).getRGB(), img.getRGB(cx, cy), "connected cell (3, 0) in its colour");
        Pixels.renderAndCheck(chart, dir, "averaging-matrix", 0.3);
    }

    @Test
    void ghostDiagonalMarksTheIdentityInitialisation() {
        Heatmap h = AveragingChart.matrix(matrix());
        List<Rectangle2D> ghosts = new java.util.ArrayList<>();
        for (XYAnnotation a : h.plot().getAnnotations())
            if (a instanceof org.jfree.chart.annotations.XYShapeAnnotation s) ghosts.add(shapeBounds(s));
        assertEquals(4, ghosts.size());
        for (int i = 0; i < 4; i++) {
            assertEquals(i + 1, ghosts.get(i).getCenterX(), 1e-9, "source = target + 1");
            assertEquals(i, ghosts.get(i).getCenterY(), 1e-9);
        }
        var tip = h.plot().getRenderer().getDefaultToolTipGenerator().generateToolTip(h.dataset(), 0, 1 * 5 + 1);
        assertTrue(tip.endsWith("(γ₁,₀)"), tip);
    }

    private static Rectangle2D shapeBounds(org.jfree.chart.annotations.XYShapeAnnotation s) {
        try {
            var f = org.jfree.chart.annotations.XYShapeAnnotation.class.getDeclaredField("shape");
            f.setAccessible(true);
            return ((java.awt.Shape) f.get(s)).getBounds2D();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void sourceLabelsUseThePaperNotation() {
        assertEquals("θ₁,₀", AveragingChart.pretty("θ_{1,0}"));
        assertEquals("γ₁₂,₃", AveragingChart.pretty("γ_{12,3}"));
        assertEquals(List.of("x (T⁰)", "x (C⁰)", "T¹", "C¹", "T²"), AveragingChart.sourceLabels(matrix()));
        assertEquals("T1 blocks.0.time", AveragingChart.targetLabels(matrix()).get(0));
        assertEquals("C2", AveragingChart.shortName("blocks.1.channel"));
        assertEquals("T3", AveragingChart.shortName("blocks.2.token"));
        assertEquals("head", AveragingChart.shortName("head"));
    }

    @Test
    void driftHasOnePanelPerTargetAndOneLinePerConnectedSource() throws Exception {
        AveragingHistory hist = Fixtures.trained().history();
        JFreeChart chart = AveragingChart.drift(hist);
        CombinedDomainXYPlot plot = (CombinedDomainXYPlot) chart.getPlot();
        assertEquals(4, plot.getSubplots().size());
        for (int i = 0; i < 4; i++) {
            XYPlot sub = plot.getSubplots().get(i);
            assertEquals(i + 2, sub.getDataset().getSeriesCount());
            float[] series = hist.series(i, i + 1);
            int n = sub.getDataset().getItemCount(i + 1);
            assertEquals(hist.size(), n);
            assertEquals(series[n - 1], sub.getDataset().getYValue(i + 1, n - 1), 0);
        }
        assertEquals(AveragingChart.pretty(hist.get(0).symbol(1, 0)), plot.getSubplots().get(1).getDataset().getSeriesKey(0));
        // end labels name at most two coinciding lines, then "+n" (a longer label ran off the chart)
        for (XYPlot sub : plot.getSubplots())
            for (Object a : sub.getAnnotations())
                if (a instanceof XYTextAnnotation t)
                    assertTrue(t.getText().strip().split(" ").length <= 3, "label '" + t.getText() + "'");
        Pixels.renderAndCheck(chart, dir, "averaging-drift", 0.05);
    }
}
