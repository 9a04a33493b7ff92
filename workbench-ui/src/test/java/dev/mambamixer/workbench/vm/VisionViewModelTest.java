package dev.mambamixer.workbench.vm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.Backends;
import dev.mambamixer.engine.introspect.CrossScanDirection;
import dev.mambamixer.engine.introspect.Introspector;
import dev.mambamixer.engine.introspect.ScanQuantity;
import dev.mambamixer.engine.introspect.Ss2dCapture;
import dev.mambamixer.engine.model.Vim2;
import dev.mambamixer.engine.model.Vim2Config;
import dev.mambamixer.workbench.Paths;
import dev.mambamixer.workbench.session.EventBuffer;
import dev.mambamixer.workbench.session.UiEvents;
import dev.mambamixer.workbench.session.UiEvents.Mistake;
import dev.mambamixer.workbench.session.UiEvents.VisionResults;
import dev.mambamixer.workbench.session.UiEvents.VisionSnapshot;
import dev.mambamixer.workbench.vm.VisionViewModel.Overlay;
import dev.mambamixer.workbench.vm.VisionViewModel.Panel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ViM2 view models from fixtures: a real capture of a tiny ViM2 (8×6 RGB, patch 2: 4×3 tokens,
 * then 2×2; reference backend) and a hand-made held-out evaluation. No JavaFX thread.
 */
class VisionViewModelTest {
    private static Backend be;
    private static VisionSnapshot snap;

    @BeforeAll static void capture() {
        be = Backends.create("reference");
        Vim2Config cfg = Vim2Config.mnist().withImage(8, 6, 3, 4, 2).withStages(List.of(8, 12), List.of(2, 1))
                .withChannelMixer(Vim2Config.ChannelMixer.PER_TOKEN_LIFT, 3, 2).withState(2, 2).withSeed(5).validate();
        Vim2 model = new Vim2(be, cfg);
        SplittableRandom rng = new SplittableRandom(3);
        float[] x = new float[3 * 8 * 6 * 3];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextDouble();
        snap = new VisionSnapshot(2, Introspector.capture(model, x, 3, 250), new int[] {10, 20, 30}, new int[] {1, 3, 0},
                                  List.of("zero", "one", "two", "three"));
    }

    @AfterAll static void close() { be.close(); }

    @Test void choicesFollowTheCaptureAndTheQueryStartsAtTheGridCentre() {
        VisionViewModel vm = new VisionViewModel();
        assertFalse(vm.hasCapture());
        assertTrue(vm.panels().isEmpty());
        assertNull(vm.query());
        vm.set(snap);
        assertEquals(3, vm.probeNames().size());
        assertEquals("#1  (held-out 20, true three)", vm.probeNames().get(1));
        assertEquals(List.of("stage 0 (4×3 tokens, D 8)", "stage 1 (2×2 tokens, D 12)"), List.copyOf(vm.stageNames()));
        assertEquals(2, vm.mixerNames().size());
        assertEquals(4, vm.tokenRows());
        assertEquals(3, vm.tokenCols());
        assertArrayEquals(new int[] {2, 1}, vm.query());
        assertEquals(8 * 6 * 3, vm.image().length);
        assertTrue(vm.caption().contains("true one"), vm.caption());
        assertTrue(vm.caption().contains("after epoch 2 (step 250)"), vm.caption());
    }

    @Test void attentionPanelsAreTheExactMapsOfTheQueryTokenWithOneScaleForTheFourDirections() {
        VisionViewModel vm = new VisionViewModel();
        vm.set(snap);
        vm.probeProperty().set(1);
        vm.mixerProperty().set(1);
        long before = vm.revisionProperty().get();
        vm.setQuery(1, 2);
        assertTrue(vm.revisionProperty().get() > before, "a new query redraws");
        assertArrayEquals(new int[] {1, 2}, vm.query());
        List<Panel> ps = vm.panels();
        assertEquals(5, ps.size());
        Ss2dCapture m = snap.capture().stage(0).tokenMixers().get(1);
        assertSame(m, vm.mixerCapture());
        for (CrossScanDirection d : CrossScanDirection.values()) {
            Panel p = ps.get(d.index());
            assertEquals(d.label(), p.title());
            double[][] want = m.meanAbsAttention(d, 1, 1, 2);
            for (int i = 0; i < 4; i++) for (int j = 0; j < 3; j++) assertEquals(want[i][j], p.map()[i][j], 1e-6);
            assertSame(ps.get(0).scale(), p.scale(), "the four directions share one colour scale");
        }
        double[][] merged = m.mergedMeanAbsAttention(1, 1, 2);
        assertEquals((float) merged[3][0], ps.get(4).map()[3][0], 1e-6);
        assertNotSame(ps.get(0).scale(), ps.get(4).scale(), "the merged sum has its own scale");
        assertTrue(ps.get(4).valueLabel().contains("own scale"));
        // a direction reads no key after the query: row-major attends nothing below the query's row
        assertEquals(0, ps.get(CrossScanDirection.ROW_MAJOR.index()).map()[3][0], 0);
    }

    @Test void deltaPanelsShareOneScaleAndMergeAsTheMean() {
        VisionViewModel vm = new VisionViewModel();
        vm.set(snap);
        vm.overlayProperty().set(Overlay.DELTA);
        List<Panel> ps = vm.panels();
        Ss2dCapture m = snap.capture().stage(0).tokenMixers().get(0);
        float sum = 0;
        for (CrossScanDirection d : CrossScanDirection.values()) {
            assertArrayEquals(m.map(ScanQuantity.DELTA, d, 0)[2], ps.get(d.index()).map()[2], 1e-7f);
            sum += m.map(ScanQuantity.DELTA, d, 0)[2][1];
            assertSame(ps.get(4).scale(), ps.get(d.index()).scale());
        }
        assertEquals(sum / 4, ps.get(4).map()[2][1], 1e-6);
    }

    @Test void queryIsClampedAndAnotherStageResetsItAndTheMixerChoice() {
        VisionViewModel vm = new VisionViewModel();
        vm.set(snap);
        vm.setQuery(9, -3);
        assertArrayEquals(new int[] {3, 0}, vm.query());
        vm.mixerProperty().set(1);
        vm.stageProperty().set(1);
        assertEquals(1, vm.mixerNames().size());
        assertEquals(0, vm.mixerProperty().get());
        assertArrayEquals(new int[] {1, 1}, vm.query(), "the centre of the 2×2 grid");
        assertEquals(5, vm.panels().size());
        assertEquals(2, vm.panels().get(0).map().length);
        vm.set(snap);   // a newer capture keeps the choices
        assertEquals(1, vm.stageProperty().get());
        vm.clear();
        assertFalse(vm.hasCapture());
        assertTrue(vm.probeNames().isEmpty());
    }

    static VisionResults results() {
        Mistake wrong = new Mistake(7, new float[] {0, 1, 1, 0}, 2, 2, 1, 2, 0, 0.91);
        return new VisionResults(125, 1, true, 0.75, 0.6, 8, new int[][] {{3, 0, 0}, {0, 2, 1}, {1, 0, 1}},
                                 new double[] {1, 2 / 3.0, 0.5}, List.of("a", "b", "c"), List.of(wrong));
    }

    @Test void resultsViewModelLabelsTheMistakesAndDrawsOneConfusionScale() {
        ResultsViewModel vm = new ResultsViewModel();
        assertFalse(vm.hasResults());
        assertNull(vm.confusionChart());
        vm.set(results());
        assertTrue(vm.summary().startsWith("Held-out accuracy 0.7500 on 8 images"), vm.summary());
        assertTrue(vm.summary().endsWith("2 wrongly classified"), vm.summary());
        assertEquals("c → a (0.91)", vm.label(vm.mistakes().get(0)));
        var heat = vm.confusionChart();
        assertEquals(3, heat.rows());
        assertEquals(2f, heat.value(1, 1));
        assertEquals(0, heat.colorMap().getLowerBound(), 0);
        assertEquals(3, heat.colorMap().getUpperBound(), 1e-9);
        assertTrue(vm.perClassChart() != null);
        vm.clear();
        assertTrue(vm.mistakes().isEmpty());
    }

    @Test void workbenchHandsVisionBatchesToTheVisionAndResultsViews(@TempDir Path tmp) {
        try (WorkbenchViewModel vm = new WorkbenchViewModel(Paths.sampleData(), tmp.resolve("runs"), Runnable::run, "cpu", 50)) {
            vm.apply(new EventBuffer.Batch(new UiEvents.Started("ViM2 on mnist", "cpu"), null,
                                           List.of(new UiEvents.StepPoint(1, 1, 2.3, 1e-3, 1, 64, 0.5, 125, 0.125)),
                                           List.of(new UiEvents.EvalPoint(125, 9, 2.0, Double.NaN, Double.NaN, 0.6, 0.87, false)),
                                           List.of(), null, List.of(), null, 0, snap, results()));
            assertTrue(vm.vision().hasCapture());
            assertTrue(vm.results().hasResults());
            assertEquals(0.125, vm.curves().series(CurvesViewModel.BATCH_ACCURACY).lastY());
            assertEquals(0.87, vm.curves().series(CurvesViewModel.ACCURACY).lastY());
            vm.reset();
            assertFalse(vm.vision().hasCapture());
            assertFalse(vm.results().hasResults());
        }
    }

    @Test void imageDataChoicesSelectViM2AndBuildItsSettings(@TempDir Path tmp) throws Exception {
        Files.createDirectories(tmp.resolve("mnist"));
        ConfigViewModel c = new ConfigViewModel(Paths.sampleData(), "cpu", tmp);
        ConfigViewModel.DataChoice mnist = c.dataChoices().stream().filter(d -> d.label().equals("MNIST (ViM2)")).findFirst()
                .orElseThrow();
        c.dataProperty().set(mnist);
        assertEquals(dev.mambamixer.workbench.session.RunSettings.ModelKind.VISION, c.modelProperty().get());
        assertEquals(List.of("epochs", "batch", "lr", "channelMixer", "seed", "probeImages"),
                     c.visibleFields().stream().map(Field::key).toList());
        c.field("channelMixer").textProperty().set("none");
        c.field("epochs").set(3);
        var s = c.build();
        assertEquals("mnist", s.vision().data().kind());
        assertEquals(Vim2Config.ChannelMixer.NONE, s.vision().model().channelMixer());
        assertEquals(3, s.vision().train().epochs());
        assertEquals(8, s.probeCount());
        assertTrue(c.validProperty().get());
        // the digits file is missing here: the configuration says so
        c.dataProperty().set(c.dataChoices().stream().filter(d -> d.label().equals("digits (ViM2)")).findFirst().orElseThrow());
        assertFalse(c.validProperty().get());
        assertTrue(c.errors().get(0).startsWith("image data not found"), c.errors().toString());
        c.dataProperty().set(c.dataChoices().stream().filter(d -> d.label().equals("cluttered canvas (ViM2)")).findFirst()
                                 .orElseThrow());
        assertEquals(48, c.build().vision().model().height());
    }
}
