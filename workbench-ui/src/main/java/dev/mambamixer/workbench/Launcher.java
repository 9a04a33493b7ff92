package dev.mambamixer.workbench;

import dev.mambamixer.workbench.view.MainView;
import dev.mambamixer.workbench.vm.WorkbenchViewModel;
import java.nio.file.Path;
import java.util.Locale;
import javafx.application.Application;
import javafx.stage.Stage;

/**
 * Entry point (not an {@link Application} subclass, so JavaFX may sit on the class path).
 *
 * <pre>
 *   --start               start training at once with the default (quick) settings
 *   --sample FILE         the sample CSV (default: sample-data/synthetic.csv found upwards)
 *   --runs DIR            where run folders go (default: runs/ in the repository)
 *   --sweep DIR           open a sweep folder (finished or running) in the sweep view at start
 *   --screenshots DIR     headless: train briefly, save every view as PNG into DIR, exit
 * </pre>
 */
public final class Launcher {
    private static volatile Path screenshots;
    private static volatile boolean autoStart;
    private static volatile Path sweep;

    private Launcher() {}

    public static void main(String[] args) {
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--start" -> autoStart = true;
                case "--sample" -> System.setProperty("workbench.sample", value(args, ++i));
                case "--runs" -> System.setProperty("workbench.runs", value(args, ++i));
                case "--sweep" -> sweep = Path.of(value(args, ++i)).toAbsolutePath();
                case "--screenshots" -> screenshots = Path.of(value(args, ++i)).toAbsolutePath();
                case "-h", "--help" -> {
                    System.out.println("usage: run-workbench.sh [--start] [--sample FILE] [--runs DIR] [--sweep DIR] [--screenshots DIR]");
                    return;
                }
                default -> {
                    System.err.println("unknown argument: " + args[i] + " (see --help)");
                    System.exit(2);
                }
            }
        }
        if (screenshots != null) headless();
        else if (!hasDisplay()) {
            System.err.println("""
                The workbench is a desktop app and found no display (DISPLAY / WAYLAND_DISPLAY are not set).
                  - on a desktop: run scripts/run-workbench.sh in a terminal of that desktop
                  - over SSH: ssh -X (X forwarding), or a virtual display: xvfb-run -s '-screen 0 1600x1000x24' scripts/run-workbench.sh
                  - without any display: scripts/screenshots.sh renders every view of a short run to docs/screenshots/
                  - the CLI needs no display: bin/mambamixer train --help""");
            System.exit(3);
        }
        Application.launch(WorkbenchApp.class, new String[0]);
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            System.err.println(args[i - 1] + " needs a value");
            System.exit(2);
        }
        return args[i];
    }

    /** Linux/BSD need an X or Wayland display; macOS and Windows always have one. */
    static boolean hasDisplay() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.contains("mac") || os.contains("win")) return true;
        if ("Monocle".equals(System.getProperty("glass.platform"))) return true;
        return notBlank(System.getenv("DISPLAY")) || notBlank(System.getenv("WAYLAND_DISPLAY"));
    }

    private static boolean notBlank(String s) { return s != null && !s.isBlank(); }

    /** Software rendering on Monocle's headless screen (the same settings as the UI tests). */
    static void headless() {
        System.setProperty("glass.platform", "Monocle");
        System.setProperty("monocle.platform", "Headless");
        System.setProperty("prism.order", "sw");
        System.setProperty("java.awt.headless", "true");
        System.setProperty("headless.geometry", "1600x1000-32");
    }

    /** Called by {@link WorkbenchApp} once the window shows. */
    static void afterStart(WorkbenchViewModel vm, MainView view, Stage stage) {
        if (screenshots != null) {
            view.setDialogs(false);
            Thread t = new Thread(() -> Screenshots.run(vm, view, stage, screenshots), "screenshots");
            t.setDaemon(true);
            t.start();
        } else {
            if (sweep != null) view.showSweep(sweep);
            if (autoStart) vm.start();
        }
    }
}
