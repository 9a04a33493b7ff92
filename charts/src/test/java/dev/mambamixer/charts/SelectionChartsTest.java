package dev.mambamixer.charts;

import dev.mambamixer.engine.introspect.ScanQuantity;
import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.data.teaching.Mark;
import dev.mambamixer.engine.data.teaching.SequenceExample;
import dev.mambamixer.engine.introspect.MixerCapture;
import dev.mambamixer.engine.introspect.ModelCapture;
import dev.mambamixer.engine.introspect.ScanCapture;
import dev.mambamixer.engine.introspect.SelectionProbe;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SelectionChartsTest {
    @TempDir Path dir;

    @Test
    void deltaHeatmapIsChannelsByPositionsOfTheChosenSequence() throws Exception {
        ModelCapture cap = Fixtures.trained().after();
        MixerCapture time = cap.mixer("blocks.0.time");
        ScanCapture sc = time.direction("forward");
        int seq = time.seq(1, 2);   // batch 1, variate 2
        Heatmap h = SelectionCharts.scan(time, "forward", seq, ScanQuantity.DELTA);
        assertEquals(sc.e(), h.rows());
        assertEquals(sc.l(), h.cols(), "positions (patches) are the columns: left to right");
        for (int e = 0; e < sc.e(); e++) {
            double[] series = sc.series(sc.delta(), seq, e);
            for (int t = 0; t < sc.l(); t++) assertEquals((float) series[t], h.value(e, t), 0);
        }
        assertEquals(ColorMap.Kind.SEQUENTIAL, h.colorMap().kind());
        assertEquals("patch", h.plot().getDomainAxis().getLabel());
        assertTrue(h.chart().getSubtitle(0).toString().length() > 0);
        Pixels.renderAndCheck(h.chart(), dir, "scan-delta", 0.3);
    }

    @Test
    void bAndRetentionLayouts() throws Exception {
        MixerCapture var = Fixtures.trained().after().mixer("blocks.1.variate");
        ScanCapture bw = var.direction("backward");
        Heatmap b = SelectionCharts.scan(var, "backward", 4, ScanQuantity.B);
        assertEquals(bw.n(), b.rows());
        assertEquals(bw.l(), b.cols());
        assertEquals(bw.b()[(4 * bw.l() + 3) * bw.n() + 5], b.value(5, 3), 0);
        Heatmap r = SelectionCharts.scan(var, "forward", 0, ScanQuantity.RETENTION);
        assertEquals(var.s(), r.rows(), "retention has one row per sequence");
        assertEquals(var.direction("forward").retention()[2 * var.l() + 1], r.value(2, 1), 0);
        Pixels.renderAndCheck(b.chart(), dir, "scan-b", 0.3);
        Pixels.renderAndCheck(r.chart(), dir, "scan-retention", 0.3);
    }

    @Test
    void channelSelectionAveragesDeltaOverChannels() throws Exception {
        ModelCapture cap = Fixtures.trained().after();
        MixerCapture var = cap.mixer("blocks.0.variate");
        Heatmap h = SelectionCharts.channelSelection(var, "forward", 2, Fixtures.DATA.columns());
        int patches = var.sequenceShape()[1];
        assertEquals(cap.config().variates(), h.rows());
        assertEquals(patches, h.cols());
        ScanCapture fw = var.direction("forward");
        int seq = var.seq(2, 3), v = 1;
        double mean = 0;
        for (int e = 0; e < fw.e(); e++) mean += fw.delta()[(seq * var.l() + v) * fw.e() + e];
        assertEquals(mean / fw.e(), h.value(v, 3), 1e-6);

        Heatmap both = SelectionCharts.channelSelection(var, null, 2, null);
        double meanBw = 0;
        ScanCapture bw = var.direction("backward");
        for (int e = 0; e < bw.e(); e++) meanBw += bw.delta()[(seq * var.l() + v) * bw.e() + e];
        assertEquals((mean / fw.e() + meanBw / bw.e()) / 2, both.value(v, 3), 1e-6);
        assertTrue(both.chart().getSubtitle(0).toString() != null);
        assertThrows(IllegalArgumentException.class,
                     () -> SelectionCharts.channelSelection(cap.mixer("blocks.0.time"), "forward", 0, null));
        Pixels.renderAndCheck(h.chart(), dir, "channel-selection", 0.3);
    }

    @Test
    void attentionMapsAreTargetBySourceAndNamedInTheSubtitle() throws Exception {
        MixerCapture var = Fixtures.trained().after().mixer("blocks.0.variate");
        Heatmap agg = SelectionCharts.meanAbsAttention(var, 1);
        float[][] expected = var.meanAbsAttention(1);
        assertEquals(var.l(), agg.rows());
        assertEquals(var.l(), agg.cols());
        for (int t = 0; t < var.l(); t++) for (int s = 0; s < var.l(); s++) assertEquals(expected[t][s], agg.value(t, s), 0);
        String sub = ((org.jfree.chart.title.TextTitle) agg.chart().getSubtitle(0)).getText();
        assertTrue(sub.startsWith("mean |α| over " + var.directions().get(0).e() + " channels, forward+backward"), sub);

        MixerCapture time = Fixtures.trained().after().mixer("blocks.0.time");
        Heatmap one = SelectionCharts.attention(time, "forward", 0, 3);
        assertEquals(ColorMap.Kind.DIVERGING, one.colorMap().kind());
        assertEquals(time.direction("forward").attention(0, 3).alpha(4, 1), one.value(4, 1), 1e-6);
        assertTrue(Float.isNaN(one.value(1, 4)), "forward scan cannot reach later positions: blank");
        assertTrue(Float.isNaN(SelectionCharts.meanAbsAttention(time, "forward", 0).value(0, 1)));
        assertFalse(Float.isNaN(agg.value(0, 1)), "bidirectional: both triangles filled");
        Heatmap summed = SelectionCharts.summedAttention(var, 1, 2);
        assertEquals(var.direction("forward").attention(1, 2).alpha(2, 0), summed.value(2, 0), 1e-6);
        assertEquals(var.direction("backward").attention(1, 2).alpha(0, 2), summed.value(0, 2), 1e-6);
        assertFalse(Float.isNaN(summed.value(0, 2)), "signed α over both directions: both triangles filled");
        Pixels.renderAndCheck(agg.chart(), dir, "attention-mean", 0.3);
        Pixels.renderAndCheck(one.chart(), dir, "attention-channel", 0.3);
    }

    @Test
    void teachingCaptureHeatmapCarriesTheExampleMarks() throws Exception {
        var task = new dev.mambamixer.engine.data.teaching.SelectiveCopying(24, 8, 3);
        var cfg = dev.mambamixer.engine.model.SequenceModelConfig.defaults(task.vocab(), task.length()).withModel(8, 1, 4);
        var model = new dev.mambamixer.engine.model.SequenceModel(new dev.mambamixer.engine.backend.CpuBackend(), cfg);
        List<SequenceExample> exs = task.examples(5L, 3);
        var cap = dev.mambamixer.engine.introspect.Introspector.capture(model, exs, 0);
        Heatmap h = SelectionCharts.teaching(cap, 0, 2, ScanQuantity.DELTA);
        assertEquals(task.length(), h.cols());
        int marked = SelectionCharts.marks(exs.get(2)).size();
        assertEquals(3 + 1 + 3, marked, "3 data, 1 delimiter, 3 output positions");
        assertEquals(marked, h.plot().getDomainMarkers(org.jfree.chart.ui.Layer.FOREGROUND).size());
        Heatmap a = SelectionCharts.teachingAttention(cap, 0, 2);
        assertEquals(task.length(), a.rows());
        Pixels.renderAndCheck(h.chart(), dir, "teaching-delta", 0.3);
    }

    @Test
    void teachingMarksAndProfile() throws Exception {
        SequenceExample ex = new SequenceExample(new int[12], new int[12],
                                                 List.of(new Mark("data", new int[] {2, 3, 7}), new Mark("noise", new int[] {0, 1}),
                                                         new Mark("delimiter", new int[] {9})));
        List<Heatmap.Mark> marks = SelectionCharts.marks(ex);
        assertEquals(List.of(2.0, 3.0, 7.0, 9.0), marks.stream().map(Heatmap.Mark::position).toList(), "noise left out");
        assertEquals(List.of("data", "", "data", "delimiter"), marks.stream().map(Heatmap.Mark::label).toList());

        float[] per = new float[2 * 12];
        for (int i = 0; i < per.length; i++) per[i] = 0.1f + (i % 12 == 2 || i % 12 == 3 || i % 12 == 7 ? 1f : 0f);
        SelectionProbe.Profile p = new SelectionProbe.Profile(2, 12, per, Map.of("data", 1.1, "noise", 0.1),
                                                              Map.of("data", 6, "noise", 4), Map.of());
        Heatmap h = SelectionCharts.selectionProfile(p, List.of(ex, ex), 10);
        assertEquals(2, h.rows());
        assertEquals(1.1f, h.value(1, 7), 1e-6);
        Pixels.renderAndCheck(h.chart(), dir, "selection-profile", 0.3);
    }
}
