package dev.mambamixer.workbench.vm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mambamixer.charts.Heatmap;
import dev.mambamixer.engine.introspect.ScanQuantity;
import dev.mambamixer.engine.introspect.Stats;
import dev.mambamixer.workbench.Paths;
import dev.mambamixer.workbench.session.EventBuffer;
import dev.mambamixer.workbench.session.Snapshot;
import dev.mambamixer.workbench.session.UiEvents;
import dev.mambamixer.workbench.session.UiEvents.GroupRatio;
import dev.mambamixer.workbench.session.UiEvents.RatioPoint;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jfree.chart.title.TextTitle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every view model fed hand-made snapshots ({@link SnapshotFixtures}): no training run, no sleeping. */
class ViewModelFixtureTest {

    static String subtitles(Heatmap h) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < h.chart().getSubtitleCount(); i++)
            if (h.chart().getSubtitle(i) instanceof TextTitle t) sb.append(t.getText()).append(" | ");
        return sb.toString();
    }

    // ------------------------------------------------------------------ selection

    @Test void selectionListsLayersSequencesAndShapesFromTheSnapshot() {
        SelectionViewModel s = new SelectionViewModel();
        s.setSnapshot(SnapshotFixtures.tsm2(30));
        assertEquals(List.of(0), s.layers());
        assertEquals("blocks.0.time", s.tokenMixer().name());
        assertEquals("blocks.0.variate", s.channelMixer().name());
        assertEquals(List.of("val window 7 · OT", "val window 7 · HUFL"), s.tokenSequences());
        assertEquals(List.of("val window 7"), s.probeItems());
        assertArrayEquals(new int[] {2, 3}, s.tokenShape());          // E × patches
        s.quantityProperty().set(ScanQuantity.B);
        assertArrayEquals(new int[] {1, 3}, s.tokenShape());          // N × patches
        s.quantityProperty().set(ScanQuantity.RETENTION);
        assertArrayEquals(new int[] {2, 3}, s.tokenShape());          // S × patches
        assertArrayEquals(new int[] {2, 3}, s.channelShape());        // variates × patches
        assertEquals(5, SelectionViewModel.QUANTITIES.size());
        assertNull(s.tokenExample(), "TSM2 has no marked examples");
    }

    @Test void channelChartsAreVariatesByPatchesOfTheChannelMeanOfDeltaPerDirection() {
        SelectionViewModel s = new SelectionViewModel();
        s.setSnapshot(SnapshotFixtures.tsm2(30));
        List<Heatmap> charts = s.channelCharts();
        assertEquals(2, charts.size(), "one per direction");
        Heatmap fwd = charts.get(0), bwd = charts.get(1);
        assertEquals(2, fwd.rows());
        assertEquals(3, fwd.cols());
        for (int v = 0; v < 2; v++)
            for (int p = 0; p < 3; p++) {
                assertEquals(1.5f + p + 10 * v, fwd.value(v, p));   // (1+p+10v + 2+p+10v) / 2
                assertEquals(2f, bwd.value(v, p));
            }
        assertTrue(subtitles(fwd).contains("mean Δ over 2 inner channels, forward; window 0"), subtitles(fwd));
        assertTrue(subtitles(fwd).contains("after step 30 · TSM2"), subtitles(fwd));
        s.setSnapshot(null);
        assertEquals(List.of(), s.channelCharts());
    }

    @Test void selectionViewsColourHonestly() {
        SelectionViewModel s = new SelectionViewModel();
        s.setSnapshot(SnapshotFixtures.tsm2(30));
        // the two directions' panels share one scale: forward 1.5..13.5, backward 2 everywhere
        List<Heatmap> charts = s.channelCharts();
        for (Heatmap h : charts) {
            assertEquals(1.5, h.colorMap().getLowerBound(), 1e-6);
            assertEquals(13.5, h.colorMap().getUpperBound(), 1e-6);
        }
        assertEquals(charts.get(0).colorMap().color(2), charts.get(1).colorMap().color(2), "one colour, one value");
        // each row divided by its largest value: forward OT row 1.5, 2.5, 3.5 -> 3/7, 5/7, 1
        s.channelScaleProperty().set(dev.mambamixer.charts.ColourScale.ROWS);
        Heatmap fwd = s.channelCharts().get(0);
        assertEquals(1.5f / 3.5f, fwd.value(0, 0), 1e-6f);
        assertEquals(1f, fwd.value(0, 2), 1e-6f);
        assertEquals(1.5f, fwd.rawValue(0, 0));
        // log colours for attention, the values themselves kept for tooltips
        s.attentionScaleProperty().set(dev.mambamixer.charts.ColourScale.LOG);
        Heatmap att = s.attentionChart();
        assertEquals(dev.mambamixer.charts.ColourScale.LOG, att.colourScale());
        assertEquals(0f, att.value(0, 0), 1e-6f);                         // log10 |α[0,0]| = log10 1
        assertEquals(1f, att.rawValue(0, 0));
        assertEquals("log₁₀ |α|", att.legend().getAxis().getLabel());
        s.attentionScaleProperty().set(null);                             // a cleared picker falls back to linear
        assertEquals(dev.mambamixer.charts.ColourScale.LINEAR, s.attentionScaleProperty().get());
        // token chart: built by the view model, with its own scale
        s.tokenScaleProperty().set(dev.mambamixer.charts.ColourScale.ROWS);
        Heatmap tok = s.tokenChart();
        assertEquals(dev.mambamixer.charts.ColourScale.ROWS, tok.colourScale());
        assertEquals(1f, tok.value(0, 0), 1e-6f);
        assertTrue(subtitles(tok).contains("after step 30 · TSM2"), subtitles(tok));
        s.setSnapshot(null);
        assertNull(s.tokenChart());
    }

    @Test void tokenSelectionShowsWhatTheSequenceSelectsFrom() {
        SelectionViewModel s = new SelectionViewModel();
        // TSM2: the probe window's input of the chosen (window, variate) sequence; input (B 1, T 3, M 2)
        float[] input = {10, 11, 20, 21, 30, 31};
        s.setSnapshot(SnapshotFixtures.tsm2(30).withProbeSeries(input));
        assertNull(s.tokenStrip());
        assertArrayEquals(new float[] {10, 20, 30}, s.tokenInputSeries());
        s.tokenSequenceProperty().set(1);                                  // variate HUFL
        assertArrayEquals(new float[] {11, 21, 31}, s.tokenInputSeries());
        s.setSnapshot(SnapshotFixtures.tsm2(40));                         // no input recorded: nothing to draw
        assertNull(s.tokenInputSeries());
        // teaching: tokens, targets and the model's answers of the chosen example
        s.setSnapshot(SnapshotFixtures.teaching(8).withPredictions(List.of(new int[] {0, 0, 2, 3}, new int[] {0, 0, 2, 1})));
        assertNull(s.tokenInputSeries());
        s.tokenSequenceProperty().set(1);
        SelectionViewModel.TokenStrip strip = s.tokenStrip();
        assertEquals(1, strip.example());
        assertArrayEquals(new int[] {1, 2, 3, 4}, strip.tokens());
        assertArrayEquals(new int[] {0, 0, 2, 1}, strip.predicted());
        assertEquals(2, strip.asked());
        assertEquals(1, strip.correct());
        s.setSnapshot(SnapshotFixtures.teaching(9));                      // a snapshot without predictions
        assertNull(s.tokenStrip());
    }

    @Test void attentionChannelPickerAndChartFollowTheChosenMixerAndChannel() {
        SelectionViewModel s = new SelectionViewModel();
        s.setSnapshot(SnapshotFixtures.tsm2(30));
        assertEquals("blocks.0.time", s.attentionMixerProperty().get());
        assertEquals(List.of("mean |α| over channels", "channel 0", "channel 1"), s.attentionChannels());
        assertEquals(0, s.attentionChannelChoiceProperty().get());
        assertEquals(-1, s.attentionChannelProperty().get());
        Heatmap mean = s.attentionChart();
        assertEquals("Implicit attention — blocks.0.time", mean.chart().getTitle().getText());
        assertEquals(1f, mean.value(0, 0));                              // |α[0,0]| = Δ = 1
        assertTrue(Float.isNaN(mean.value(0, 1)), "a forward scan cannot reach later patches");

        s.attentionMixerProperty().set("blocks.0.variate");
        s.attentionChannelChoiceProperty().set(2);                       // entry 2 = inner channel 1
        assertEquals(1, s.attentionChannelProperty().get());
        assertEquals("α of inner channel 1 of 2, forward + backward (lower / upper triangle)", s.attentionAggregation());
        Heatmap summed = s.attentionChart();
        assertEquals("Implicit attention α — blocks.0.variate (forward + backward)", summed.chart().getTitle().getText());
        // patch 0, channel 1: forward Δ = 2 (OT), 12 (HUFL); backward Δ = 2
        assertEquals(4f, summed.value(0, 0));
        assertEquals(2f, summed.value(0, 1));
        assertEquals(2f, summed.value(1, 0));
        assertEquals(14f, summed.value(1, 1));
        s.attentionChannelProperty().set(-1);
        assertEquals(0, s.attentionChannelChoiceProperty().get());

        s.setSnapshot(null);
        assertNull(s.attentionChart());
        assertEquals(List.of("mean |α| over channels"), s.attentionChannels());
    }

    @Test void teachingSnapshotsNameTheMarkedPositions() {
        SelectionViewModel s = new SelectionViewModel();
        s.setSnapshot(SnapshotFixtures.teaching(8));
        assertEquals(List.of(0), s.layers());
        assertNull(s.channelMixer(), "token mixers only");
        assertEquals(List.of(), s.channelCharts());
        assertNotNull(s.tokenExample());
        assertEquals("data 1,2", SelectionViewModel.describeMarks(s.tokenExample()));
        String sub = subtitles(s.attentionChart());
        assertTrue(sub.contains("marked: data 1,2"), sub);
        assertTrue(sub.contains("after step 8 · teaching (copy)"), sub);
    }

    // ------------------------------------------------------------------ averaging

    @Test void averagingKeepsTheNewestMatrixAndOneEntryPerStep() {
        AveragingViewModel a = new AveragingViewModel();
        assertNull(a.matrixChart());
        assertNull(a.driftChart());
        assertEquals(-1, a.lastStep());
        a.add(10, SnapshotFixtures.averaging(1, 0));
        a.add(10, SnapshotFixtures.averaging(0.5, 0));   // the final capture repeats the last step: not recorded
        a.add(20, SnapshotFixtures.averaging(0.75, 0.25));
        assertEquals(20, a.lastStep());
        assertArrayEquals(new double[] {10, 20}, a.steps());
        assertArrayEquals(new double[] {1, 0.75}, a.drift(0, 0));
        assertArrayEquals(new double[] {0, 0.25}, a.drift(1, 0));
        Heatmap m = a.matrixChart();
        assertEquals(2, m.rows());
        assertEquals(3, m.cols());
        assertEquals(0.75f, m.value(0, 0));
        assertTrue(Float.isNaN(m.value(0, 2)), "T1 cannot read its own output");
        assertTrue(subtitles(m).contains("step 20"), subtitles(m));
        assertNotNull(a.driftChart());
        a.clear();
        assertNull(a.matrixChart());
        assertEquals(-1, a.lastStep());
    }

    // ------------------------------------------------------------------ forecast

    @Test void forecastCaptionNamesTheWindowVariateStepAndErrors() {
        ForecastViewModel f = new ForecastViewModel();
        assertEquals("no forecast yet", f.captionProperty().get());
        Snapshot s = SnapshotFixtures.tsm2(30);
        f.set(s.step(), s.forecastSplit(), s.forecasts(), s.variateNames());
        assertEquals("test window 120 (1 of 2), variate OT, after step 30: window MSE 0.2500, MAE 0.1250 "
                     + "(standardised, all variates)", f.captionProperty().get());
        f.windowProperty().set(1);
        f.variateProperty().set(1);
        assertEquals("test window 240 (2 of 2), variate HUFL, after step 30: window MSE 0.5000, MAE 0.2500 "
                     + "(standardised, all variates)", f.captionProperty().get());
        assertArrayEquals(new double[] {6}, f.current().truth(1));
        assertArrayEquals(new double[] {2, 4}, f.current().history(1));
        f.set(31, "test", List.of(SnapshotFixtures.window(120, 0.1)), s.variateNames());
        assertEquals(0, f.windowProperty().get(), "the scrubber stays inside the windows");
        f.clear();
        assertNull(f.current());
        assertEquals("no forecast yet: start a TSM2 run", f.captionProperty().get());
    }

    // ------------------------------------------------------------------ diagnostics

    @Test void diagnosticsCollectRatiosAndOneDeltaStatsEntryPerStep() {
        DiagnosticsViewModel d = new DiagnosticsViewModel();
        assertTrue(Double.isNaN(d.latestRatio("time")));
        d.addRatios(List.of(new RatioPoint(5, List.of(new GroupRatio("time", -3.5))),
                            new RatioPoint(10, List.of(new GroupRatio("time", -2.5), new GroupRatio("head", -4)))));
        assertEquals(-2.5, d.latestRatio("time"));
        assertArrayEquals(new double[] {5, 10}, d.ratios().get("time").x());
        assertArrayEquals(new double[] {-4}, d.ratios().get("head").y());
        Map<String, Stats> stats = SnapshotFixtures.tsm2(30).deltaStats();
        assertEquals(List.of("blocks.0.time/forward", "blocks.0.variate/forward", "blocks.0.variate/backward"),
                     List.copyOf(stats.keySet()));
        d.addDeltaStats(30, stats);
        d.addDeltaStats(30, stats);                    // repeated step: ignored
        assertEquals(List.of(30L), d.deltaSteps());
        assertEquals(2.0, d.deltaStats().get("blocks.0.variate/backward").get(0).p50());
        d.clear();
        assertTrue(d.deltaSteps().isEmpty());
        assertTrue(d.ratios().isEmpty());
    }

    // ------------------------------------------------------------------ workbench

    @Test void workbenchAppliesAHandMadeBatchToEveryChildViewModel(@TempDir Path tmp) {
        try (WorkbenchViewModel vm = new WorkbenchViewModel(Paths.sampleData(), tmp.resolve("runs"), Runnable::run, "cpu", 50)) {
            vm.apply(new EventBuffer.Batch(new UiEvents.Started("TSM2 I1 on ETTh1.csv: T 48", "cpu (BLAS x)"), null,
                                           List.of(), List.of(), List.of(new RatioPoint(30, List.of(new GroupRatio("time", -3)))),
                                           SnapshotFixtures.tsm2(30), List.of(new UiEvents.Status("hello")), null, 0));
            assertEquals("backend: cpu (BLAS x)", vm.run().backendProperty().get());
            assertEquals("TSM2 I1 on ETTh1.csv: T 48", vm.run().messageProperty().get());
            assertEquals(List.of("TSM2 I1 on ETTh1.csv: T 48; cpu (BLAS x)", "hello"), List.copyOf(vm.log()));
            assertEquals(1, vm.snapshotsProperty().get());
            assertEquals("blocks.0.time", vm.selection().tokenMixer().name());
            assertEquals(30, vm.averaging().lastStep());
            assertEquals(2, vm.forecast().windows().size());
            assertEquals(List.of(30L), vm.diagnostics().deltaSteps());
            assertEquals(-3.0, vm.diagnostics().latestRatio("time"));

            // a loaded checkpoint names no backend: the line stands for both
            vm.apply(new EventBuffer.Batch(new UiEvents.Started("checkpoint c: TSM2 I1", null), null, List.of(), List.of(),
                                           List.of(), null, List.of(), new UiEvents.Finished("done", false, null), 0));
            assertEquals("checkpoint c: TSM2 I1", vm.run().backendProperty().get());
            assertEquals("done", vm.run().messageProperty().get());
            assertNull(vm.selection().snapshotProperty().get(), "a new run clears the views");
            assertEquals(-1, vm.averaging().lastStep());
            assertNull(vm.errorProperty().get());
        }
    }
}
