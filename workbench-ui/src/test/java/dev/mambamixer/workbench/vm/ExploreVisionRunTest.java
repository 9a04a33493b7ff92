package dev.mambamixer.workbench.vm;

import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.backend.CpuBackend;
import dev.mambamixer.engine.data.vision.VisionDatasets;
import dev.mambamixer.engine.io.RunFolder;
import dev.mambamixer.engine.model.Vim2;
import dev.mambamixer.engine.model.Vim2Config;
import dev.mambamixer.engine.nn.WeightedAverage;
import dev.mambamixer.engine.run.VisionRun;
import dev.mambamixer.engine.train.VisionTrainConfig;
import dev.mambamixer.engine.train.VisionTrainer;
import dev.mambamixer.workbench.Paths;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opening a finished ViM2 run folder (File → Open run folder): the curves come from its events
 * (steps and held-out evaluations), and the Vision and Results views from its kept weights run
 * again on its own images — the same held-out accuracy the run recorded, to the last image.
 */
class ExploreVisionRunTest {
    @TempDir Path tmp;
    WorkbenchViewModel vm;

    @AfterEach void tearDown() { if (vm != null) vm.close(); }

    void await(String what, BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < end) {
            synchronized (this) { if (cond.getAsBoolean()) return; }
            Thread.sleep(20);
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    /** An image folder of 8×8 PNGs: "across" holds a horizontal bar, "down" a vertical one, anywhere, on noise. */
    static Path barImages(Path dir, int perClass) throws Exception {
        SplittableRandom rng = new SplittableRandom(4);
        for (String cls : List.of("across", "down")) {
            Path d = Files.createDirectories(dir.resolve(cls));
            for (int i = 0; i < perClass; i++) {
                BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
                int r0 = rng.nextInt(5), c0 = rng.nextInt(5);
                for (int y = 0; y < 8; y++) for (int x = 0; x < 8; x++) img.getRaster().setSample(x, y, 0, rng.nextInt(70));
                for (int k = 0; k < 4; k++) {
                    if (cls.equals("across")) img.getRaster().setSample(c0 + k, r0 + 2, 0, 255);
                    else img.getRaster().setSample(c0 + 2, r0 + k, 0, 255);
                }
                ImageIO.write(img, "png", d.resolve(String.format("%03d.png", i)).toFile());
            }
        }
        return dir;
    }

    @Test void showsAFinishedViM2RunsCurvesResultsAndSelection() throws Exception {
        Path images = barImages(tmp.resolve("images"), 40);
        Vim2Config mc = new Vim2Config(8, 8, 1, 2, 2, List.of(8), List.of(2), 2, Vim2Config.ChannelMixer.PER_TOKEN_LIFT, 4, 4, 4,
                                       4, 2, 3, 16, WeightedAverage.Mode.IDENTITY, 3);
        VisionRun.DataSource ds = new VisionRun.DataSource("folder", images.toString(), "bars", List.of("across", "down"));
        VisionDatasets.VisionSplits splits = VisionRun.splits(ds, 8, 8, 1);
        VisionTrainer.Result r;
        Path runDir;
        try (CpuBackend be = new CpuBackend()) {
            RunFolder folder = RunFolder.create(tmp.resolve("runs"), "bars");
            runDir = folder.dir();
            VisionTrainConfig tc = new VisionTrainConfig(4, 8, 1e-2, 10, 0.05, 0.05, 1.0, 0.1, 1, 64, 5);
            r = VisionRun.builder(new Vim2(be, mc), tc, ds).folder(folder).build().run(splits.train(), splits.heldOut());
        }
        assertFalse(r.failed(), r.reason());

        vm = new WorkbenchViewModel(Paths.sampleData(), tmp.resolve("wb-runs"), x -> { synchronized (this) { x.run(); } },
                                    "cpu", 50);
        vm.explore(runDir).get(60, TimeUnit.SECONDS);
        await("the kept weights' results", () -> vm.results().hasResults() && vm.vision().hasCapture());
        synchronized (this) {
            assertEquals(WorkbenchViewModel.Mode.EXPLORE, vm.modeProperty().get());
            CurvesViewModel.Series acc = vm.curves().series(CurvesViewModel.ACCURACY);
            assertEquals(4, acc.size(), "one held-out point per epoch");
            assertEquals(r.steps(), vm.curves().series(CurvesViewModel.TRAIN_LOSS).size());
            double best = 0;
            for (double a : acc.y(0)) best = Math.max(best, a);
            var res = vm.results().results();
            assertEquals(r.heldOut().accuracy(), res.accuracy(), 0.0, "the run's kept weights, evaluated again");
            assertEquals(best, res.accuracy(), 0.0);
            assertEquals(splits.heldOut().count(), res.count());
            assertEquals(List.of("across", "down"), res.classNames());
            assertEquals(r.bestEpoch(), res.epoch());
            var snap = vm.vision().snapshot();
            assertEquals(r.bestEpoch(), snap.epoch());
            assertEquals(8, snap.probeIndices().length);
            assertEquals(8, vm.vision().imageHeight());
            assertTrue(vm.vision().probeNames().size() == 8);
            String settings = vm.exploredSettingsProperty().get();
            assertTrue(settings.contains("model: height 8, width 8, channels 1, classes 2, patch 2, dims [8]"), settings);
            assertTrue(settings.contains("vision_training: epochs 4, batch 8"), settings);
            assertTrue(settings.contains("data: kind folder, path " + images), settings);
        }
    }
}
