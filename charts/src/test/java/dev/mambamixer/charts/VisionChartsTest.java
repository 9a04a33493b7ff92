package dev.mambamixer.charts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.List;
import org.jfree.chart.plot.XYPlot;
import org.junit.jupiter.api.Test;

class VisionChartsTest {

    @Test void tokenAtMapsDataCoordinatesToTheTokenUnderThem() {
        assertArrayEquals(new int[] {2, 0}, VisionCharts.tokenAt(0.2, 2.9, 4, 3));
        assertArrayEquals(new int[] {3, 2}, VisionCharts.tokenAt(2.99, 3.5, 4, 3));
        assertNull(VisionCharts.tokenAt(3.0, 1, 4, 3));
        assertNull(VisionCharts.tokenAt(-0.1, 1, 4, 3));
    }

    @Test void sharedScaleSpansEveryMap() {
        ColorMap s = VisionCharts.sharedScale(List.of(new float[][] {{1, 2}}, new float[][] {{-1, Float.NaN}}));
        assertEquals(-1, s.getLowerBound(), 1e-9);
        assertEquals(2, s.getUpperBound(), 1e-9);
    }

    @Test void overlayColoursEachTokensPixelsAndKeepsTheImageGrey() {
        float[] img = {0, 1, 1, 0};   // 2x2 grey
        ColorMap s = ColorMap.sequential(0, 1);
        BufferedImage plain = VisionCharts.overlayImage(img, 2, 2, 1, null, null, 0, 3);
        assertEquals(6, plain.getWidth());
        assertEquals(0xFFFFFF, plain.getRGB(5, 0) & 0xFFFFFF);
        assertEquals(0, plain.getRGB(0, 0) & 0xFFFFFF);
        // one token over the whole image at alpha 1: the colour of its value everywhere
        BufferedImage over = VisionCharts.overlayImage(img, 2, 2, 1, new float[][] {{1}}, s, 1, 1);
        assertEquals(s.color(1).getRGB() & 0xFFFFFF, over.getRGB(1, 1) & 0xFFFFFF);
        var chart = VisionCharts.overlay("t", img, 2, 2, 1, new float[][] {{0.5f}}, 1, 1, s, "Δ", new int[] {0, 0});
        XYPlot p = (XYPlot) chart.getPlot();
        assertEquals(1, p.getDomainAxis().getUpperBound(), 0);
        assertEquals(2, p.getAnnotations().size());
        ChartImages.toImage(chart, 300, 300);   // draws
    }

    @Test void confusionHeatmapUsesOneScaleFromZeroToTheLargestCount() {
        Heatmap h = VisionCharts.confusion(new int[][] {{5, 1}, {2, 7}}, List.of("cat", "dog"), "c");
        assertEquals(0, h.colorMap().getLowerBound(), 0);
        assertEquals(7, h.colorMap().getUpperBound(), 1e-9);
        assertEquals(2f, h.value(1, 0));
        ChartImages.toImage(VisionCharts.perClassAccuracy(new double[] {0.8, Double.NaN}, List.of("cat", "dog"), "a"), 400, 300);
        assertEquals(Color.class, VisionCharts.thumbnail(new float[] {0.5f}, 1, 1, 1, 2).getGraphics().getColor().getClass());
    }
}
