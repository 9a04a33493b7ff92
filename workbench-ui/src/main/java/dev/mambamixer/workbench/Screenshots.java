package dev.mambamixer.workbench;

import dev.mambamixer.workbench.session.SessionState;
import dev.mambamixer.workbench.view.MainView;
import dev.mambamixer.workbench.vm.ConfigViewModel;
import dev.mambamixer.workbench.vm.WorkbenchViewModel;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javafx.application.Platform;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.control.Tab;
import javafx.scene.image.WritableImage;
import javafx.stage.Stage;
import javax.imageio.ImageIO;

/**
 * The screenshot command ({@code --screenshots DIR}): trains TSM2 briefly on the sample data and
 * the teaching model on selective copying, both driven through the view model like a user would,
 * and saves the window with each view selected as PNG. Progress goes to stdout.
 */
final class Screenshots {
    private Screenshots() {}

    static void run(WorkbenchViewModel vm, MainView view, Stage stage, Path dir) {
        int code = 0;
        try {
            Files.createDirectories(dir);
            String only = System.getProperty(ONLY_PROPERTY, "all");
            if (only.equals("all") || only.equals("tsm2")) sequenceModels(vm, view, stage, dir);
            if (only.equals("all") || only.equals("vision")) vision(vm, view, stage, dir);
            if (only.equals("sweep")) sweep(view, dir, Path.of(System.getProperty(SWEEP_PROPERTY, "")));
            if (only.equals("explore")) explore(vm, view, stage, dir, Path.of(System.getProperty(RUN_PROPERTY, "")));
            say("screenshots written to " + dir);
        } catch (Throwable t) {
            t.printStackTrace();
            code = 1;
        } finally {
            int exit = code;
            Platform.runLater(() -> {
                vm.close();
                Platform.exit();
                System.exit(exit);
            });
        }
    }

    /**
     * System property: which screenshots to take, "all" (default), "tsm2" (TSM2 and teaching),
     * "vision" (ViM2), "explore" (a finished ViM2 run folder, {@value #RUN_PROPERTY}, opened again) or
     * "sweep" (the sweep view of the sweep folder {@value #SWEEP_PROPERTY}).
     */
    static final String ONLY_PROPERTY = "mambamixer.screenshots";
    static final String RUN_PROPERTY = "mambamixer.screenshots.run";
    static final String SWEEP_PROPERTY = "mambamixer.screenshots.sweep";

    /**
     * The sweep view (File → Open sweep…) of a sweep folder: the best run of each of the first two
     * settings and the worst of the first selected, overlaid; sweep.png at 1440×900 and
     * sweep-1280x720.png. With the validation axis brushed to its lowest quarter too: sweep-brushed.png.
     */
    private static void sweep(MainView view, Path dir, Path sweepDir) throws Exception {
        say("opening the sweep " + sweepDir + " ...");
        Stage st = fx(() -> view.showSweep(sweepDir));
        fx(() -> {
            st.setWidth(1440);
            st.setHeight(900);
            return null;
        });
        var sv = dev.mambamixer.workbench.view.SweepShots.of(st);
        await("the sweep's rows", 120, () -> sv.rows() > 0);
        fx(() -> {
            sv.selectForScreenshot();
            return null;
        });
        await("the selected runs' curves", 120, sv::curvesShown);
        Thread.sleep(1500);
        shootStage(st, dir.resolve("sweep.png"));
        fx(() -> {
            sv.brushBestRuns();
            return null;
        });
        Thread.sleep(1500);
        shootStage(st, dir.resolve("sweep-brushed.png"));
        fx(() -> {
            sv.clearBrushes();
            st.setWidth(1280);
            st.setHeight(720);
            return null;
        });
        Thread.sleep(2000);
        shootStage(st, dir.resolve("sweep-1280x720.png"));
        fx(() -> {
            st.close();
            return null;
        });
    }

    private static void shootStage(Stage st, Path file) throws Exception {
        WritableImage img = fx(() -> st.getScene().snapshot(null));
        BufferedImage bi = SwingFXUtils.fromFXImage(img, null);
        BufferedImage rgb = new BufferedImage(bi.getWidth(), bi.getHeight(), BufferedImage.TYPE_INT_RGB);
        rgb.getGraphics().drawImage(bi, 0, 0, null);
        ImageIO.write(rgb, "png", file.toFile());
        say("  " + file.getFileName() + " (" + Files.size(file) / 1024 + " KB)");
    }

    /** A finished ViM2 run folder opened with File → Open run folder: curves, Vision and Results ("vision-explore-*"). */
    private static void explore(WorkbenchViewModel vm, MainView view, Stage stage, Path dir, Path runDir) throws Exception {
        say("opening " + runDir + " ...");
        fx(() -> vm.explore(runDir)).get(120, TimeUnit.SECONDS);
        await("the kept weights evaluated", 600, () -> vm.results().hasResults() && vm.vision().hasCapture());
        Thread.sleep(1000);
        shootVisionViews(view, stage, vm, dir, "vision-explore");
    }

    /**
     * ViM2 on MNIST, one epoch (the MNIST preset), then the curves, the Vision view (implicit
     * attention and Δ) and the Results view, at the window size and again at 1280×720.
     */
    private static void vision(WorkbenchViewModel vm, MainView view, Stage stage, Path dir) throws Exception {
        fx(() -> {
            vm.reset();
            ConfigViewModel c = vm.config();
            c.applyPreset(c.presets().stream().filter(p -> p.model() == dev.mambamixer.workbench.session.RunSettings.ModelKind.VISION)
                              .findFirst().orElseThrow());
            if (System.getProperty("mambamixer.screenshots.data", "mnist").equals("digits"))   // a quick look while iterating
                c.dataProperty().set(c.dataChoices().stream().filter(d -> d.kind() == ConfigViewModel.DataChoice.Kind.DIGITS)
                                          .findFirst().orElseThrow());
            return null;
        });
        say("training ViM2 on MNIST for one epoch ...");
        fx(vm::start);
        await("the ViM2 run to finish", 1200, () -> vm.run().stateProperty().get() == SessionState.FINISHED
                                                   || vm.run().stateProperty().get() == SessionState.FAILED);
        if (fx(() -> vm.run().stateProperty().get()) == SessionState.FAILED) throw new IllegalStateException("the ViM2 run failed");
        Thread.sleep(1000);
        shootVisionViews(view, stage, vm, dir, "vision");
    }

    /** Curves, Vision (attention, then Δ) and Results as PREFIX-*.png, at the window size and again at 1280×720. */
    private static void shootVisionViews(MainView view, Stage stage, WorkbenchViewModel vm, Path dir, String prefix) throws Exception {
        int visionTab = fx(() -> view.tabs().getTabs().indexOf(view.tabs().getTabs().stream()
                .filter(t -> t.getText().equals("Vision")).findFirst().orElseThrow()));
        int resultsTab = visionTab + 1;
        for (String size : new String[] {"", "1280x720"}) {
            if (!size.isEmpty()) {
                fx(() -> {
                    stage.setWidth(1280);
                    stage.setHeight(720);
                    return null;
                });
                Thread.sleep(800);
            }
            String suffix = size.isEmpty() ? "" : "-" + size;
            shoot(view, stage, 0, dir.resolve(prefix + "-curves" + suffix + ".png"));
            fx(() -> {
                vm.vision().overlayProperty().set(dev.mambamixer.workbench.vm.VisionViewModel.Overlay.ATTENTION);
                vm.vision().probeProperty().set(2);
                vm.vision().setQuery(2, 4);
                return null;
            });
            shoot(view, stage, visionTab, dir.resolve(prefix + "-attention" + suffix + ".png"));
            fx(() -> {
                vm.vision().overlayProperty().set(dev.mambamixer.workbench.vm.VisionViewModel.Overlay.DELTA);
                return null;
            });
            shoot(view, stage, visionTab, dir.resolve(prefix + "-delta" + suffix + ".png"));
            shoot(view, stage, resultsTab, dir.resolve(prefix + "-results" + suffix + ".png"));
        }
    }

    /** TSM2 on the sample data, then the teaching model on selective copying. */
    private static void sequenceModels(WorkbenchViewModel vm, MainView view, Stage stage, Path dir) throws Exception {
        {
            // 1. TSM2 on the sample data: the quick preset, ~250 steps (5 validations, 10 snapshots)
            fx(() -> {
                ConfigViewModel c = vm.config();
                c.applyPreset(c.presets().get(0));
                c.field("epochs").set(1);
                return null;
            });
            say("training TSM2 on the sample data ...");
            fx(vm::start);
            await("250 steps", 600, () -> vm.curves().series("train loss") != null
                                           && vm.curves().series("train loss").size() >= 250);
            fx(() -> { vm.stop(); return null; });
            await("the run to finish", 300, () -> vm.run().stateProperty().get() == SessionState.FINISHED);
            Thread.sleep(800);
            String[] names = {"curves", "token-selection", "channel-selection", "implicit-attention", "weighted-averaging",
                              "forecast", "diagnostics"};
            for (int i = 0; i < names.length; i++) shoot(view, stage, i, dir.resolve(names[i] + ".png"));

            // 2. the teaching model on selective copying: marks on the token-selection heatmap
            fx(() -> {
                vm.reset();
                ConfigViewModel c = vm.config();
                c.applyPreset(c.presets().stream().filter(p -> p.name().startsWith("Selective")).findFirst().orElseThrow());
                c.field("steps").set(1250);   // the preset reaches 100 % held-out accuracy by about here
                return null;
            });
            say("training the teaching model on selective copying ...");
            fx(vm::start);
            await("the teaching run to finish", 600, () -> vm.run().stateProperty().get() == SessionState.FINISHED);
            Thread.sleep(800);
            shoot(view, stage, 0, dir.resolve("teaching-curves.png"));
            fx(() -> { vm.selection().layerProperty().set(1); return null; });   // the mixer where Δ selects
            Thread.sleep(800);
            shoot(view, stage, 1, dir.resolve("teaching-token-selection.png"));
            shoot(view, stage, 3, dir.resolve("teaching-implicit-attention.png"));
            shoot(view, stage, 4, dir.resolve("teaching-weighted-averaging.png"));

            // 3. the runs table (File -> Runs...) over the two run folders just written; the teaching
            // run named as a user would name it there
            for (dev.mambamixer.workbench.session.RunSummary r : dev.mambamixer.workbench.session.RunSummary.list(vm.session().runsDir()))
                if (r.kind().equals("teaching")) dev.mambamixer.engine.io.RunFolder.writeLabel(r.dir(), "selective copy: 1,250 steps to 100 %");
            Stage runs = fx(view::showRuns);
            Thread.sleep(1500);   // the folders are read off the FX thread
            WritableImage img = fx(() -> runs.getScene().snapshot(null));
            ImageIO.write(SwingFXUtils.fromFXImage(img, null), "png", dir.resolve("runs-table.png").toFile());
            say("  runs-table.png");
            fx(() -> { runs.close(); return null; });
        }
    }

    private static void shoot(MainView view, Stage stage, int tab, Path file) throws Exception {
        fx(() -> {
            Tab t = view.tabs().getTabs().get(tab);
            view.tabs().getSelectionModel().select(t);
            return null;
        });
        Thread.sleep(700);   // let the coalesced redraw and one pulse happen
        WritableImage img = fx(() -> stage.getScene().snapshot(null));
        BufferedImage bi = SwingFXUtils.fromFXImage(img, null);
        // opaque RGB keeps the PNGs small
        BufferedImage rgb = new BufferedImage(bi.getWidth(), bi.getHeight(), BufferedImage.TYPE_INT_RGB);
        rgb.getGraphics().drawImage(bi, 0, 0, null);
        ImageIO.write(rgb, "png", file.toFile());
        say("  " + file.getFileName() + " (" + Files.size(file) / 1024 + " KB)");
    }

    static <T> T fx(Supplier<T> s) throws Exception {
        return dev.mambamixer.workbench.session.FxCall.call(s, 60);
    }

    private static void await(String what, int seconds, BooleanSupplier cond) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            if (fx(cond::getAsBoolean)) return;
            Thread.sleep(200);
        }
        throw new IllegalStateException("timed out waiting for " + what);
    }

    private static void say(String s) { System.out.println(s); }
}
