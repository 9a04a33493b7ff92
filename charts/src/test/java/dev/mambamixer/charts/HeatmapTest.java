package dev.mambamixer.charts;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import org.jfree.data.xy.XYZDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeatmapTest {
    @TempDir Path dir;

    static float[][] ramp(int rows, int cols, float offset) {
        float[][] z = new float[rows][cols];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) z[r][c] = offset + r * cols + c * 0.5f;
        return z;
    }

    @Test
    void datasetHoldsExactlyTheInputValues() {
        float[][] z = ramp(3, 5, 0.25f);
        z[1][2] = Float.NaN;
        Heatmap h = Heatmap.builder().xLabel("position").yLabel("channel").valueLabel("Δ").build(z);
        XYZDataset ds = h.dataset();
        assertEquals(1, ds.getSeriesCount());
        assertEquals(15, ds.getItemCount(0));
        int seen = 0;
        for (int i = 0; i < 15; i++) {
            int col = (int) ds.getXValue(0, i), row = (int) ds.getYValue(0, i);
            assertEquals(col, ds.getXValue(0, i), 0, "x is the integer column");
            float expected = z[row][col];
            if (Float.isNaN(expected)) assertTrue(Double.isNaN(ds.getZValue(0, i)));
            else assertEquals(expected, ds.getZValue(0, i), 0);
            seen += 1 << (row * 5 + col);
        }
        assertEquals((1 << 15) - 1, seen, "every cell exactly once");
        assertEquals(3, h.rows());
        assertEquals(5, h.cols());
    }

    @Test
    void sequentialScaleSpansMinToMaxAndDivergingIsSymmetric() {
        float[][] pos = {{0.5f, 2f}, {3f, 9.5f}};
        Heatmap h = Heatmap.builder().build(pos);
        assertEquals(ColorMap.Kind.SEQUENTIAL, h.colorMap().kind());
        assertEquals(0.5, h.colorMap().getLowerBound(), 0);
        assertEquals(9.5, h.colorMap().getUpperBound(), 0);
        assertEquals(0.5, h.legend().getAxis().getLowerBound(), 1e-12);

        float[][] signed = {{-2f, 1f}, {0.5f, Float.NaN}};
        h.setData(signed);
        assertEquals(ColorMap.Kind.DIVERGING, h.colorMap().kind(), "AUTO picks diverging for negative data");
        assertEquals(-2, h.colorMap().getLowerBound(), 0);
        assertEquals(2, h.colorMap().getUpperBound(), 0);
        assertEquals(Color.WHITE, h.colorMap().color(0), "0 is the white centre");

        Heatmap forced = Heatmap.builder().colorMap(ColorMap.Kind.DIVERGING).build(pos);
        assertEquals(-9.5, forced.colorMap().getLowerBound(), 0);
        assertEquals(9.5, forced.colorMap().getUpperBound(), 0);

        Heatmap fixed = Heatmap.builder().bounds(0, 20).build(pos);
        fixed.setData(signed);
        assertEquals(0, fixed.colorMap().getLowerBound(), 0, "fixed bounds survive setData");
        assertEquals(20, fixed.colorMap().getUpperBound(), 0);
    }

    @Test
    void nanIsTransparentAndConstantDataGetsARange() {
        ColorMap m = ColorMap.forData(new float[][] {{3f, 3f}}, ColorMap.Kind.AUTO);
        assertTrue(m.getLowerBound() < 3 && m.getUpperBound() > 3);
        assertEquals(0, m.color(Double.NaN).getAlpha());
        assertNotEquals(m.color(m.getLowerBound()), m.color(m.getUpperBound()));
    }

    @Test
    void setDataKeepsTheChartAndReshapes() {
        Heatmap h = Heatmap.builder().build(ramp(2, 2, 0));
        var chart = h.chart();
        h.setData(ramp(4, 6, 1));
        assertSame(chart, h.chart());
        assertEquals(24, h.dataset().getItemCount(0));
        assertEquals(5.5, h.plot().getDomainAxis().getUpperBound(), 0);
        assertEquals(3.5, h.plot().getRangeAxis().getUpperBound(), 0);
        assertThrows(IllegalArgumentException.class, () -> h.setData(new float[][] {{1, 2}, {3}}));
    }

    @Test
    void manyRowNamesFallBackToNumbersButTooltipsKeepThem() {
        List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) names.add("sensor-" + i);
        Heatmap h = Heatmap.builder().yLabel("variate").yTickLabels(names).build(ramp(50, 3, 0));
        assertFalse(h.plot().getRangeAxis() instanceof org.jfree.chart.axis.SymbolAxis);
        var gen = h.plot().getRenderer().getDefaultToolTipGenerator();
        assertTrue(gen.generateToolTip(h.dataset(), 0, 7 * 3 + 1).startsWith("sensor-7, column 1: "));
        Heatmap few = Heatmap.builder().yTickLabels(names.subList(0, 3)).build(ramp(3, 3, 0));
        assertInstanceOf(org.jfree.chart.axis.SymbolAxis.class, few.plot().getRangeAxis());
    }

    @Test
    void tooltipsNameRowColumnAndValue() {
        Heatmap h = Heatmap.builder().xLabel("position").yLabel("channel").valueLabel("Δ")
                           .build(new float[][] {{1f, 2f}, {3f, 4.5f}});
        var gen = h.plot().getRenderer().getDefaultToolTipGenerator();
        // item 3 = row 1, col 1
        assertEquals("channel 1, position 1: Δ = 4.500", gen.generateToolTip(h.dataset(), 0, 3));
    }

    @Test
    void rendersWithMarksAndShowsNanAsBackground() throws Exception {
        float[][] z = ramp(16, 24, 0);
        for (int c = 0; c < 24; c++) z[5][c] = Float.NaN;   // one empty row
        Heatmap h = Heatmap.builder().title("Δ of blocks.0.time").xLabel("position").yLabel("channel")
                           .valueLabel("Δ").marks(List.of(new Heatmap.Mark(3, "remember", new Color(0xD55E00)),
                                                          new Heatmap.Mark(20, "trigger", Color.BLACK)))
                           .build(z);
        h.addMark(new Heatmap.Mark(4, "remember", new Color(0xD55E00)));   // a second band of the same role
        // labels go into one key entry per role, not onto the bands (where neighbours overprint)
        for (Object mk : h.plot().getDomainMarkers(org.jfree.chart.ui.Layer.FOREGROUND))
            assertNull(((org.jfree.chart.plot.Marker) mk).getLabel());
        java.util.List<String> keys = new java.util.ArrayList<>();
        for (org.jfree.chart.title.Title t : h.chart().getSubtitles())
            if (t instanceof org.jfree.chart.title.LegendTitle lt)
                for (org.jfree.chart.LegendItemSource src : lt.getSources())
                    for (int i = 0; i < src.getLegendItems().getItemCount(); i++) keys.add(src.getLegendItems().get(i).getLabel());
        assertEquals(List.of("remember", "trigger"), keys);
        BufferedImage img = Pixels.renderAndCheck(h.chart(), dir, "heatmap", 0.3);
        assertTrue(Pixels.count(img, Theme.HEATMAP_BACKGROUND, 1) > 1000, "the NaN row shows the plot background");
        assertTrue(Pixels.count(img, Color.BLACK, 10) < 0.05 * 800 * 500, "NaN is not drawn black");
    }
}
