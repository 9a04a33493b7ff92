package dev.mambamixer.workbench;

import dev.mambamixer.workbench.view.MainView;
import dev.mambamixer.workbench.vm.WorkbenchViewModel;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;

/**
 * The JavaFX application: builds the root view model (which owns the training session) and the
 * main view. Started through {@link Launcher}, which is not an Application subclass so that the
 * app also runs with JavaFX on the class path.
 */
public final class WorkbenchApp extends Application {
    /** System property: the window's size as WIDTHxHEIGHT (default 1440x900 or the screen's usable area if smaller), e.g. 1280x720. */
    public static final String WINDOW_PROPERTY = "mambamixer.window";

    private WorkbenchViewModel vm;

    static int[] windowSize(String spec) {
        String[] p = spec.trim().toLowerCase(java.util.Locale.ROOT).split("x");
        try {
            if (p.length == 2) {
                int w = Integer.parseInt(p[0].trim()), h = Integer.parseInt(p[1].trim());
                if (w >= 320 && h >= 240) return new int[] {w, h};
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("-D" + WINDOW_PROPERTY + "=" + spec + ": expected WIDTHxHEIGHT, at least 320x240");
    }

    /** 1440×900, or the screen's usable area where that is smaller (a 1280×720 laptop keeps menu and status bar in view). */
    static int[] fitToScreen(double screenWidth, double screenHeight) {
        return new int[] {(int) Math.max(320, Math.min(1440, Math.floor(screenWidth))),
                          (int) Math.max(240, Math.min(900, Math.floor(screenHeight)))};
    }

    @Override public void start(Stage stage) {
        vm = new WorkbenchViewModel(Paths.sampleData(), Paths.runsDir(), Platform::runLater);
        MainView view = new MainView(vm);
        String asked = System.getProperty(WINDOW_PROPERTY);
        javafx.geometry.Rectangle2D screen = javafx.stage.Screen.getPrimary().getVisualBounds();
        int[] size = asked != null ? windowSize(asked) : fitToScreen(screen.getWidth(), screen.getHeight());
        Scene scene = new Scene(view.root(), size[0], size[1]);
        scene.getStylesheets().add(WorkbenchApp.class.getResource("workbench.css").toExternalForm());
        stage.setTitle("MambaMixer Workbench");
        stage.setScene(scene);
        stage.show();
        Launcher.afterStart(vm, view, stage);
    }

    @Override public void stop() {
        if (vm != null) vm.close();
    }
}
