package dev.mambamixer.charts;

import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.introspect.ModelCapture;
import dev.mambamixer.engine.introspect.Stats;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYDataset;
import org.jfree.data.xy.YIntervalSeriesCollection;
import org.jfree.chart.ui.Layer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForecastAndDiagnosticsTest {
    @TempDir Path dir;

    @Test
    void forecastPlacesHistoryBeforeAndPredictionAfterZero() throws Exception {
        double[] hist = new double[48], truth = new double[12], pred = new double[12];
        for (int i = 0; i < 48; i++) hist[i] = Math.sin(i / 5.0);
        for (int i = 0; i < 12; i++) {
            truth[i] = Math.sin((48 + i) / 5.0);
            pred[i] = truth[i] + 0.2;
        }
        JFreeChart c = ForecastChart.of(hist, truth, pred, "OT", 7, 0.04);
        XYDataset ds = ((XYPlot) c.getPlot()).getDataset();
        assertEquals(3, ds.getSeriesCount());
        assertEquals(-47, ds.getXValue(0, 0), 0);
        assertEquals(0, ds.getXValue(0, 47), 0);
        assertEquals(hist[47], ds.getYValue(0, 47), 0);
        assertEquals(13, ds.getItemCount(2), "prediction joins the last history point");
        assertEquals(12, ds.getXValue(2, 12), 0);
        assertEquals(pred[11], ds.getYValue(2, 12), 0);
        assertEquals(truth[0], ds.getYValue(1, 1), 0);
        assertEquals("window 7, T = 48, H = 12, window MSE = 0.04000", ((TextTitle) c.getSubtitle(0)).getText());
        Pixels.renderAndCheck(c, dir, "forecast", 0.05);
    }

    @Test
    void forecastFromACaptureReadsTheRightVariate() {
        ModelCapture cap = Fixtures.trained().after();
        int t = cap.config().seqLen(), h = cap.config().horizon(), m = cap.config().variates();
        float[] target = Fixtures.DATA.val().target(Fixtures.PROBE[1]);   // (H, M)
        JFreeChart c = ForecastChart.of(cap, 1, 2, target, "v2", Fixtures.PROBE[1]);
        XYDataset ds = ((XYPlot) c.getPlot()).getDataset();
        assertEquals(cap.input()[(1 * t + 5) * m + 2], ds.getYValue(0, 5), 0);
        assertEquals(cap.forecast()[(1 * h + 3) * m + 2], ds.getYValue(2, 4), 0);
        assertEquals(target[3 * m + 2], ds.getYValue(1, 4), 0);
    }

    @Test
    void updateRatiosAreLog10WithAGuideAtMinusThree() throws Exception {
        double[] steps = {10, 20, 30, 40};
        Map<String, double[]> ratios = new LinkedHashMap<>();
        ratios.put("decay", new double[] {1e-2, 3e-3, 1e-3, 5e-4});
        ratios.put("no decay", new double[] {1e-4, 0, 2e-4, 1e-4});
        JFreeChart c = DiagnosticsCharts.updateRatios(steps, ratios);
        XYPlot plot = (XYPlot) c.getPlot();
        assertEquals(-2, plot.getDataset().getYValue(0, 0), 1e-12);
        assertEquals(Math.log10(5e-4), plot.getDataset().getYValue(0, 3), 1e-12);
        assertTrue(Double.isNaN(plot.getDataset().getYValue(1, 1)), "a zero ratio is a gap");
        var markers = plot.getRangeMarkers(Layer.BACKGROUND);
        assertEquals(-3, ((ValueMarker) markers.iterator().next()).getValue(), 0);
        assertTrue(plot.getRangeAxis().getRange().contains(-3));
        Pixels.renderAndCheck(c, dir, "update-ratios", 0.03);
    }

    @Test
    void forecastFromAStoredWindow() {
        var w = new dev.mambamixer.engine.introspect.ForecastWindow(
            42, 4, 2, 2, List.of("a", "OT"), new float[] {1, 10, 2, 20, 3, 30, 4, 40}, new float[] {5, 50, 6, 60},
            new float[] {5.5f, 49, 6.5f, 61}, true, 0.125, 0.25);
        JFreeChart c = ForecastChart.of(w, 1);
        XYDataset ds = ((XYPlot) c.getPlot()).getDataset();
        assertEquals(40, ds.getYValue(0, 3), 0);
        assertEquals(-3, ds.getXValue(0, 0), 0);
        assertEquals(60, ds.getYValue(1, 2), 0);
        assertEquals(61, ds.getYValue(2, 2), 0);
        assertEquals("Forecast — OT", c.getTitle().getText());
        assertTrue(((TextTitle) c.getSubtitle(0)).getText().contains("window MSE = 0.1250, MAE = 0.2500"));
    }

    @Test
    void liveUpdateRatiosFromEvents() throws Exception {
        var g = (java.util.function.BiFunction<String, Double, dev.mambamixer.engine.train.TrainingListener.GroupRatio>)
            (n, l) -> new dev.mambamixer.engine.train.TrainingListener.GroupRatio(n, 1, Math.pow(10, l), l);
        var live = new DiagnosticsCharts.UpdateRatioChart();
        var chart = live.chart();
        live.append(new dev.mambamixer.engine.train.TrainingListener.UpdateRatioEvent(5, List.of(g.apply("head", -2.5),
                                                                                             g.apply("averaging", -4.0))));
        live.append(new dev.mambamixer.engine.train.TrainingListener.UpdateRatioEvent(10, List.of(g.apply("head", -2.9),
                                                                                              g.apply("averaging", Double.NEGATIVE_INFINITY))));
        assertSame(chart, live.chart());
        assertEquals(2, live.dataset().getSeriesCount());
        assertEquals(-2.9, live.dataset().getSeries("head").getY(1).doubleValue(), 0);
        assertTrue(Double.isNaN(live.dataset().getSeries("averaging").getY(1).doubleValue()), "−∞ (no update) is a gap");
        assertTrue(((XYPlot) chart.getPlot()).getRangeAxis().getRange().contains(-4.0));
        Pixels.renderAndCheck(chart, dir, "update-ratios-live", 0.02);
    }

    @Test
    void deltaBandsHoldPercentilesPerLayer() throws Exception {
        List<ModelCapture> caps = Fixtures.trained().captures();
        JFreeChart c = DiagnosticsCharts.deltaBands(caps, true);
        List<XYDataset> panels = ChartImages.datasets(c.getPlot());
        assertEquals(caps.get(0).mixers().size(), panels.size(), "one panel per mixer");
        YIntervalSeriesCollection ds = (YIntervalSeriesCollection) panels.get(1);   // blocks.0.variate
        assertEquals(2, ds.getSeriesCount(), "forward and backward bands");
        assertEquals("blocks.0.variate backward", ds.getSeriesKey(1));
        Stats last = caps.get(caps.size() - 1).layerStats().get(2).delta();   // layer 2 = blocks.0.variate backward
        int n = ds.getItemCount(1);
        assertEquals(caps.size(), n);
        assertEquals(caps.get(n - 1).step(), ds.getXValue(1, n - 1), 0);
        assertEquals(last.p50(), ds.getYValue(1, n - 1), 0);
        assertEquals(last.p5(), ds.getStartYValue(1, n - 1), 0);
        assertEquals(last.p95(), ds.getEndYValue(1, n - 1), 0);
        Pixels.renderAndCheck(c, dir, "delta-bands", 0.05);

        // the workbench's "mixer/direction" names get one panel per mixer too (not one pile of six bands)
        double[] two = {10, 20};
        Map<String, List<Stats>> slashed = new java.util.LinkedHashMap<>();
        for (String k : List.of("blocks.0.time/forward", "blocks.0.variate/forward", "blocks.0.variate/backward"))
            slashed.put(k, List.of(Stats.of(new float[] {1, 2, 3}), Stats.of(new float[] {2, 3, 4})));
        List<XYDataset> sp = ChartImages.datasets(DiagnosticsCharts.deltaBands(two, slashed, false).getPlot());
        assertEquals(2, sp.size(), "one panel per mixer");
        assertEquals(2, sp.get(1).getSeriesCount());

        double[] steps = {1, 2};
        Map<String, List<Stats>> byLayer = Map.of("x", new ArrayList<>(List.of(Stats.of(new float[] {1, 2, 3}))));
        assertThrows(IllegalArgumentException.class, () -> DiagnosticsCharts.deltaBands(steps, byLayer, false));
    }
}
