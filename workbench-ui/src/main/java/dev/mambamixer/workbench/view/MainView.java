package dev.mambamixer.workbench.view;

import dev.mambamixer.charts.ChartImages;
import dev.mambamixer.workbench.vm.SnapshotTimelineViewModel;
import dev.mambamixer.workbench.vm.WorkbenchViewModel;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javafx.application.Platform;
import javafx.scene.Parent;
import javafx.scene.control.Alert;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TextArea;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;
import javafx.stage.Window;
import org.jfree.chart.JFreeChart;

/**
 * The window: menu bar, configuration and run controls on the left, one tab per view in the
 * centre, status bar at the bottom. Errors from the view model become modal dialogs.
 */
public final class MainView {
    private final WorkbenchViewModel vm;
    private final BorderPane root = new BorderPane();
    private final TabPane tabs = new TabPane();
    final CurvesTab curves;
    final TokenSelectionTab token;
    final ChannelSelectionTab channel;
    final AttentionTab attention;
    final AveragingTab averaging;
    final ForecastTab forecast;
    final DiagnosticsTab diagnostics;
    final VisionTab vision;
    final ResultsTab results;
    final List<ChartTab> all;
    private final ConfigPanel config;
    private boolean dialogs = true;

    public MainView(WorkbenchViewModel vm) {
        this.vm = vm;
        curves = new CurvesTab(vm.curves(), vm.run());
        token = new TokenSelectionTab(vm.selection());
        channel = new ChannelSelectionTab(vm.selection());
        attention = new AttentionTab(vm.selection());
        averaging = new AveragingTab(vm.averaging());
        forecast = new ForecastTab(vm.forecast());
        diagnostics = new DiagnosticsTab(vm.diagnostics());
        vision = new VisionTab(vm.vision(), vm::captureVision);
        results = new ResultsTab(vm.results());
        all = List.of(curves, token, channel, attention, averaging, forecast, diagnostics, vision, results);
        for (ChartTab t : all) tabs.getTabs().add(t.tab);
        tabs.setId("views");

        config = new ConfigPanel(vm);
        RunControls run = new RunControls(vm);
        // run controls stay in view; the (long) configuration scrolls below them
        ScrollPane scroll = new ScrollPane(config.root);
        scroll.setFitToWidth(true);
        VBox left = new VBox(run.root, explorePanel(), scroll);
        javafx.scene.layout.VBox.setVgrow(scroll, javafx.scene.layout.Priority.ALWAYS);
        left.setPrefWidth(360);
        left.setMinWidth(300);
        root.setLeft(left);
        root.setCenter(tabs);
        root.setBottom(new StatusBar(vm.run()).root);
        root.setTop(menu());
        vm.errorProperty().addListener((o, a, b) -> { if (b != null && dialogs) showError(b); });
        prewarm();
    }

    /**
     * Loads JFreeChart's classes and Java2D's fonts on a background thread, so the first chart
     * drawn on the FX thread does not stall it (the first paint costs a few hundred ms otherwise).
     */
    private static void prewarm() {
        Thread t = new Thread(() -> {
            try {
                dev.mambamixer.charts.CurveChart c = new dev.mambamixer.charts.CurveChart("warm-up", "step", "loss");
                c.append("a", 0, 1);
                c.append("a", 1, 0.5);
                ChartImages.toImage(c.chart(), 320, 200);
                ChartImages.toImage(dev.mambamixer.charts.Heatmap.builder().title("warm-up")
                                            .build(new float[][] {{0, 1}, {1, 0}}).chart(), 200, 200);
            } catch (RuntimeException | LinkageError e) {
                // only an optimisation: the real charts will report real problems
            }
        }, "chart-prewarm");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    /**
     * Selection over time (whenever a run has two or more snapshots, live or opened): a slider
     * over the snapshot steps, play, and "follow newest" while training; in explore mode also the
     * opened run's own settings (the form below holds the next run's).
     */
    private Parent explorePanel() {
        SnapshotTimelineViewModel t = vm.timeline();
        javafx.scene.control.Slider slider = new javafx.scene.control.Slider(0, 1, 0);
        slider.setId("snapshot-slider");
        slider.setBlockIncrement(1);
        slider.setMajorTickUnit(1);
        slider.setMinorTickCount(0);
        slider.setSnapToTicks(true);
        HBox.setHgrow(slider, javafx.scene.layout.Priority.ALWAYS);
        Runnable range = () -> slider.setMax(Math.max(1, t.steps().size() - 1));
        t.steps().addListener((javafx.collections.ListChangeListener<Long>) c -> range.run());
        range.run();
        slider.valueProperty().addListener((o, a, b) -> {
            int i = (int) Math.round(b.doubleValue());
            if (i != t.indexProperty().get() && i < t.steps().size()) t.indexProperty().set(i);
        });
        t.indexProperty().addListener((o, a, b) -> { if (b.intValue() >= 0) slider.setValue(b.intValue()); });
        Label where = new Label();
        where.setId("snapshot-step");
        where.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(
            () -> t.selected() == null ? "" : "step " + t.selected() + " (" + (t.indexProperty().get() + 1) + "/" + t.steps().size() + ")",
            t.indexProperty(), t.steps()));
        javafx.scene.control.ToggleButton play = new javafx.scene.control.ToggleButton("▶");
        play.setId("snapshot-play");
        play.setTooltip(new javafx.scene.control.Tooltip("Step through the snapshots (4 a second)"));
        play.selectedProperty().addListener((o, a, b) -> { if (b && !t.playingProperty().get()) t.play(); else if (!b) t.playingProperty().set(false); });
        t.playingProperty().addListener((o, a, b) -> play.setSelected(b));
        javafx.animation.Timeline ticker = new javafx.animation.Timeline(new javafx.animation.KeyFrame(javafx.util.Duration.millis(250), e -> t.playTick()));
        ticker.setCycleCount(javafx.animation.Animation.INDEFINITE);
        t.playingProperty().addListener((o, a, b) -> { if (b) ticker.play(); else ticker.stop(); });
        javafx.scene.control.CheckBox follow = new javafx.scene.control.CheckBox("follow newest");
        follow.setId("snapshot-follow");
        follow.selectedProperty().bindBidirectional(t.followProperty());
        follow.selectedProperty().addListener((o, a, b) -> { if (b && !t.steps().isEmpty()) t.indexProperty().set(t.steps().size() - 1); });
        follow.visibleProperty().bind(vm.modeProperty().isEqualTo(WorkbenchViewModel.Mode.LIVE));
        follow.managedProperty().bind(follow.visibleProperty());
        HBox top = new HBox(6, new Label("Snapshot"), where, follow);
        top.setStyle("-fx-alignment: center-left;");
        HBox bottom = new HBox(6, play, slider);
        bottom.setStyle("-fx-alignment: center-left;");
        javafx.scene.layout.VBox timeline = new javafx.scene.layout.VBox(2, top, bottom);
        timeline.visibleProperty().bind(javafx.beans.binding.Bindings.size(t.steps()).greaterThan(1));
        timeline.managedProperty().bind(timeline.visibleProperty());

        javafx.scene.control.TextArea settings = new javafx.scene.control.TextArea();   // scrolls: a config has many fields
        settings.setId("explored-settings");
        settings.textProperty().bind(javafx.beans.binding.Bindings.concat("This run's settings (config.json; the form below is "
                                                                         + "for the next run):\n", vm.exploredSettingsProperty()));
        settings.setEditable(false);
        settings.setWrapText(true);
        settings.setPrefRowCount(6);
        settings.setMinHeight(120);   // the form below takes the rest; this must not be squeezed to two lines
        settings.setStyle("-fx-font-size: 11.5px;");
        settings.visibleProperty().bind(vm.modeProperty().isEqualTo(WorkbenchViewModel.Mode.EXPLORE)
                                            .and(vm.exploredSettingsProperty().isNotEmpty()));
        settings.managedProperty().bind(settings.visibleProperty());
        javafx.scene.layout.VBox panel = new javafx.scene.layout.VBox(6, timeline, settings);
        panel.setStyle("-fx-padding: 8 10 0 10;");
        return panel;
    }

    private MenuBar menu() {
        Menu file = new Menu("File");
        file.getItems().addAll(
            item("Open CSV…", () -> chooseFile("Open a benchmark-format CSV", false).ifPresent(vm::openCsv)),
            item("Runs…", this::showRuns),
            item("Open sweep…", () -> chooseDir("Open a sweep folder (with sweep.json)").ifPresent(this::showSweep)),
            item("Open run folder (explore)…", () -> chooseDir("Open a finished run folder").ifPresent(vm::explore)),
            item("Compare with run…", () -> chooseDir("Run folder to compare with").ifPresent(vm::compare)),
            item("Clear comparisons", () -> vm.curves().clearComparisons()),
            item("Save checkpoint…", () -> chooseDir("Folder for the checkpoint (a new subfolder 'checkpoint' is written)")
                    .ifPresent(d -> vm.saveCheckpoint(d.resolve("checkpoint")))),
            item("Load checkpoint…", () -> chooseDir("Checkpoint folder (with checkpoint.json)").ifPresent(vm::loadCheckpoint)),
            item("Quit", Platform::exit));
        Menu export = new Menu("Export");
        export.getItems().addAll(
            item("Current chart as PNG…", () -> exportCurrent(true)),
            item("Current chart data as CSV…", () -> exportCurrent(false)));
        Menu help = new Menu("Help");
        help.getItems().addAll(item("About the views", this::showGuides), item("The model (docs/MODEL.md)", this::showModelDoc),
                               item("Log", this::showLog));
        return new MenuBar(file, export, help);
    }

    private static MenuItem item(String text, Runnable action) {
        MenuItem i = new MenuItem(text);
        i.setOnAction(e -> action.run());
        return i;
    }

    private java.util.Optional<Path> chooseFile(String title, boolean save) {
        FileChooser fc = new FileChooser();
        fc.setTitle(title);
        File f = save ? fc.showSaveDialog(window()) : fc.showOpenDialog(window());
        return java.util.Optional.ofNullable(f).map(File::toPath);
    }

    private java.util.Optional<Path> chooseDir(String title) {
        DirectoryChooser dc = new DirectoryChooser();
        dc.setTitle(title);
        Path runs = vm.session().runsDir();
        if (runs != null && runs.toFile().isDirectory()) dc.setInitialDirectory(runs.toFile());
        return java.util.Optional.ofNullable(dc.showDialog(window())).map(File::toPath);
    }

    private Window window() { return root.getScene() == null ? null : root.getScene().getWindow(); }

    /** Exports the selected tab's main chart (PNG at 1200×750) or the data of all its charts (CSV). */
    private void exportCurrent(boolean png) {
        ChartTab t = selected();
        List<JFreeChart> charts = t.charts();
        if (charts.isEmpty()) {
            showError(new WorkbenchViewModel.ErrorReport("Nothing to export", "The " + t.title() + " view has no chart yet."));
            return;
        }
        FileChooser fc = new FileChooser();
        fc.setTitle(png ? "Export chart as PNG" : "Export chart data as CSV");
        fc.setInitialFileName(t.title().toLowerCase().replace(' ', '-') + (png ? ".png" : ".csv"));
        File f = fc.showSaveDialog(window());
        if (f == null) return;
        try {
            export(t, f.toPath(), png);
        } catch (IOException | RuntimeException e) {
            showError(new WorkbenchViewModel.ErrorReport("Export failed", f + "\n\n" + e.getMessage()));
        }
    }

    static void export(ChartTab t, Path file, boolean png) throws IOException { t.export(file, png); }

    private ChartTab selected() {
        Tab s = tabs.getSelectionModel().getSelectedItem();
        for (ChartTab t : all) if (t.tab == s) return t;
        return all.get(0);
    }

    private void showError(WorkbenchViewModel.ErrorReport r) {
        Alert a = new Alert(Alert.AlertType.ERROR);
        a.setTitle(r.title());
        a.setHeaderText(r.title());
        TextArea text = new TextArea(r.message());
        text.setEditable(false);
        text.setWrapText(true);
        text.setPrefColumnCount(60);
        text.setPrefRowCount(dialogRows(r.message()));
        a.getDialogPane().setContent(text);
        a.getDialogPane().setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);   // the message decides, not a fixed size
        a.setResizable(true);
        if (root.getScene() != null) a.initOwner(root.getScene().getWindow());
        a.show();   // non-blocking: the training keeps updating behind the dialog
    }

    /** Rows a message needs at about 70 characters a line (each line break counts), 3 to 20. */
    static int dialogRows(String message) {
        int rows = 0;
        for (String line : message.split("\n", -1)) rows += 1 + line.length() / 70;
        return Math.max(3, Math.min(20, rows + 1));
    }

    /** The runs table in its own window (it reads the runs directory again each time it opens); FX thread. */
    public javafx.stage.Stage showRuns() {
        javafx.stage.Stage st = new javafx.stage.Stage();
        st.setTitle("Runs in " + vm.session().runsDir());
        RunsTable runs = new RunsTable(vm);
        javafx.geometry.Rectangle2D screen = javafx.stage.Screen.getPrimary().getVisualBounds();
        st.setScene(new javafx.scene.Scene(runs.root, Math.min(1200, screen.getWidth() * 0.95), Math.min(440, screen.getHeight() * 0.8)));
        if (root.getScene() != null) st.initOwner(root.getScene().getWindow());
        st.show();
        runs.table.requestFocus();   // keys move through the rows; the filter shows what it filters by
        return st;
    }

    /**
     * A sweep folder in its own window (SweepView): table, parallel coordinates, overlaid curves;
     * read in the background, polled while the window is open (a running sweep updates). FX thread.
     */
    public javafx.stage.Stage showSweep(Path dir) {
        dev.mambamixer.workbench.vm.SweepViewModel sweep = vm.newSweep();
        SweepView view = new SweepView(sweep, vm::explore);
        javafx.stage.Stage st = new javafx.stage.Stage();
        st.setTitle("Sweep " + dir);
        javafx.geometry.Rectangle2D screen = javafx.stage.Screen.getPrimary().getVisualBounds();
        javafx.scene.Scene scene = new javafx.scene.Scene(view.root, Math.min(1440, screen.getWidth() * 0.95),
                                                          Math.min(900, screen.getHeight() * 0.9));
        if (root.getScene() != null) {
            scene.getStylesheets().addAll(root.getScene().getStylesheets());
            st.initOwner(root.getScene().getWindow());
        }
        st.setScene(scene);
        st.setOnHidden(e -> {
            sweep.close();
            view.dispose();
        });
        st.getProperties().put(SweepView.class, view);
        st.show();
        sweep.open(dir);   // a folder that cannot be read says so in the window's status line
        sweep.startLive(3);
        return st;
    }

    /** The sweep view shown in a window of {@link #showSweep} (tests and screenshots). */
    static SweepView sweepView(javafx.stage.Stage st) { return (SweepView) st.getProperties().get(SweepView.class); }

    /** Every view's guide in one scrollable page. */
    private void showGuides() {
        StringBuilder sb = new StringBuilder();
        for (dev.mambamixer.workbench.vm.ViewGuide g : dev.mambamixer.workbench.vm.ViewGuide.values())
            sb.append(g.view.toUpperCase(java.util.Locale.ROOT)).append('\n').append(g.text()).append("\n\n");
        information("About the views", "What each view shows and what to look for (also under each view's ? button)",
                    sb.toString().strip(), 30);
    }

    /** Where the project's account of the model is (a Markdown file in the repository). */
    private void showModelDoc() {
        Path doc = Path.of("docs", "MODEL.md").toAbsolutePath();
        String text = java.nio.file.Files.isRegularFile(doc)
            ? "The project's own account of the model (the S6 scan, the mixers, weighted averaging, TSM2, ViM2, every design "
              + "decision) is docs/MODEL.md:\n\n" + doc + "\n\nOpen it in any Markdown viewer or on the repository's web page."
            : "docs/MODEL.md is in the project's repository (this workbench runs from " + Path.of("").toAbsolutePath() + ").";
        information("The model", "docs/MODEL.md", text, 8);
    }

    private void information(String title, String header, String text, int rows) {
        Alert a = new Alert(Alert.AlertType.INFORMATION);
        a.setTitle(title);
        a.setHeaderText(header);
        TextArea area = new TextArea(text);
        area.setEditable(false);
        area.setWrapText(true);
        area.setPrefColumnCount(80);
        area.setPrefRowCount(rows);
        a.getDialogPane().setContent(area);
        a.setResizable(true);
        if (root.getScene() != null) a.initOwner(root.getScene().getWindow());
        a.show();
    }

    private void showLog() {
        Alert a = new Alert(Alert.AlertType.INFORMATION);
        a.setTitle("Log");
        a.setHeaderText("Messages of this session");
        ListView<String> list = new ListView<>(vm.log());
        list.setPrefSize(760, 360);
        a.getDialogPane().setContent(list);
        a.show();
    }

    public Parent root() { return root; }
    public TabPane tabs() { return tabs; }
    /** Tests and screenshots: no modal dialogs. */
    public void setDialogs(boolean on) { dialogs = on; }
    List<ChartTab> chartTabs() { return all; }
    ConfigPanel configPanel() { return config; }
}
