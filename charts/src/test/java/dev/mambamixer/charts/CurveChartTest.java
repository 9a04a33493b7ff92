package dev.mambamixer.charts;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.Color;
import java.nio.file.Path;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.data.xy.XYDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CurveChartTest {
    @TempDir Path dir;

    static double[] steps(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = i + 1;
        return x;
    }

    static double[] noisyDecay(int n, long seed) {
        java.util.Random rnd = new java.util.Random(seed);
        double[] y = new double[n];
        for (int i = 0; i < n; i++) y[i] = 1.5 * Math.exp(-i / 60.0) + 0.1 + 0.15 * rnd.nextGaussian() * Math.exp(-i / 150.0);
        return y;
    }

    @Test
    void appendKeepsRawAndSmoothedInStep() {
        CurveChart c = new CurveChart("t", "step", "loss");
        double[] y = {4, 2, 3, 1};
        for (int i = 0; i < y.length; i++) c.append("train", i, y[i]);
        c.setSmoothing(0.5);
        XYDataset drawn = c.drawnData(), raw = c.rawData();
        assertEquals("train", drawn.getSeriesKey(0));
        double[] expected = Ema.debiased(y, 0.5);
        for (int i = 0; i < y.length; i++) {
            assertEquals(expected[i], drawn.getYValue(0, i), 1e-12);
            assertEquals(y[i], raw.getYValue(0, i), 0);
            assertEquals(i, drawn.getXValue(0, i), 0);
        }
        c.append("train", 4, 0.5);   // streaming after a re-smooth continues the same EMA
        assertEquals(Ema.debiased(new double[] {4, 2, 3, 1, 0.5}, 0.5)[4], drawn.getYValue(0, 4), 1e-12);
        assertEquals(5, c.size("train"));
    }

    @Test
    void rawCurveIsTheSameColourFaded() {
        CurveChart c = new CurveChart("t", "step", "loss");
        c.append("a", 0, 1);
        c.append("b", 0, 2);
        Color drawn = (Color) c.plot().getRenderer(0).getSeriesPaint(1);
        Color faded = (Color) c.plot().getRenderer(1).getSeriesPaint(1);
        assertEquals(Theme.color(1).getRGB() & 0xFFFFFF, drawn.getRGB() & 0xFFFFFF);
        assertEquals(drawn.getRGB() & 0xFFFFFF, faded.getRGB() & 0xFFFFFF);
        assertTrue(faded.getAlpha() < 100);
        assertEquals(2, c.chart().getLegend().getSources()[0].getLegendItems().getItemCount(),
                     "legend lists a and b once (raw copies hidden)");
    }

    @Test
    void logScaleHidesNonPositiveValuesButKeepsThem() {
        CurveChart c = new CurveChart("t", "step", "loss");
        c.appendAll("train", new double[] {0, 1, 2}, new double[] {1, -0.5, 0.01});
        c.setLogScale(true);
        assertInstanceOf(LogAxis.class, c.plot().getRangeAxis());
        XYDataset drawn = c.drawnData();
        assertTrue(Double.isNaN(drawn.getYValue(0, 1)));
        assertEquals(0.01, drawn.getYValue(0, 2), 0);
        assertEquals(0.01, c.plot().getRangeAxis().getLowerBound(), 0.005, "log axis starts near the smallest positive value");
        c.setLogScale(false);
        assertInstanceOf(NumberAxis.class, c.plot().getRangeAxis());
        assertEquals(-0.5, drawn.getYValue(0, 1), 0);
        assertArrayEquals(new double[] {1, -0.5, 0.01}, c.rawY("train"), 0);
    }

    @Test
    void longRunsAreThinnedButKeepSpikesAndTheLatestPoint() {
        CurveChart c = new CurveChart("t", "step", "loss");
        int n = 50_000;
        double[] x = steps(n), y = noisyDecay(n, 2);
        y[31_234] = 50;   // one spike
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) c.append("train", x[i], y[i]);   // one redraw event per point
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(seconds < 5, "50k single appends took " + seconds + " s (must not rescan every point)");
        XYDataset drawn = c.drawnData(), raw = c.rawData();
        assertTrue(drawn.getItemCount(0) <= 2 * CurveData.MAX_BUCKETS, "drawn " + drawn.getItemCount(0));
        assertTrue(drawn.getItemCount(0) > CurveData.MAX_BUCKETS / 2);
        assertEquals(n, drawn.getXValue(0, drawn.getItemCount(0) - 1), 0, "the newest point is always drawn");
        assertEquals(c.smoothedY("train")[n - 1], drawn.getYValue(0, drawn.getItemCount(0) - 1), 0);
        double maxRaw = 0;
        for (int i = 0; i < raw.getItemCount(0); i++) maxRaw = Math.max(maxRaw, raw.getYValue(0, i));
        assertEquals(50, maxRaw, 0, "bucket maxima keep the spike");
        assertEquals(50, c.plot().getRangeAxis().getUpperBound(), 5, "the axis covers the spike");
        for (int i = 1; i < raw.getItemCount(0); i++)
            assertTrue(raw.getXValue(0, i) >= raw.getXValue(0, i - 1), "raw points stay in x order at " + i);
        assertEquals(n, c.size("train"));
    }

    @Test
    void rendersLinearLogAndWithLearningRate() throws Exception {
        CurveChart c = new CurveChart("Training", "step", "loss (MSE)");
        c.addSeries("train loss").addSeries("val MSE", false);
        double[] x = steps(400), y = noisyDecay(400, 1);
        c.appendAll("train loss", x, y);
        for (int i = 49; i < 400; i += 50) c.append("val MSE", x[i], y[i] * 1.1 + 0.05);
        double[] lr = new double[400];
        for (int i = 0; i < 400; i++) lr[i] = 5e-4 * Math.min(1, (i + 1) / 40.0) * (0.5 + 0.5 * Math.cos(Math.PI * i / 400));
        c.setSecondaryData("learning rate", x, lr);
        c.setSmoothing(0.9);
        Pixels.renderAndCheck(c.chart(), dir, "curves", 0.02);
        c.setLogScale(true);
        Pixels.renderAndCheck(c.chart(), dir, "curves-log", 0.02);
        Pixels.renderAndCheck(CurveChart.learningRate(x, lr, "step"), dir, "lr", 0.01);
    }

    @Test
    void aFirstPointGetsARangeWithDistinctTickLabels() {
        CurveChart c = new CurveChart("t", "step", "loss");
        c.append("train loss", 1, 1.496336);
        org.jfree.chart.axis.NumberAxis a = (org.jfree.chart.axis.NumberAxis) c.plot().getRangeAxis();
        c.chart().createBufferedImage(600, 400);   // lays out the axes
        assertTrue(a.getRange().getLength() >= 0.02 * 1.496336 * 0.999, "range " + a.getRange());
        assertTrue(a.getRange().contains(1.496336));
        java.util.List<?> ticks = a.refreshTicks(new java.awt.image.BufferedImage(10, 10, java.awt.image.BufferedImage.TYPE_INT_ARGB)
                                                      .createGraphics(), new org.jfree.chart.axis.AxisState(),
                                                 new java.awt.geom.Rectangle2D.Double(0, 0, 600, 300),
                                                 org.jfree.chart.ui.RectangleEdge.LEFT);
        java.util.List<String> labels = ticks.stream().map(t -> ((org.jfree.chart.axis.NumberTick) t).getText()).toList();
        assertTrue(labels.size() >= 2, labels.toString());
        assertEquals(labels.size(), new java.util.HashSet<>(labels).size(), "distinct: " + labels);
        c.append("train loss", 2, 0.5);   // real data widens it as before
        c.chart().createBufferedImage(600, 400);
        assertTrue(a.getRange().contains(0.5) && a.getRange().contains(1.496336));
    }
}
