package dev.mambamixer.charts;

import dev.mambamixer.engine.introspect.ScanQuantity;
import dev.mambamixer.engine.backend.Backends;
import dev.mambamixer.engine.data.ForecastData;
import dev.mambamixer.engine.data.SplitRule;
import dev.mambamixer.engine.data.teaching.SelectiveCopying;
import dev.mambamixer.engine.introspect.EventLog;
import dev.mambamixer.engine.introspect.ForecastWindow;
import dev.mambamixer.engine.introspect.Introspector;
import dev.mambamixer.engine.introspect.SequenceCapture;
import dev.mambamixer.engine.introspect.MixerCapture;
import dev.mambamixer.engine.introspect.ModelCapture;
import dev.mambamixer.engine.introspect.RunHistory;
import dev.mambamixer.engine.introspect.SnapshotRecorder;
import dev.mambamixer.engine.model.SequenceModel;
import dev.mambamixer.engine.model.SequenceModelConfig;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.model.Tsm2Config;
import dev.mambamixer.engine.introspect.SelectionProbe;
import dev.mambamixer.engine.train.SequenceTrainer;
import dev.mambamixer.engine.train.TeachConfig;
import dev.mambamixer.engine.train.TrainConfig;
import dev.mambamixer.engine.train.TrainControl;
import dev.mambamixer.engine.train.Trainer;
import dev.mambamixer.engine.train.TrainingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.JFreeChart;

/**
 * Renders every chart of this package to PNG (+ CSV) from a real short run: trains a small TSM2
 * on a benchmark-format CSV (default sample-data/synthetic.csv) with snapshots, then a small
 * selective-copying model, and draws the curves, captures and averaging weights.
 *
 * <pre>
 * java -cp ... dev.mambamixer.charts.Gallery OUT_DIR [DATA_CSV] [STEPS]
 * mvn -o -Dptx.skip=true -pl charts -am test -Dtest=GalleryTest -Dsurefire.failIfNoSpecifiedTests=false -Dgallery.dir=OUT_DIR
 * </pre>
 */
public final class Gallery {
    private Gallery() {}

    public static final int WIDTH = 800, HEIGHT = 500;

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: Gallery OUT_DIR [DATA_CSV] [STEPS]");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        Path data = args.length > 1 ? Path.of(args[1]) : findSample();
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 120;
        List<Path> written = render(out, data, steps);
        System.out.println("wrote " + written.size() + " charts to " + out.toAbsolutePath());
    }

    /** sample-data/synthetic.csv from the repository root or the charts module folder. */
    static Path findSample() {
        for (Path p : List.of(Path.of("sample-data/synthetic.csv"), Path.of("../sample-data/synthetic.csv")))
            if (Files.exists(p)) return p;
        throw new IllegalStateException("sample-data/synthetic.csv not found; pass the CSV path");
    }

    /** Trains, captures and writes every chart; returns the PNG paths. */
    public static List<Path> render(Path out, Path csv, int steps) throws IOException {
        Files.createDirectories(out);
        List<Path> written = new ArrayList<>();
        long t0 = System.nanoTime();

        // ---- a short TSM2 run with an event log and snapshots (as the workbench records it)
        Tsm2Config cfg = Tsm2Config.defaults(96, 24, 7).withModel(16, 2);
        ForecastData data = ForecastData.load(csv, cfg.seqLen(), cfg.horizon(), SplitRule.RATIO);
        cfg = Tsm2Config.defaults(96, 24, data.variates()).withModel(16, 2);
        Tsm2 model = new Tsm2(Backends.create("cpu"), cfg);
        int epochs = 3, perEpoch = Math.max(1, steps / epochs), every = Math.max(1, steps / 8);
        TrainConfig tc = new TrainConfig(epochs, 32, 3e-3, 0.01, 1.0, "cosine", Math.max(1, steps / 10), 0.05, 10, 11L,
                                         perEpoch, 256, Math.max(1, perEpoch / 3));
        Path runDir = out.resolve("run");
        deleteRecursively(runDir);
        Files.createDirectories(runDir);
        int[] probe = SnapshotRecorder.spreadWindows(data.val(), 4);
        try (EventLog log = new EventLog(runDir)) {
            SnapshotRecorder rec = SnapshotRecorder.of(model, data.val(), probe, every, runDir, log);
            TrainControl control = new TrainControl();
            control.setUpdateRatioEvery(Math.max(1, steps / 30));
            Trainer tr = new Trainer(model, tc, new TrainingListener() {
                @Override public void onStep(StepEvent e) {
                    rec.onStep(e);
                    log.onStep(e);
                    if (e.step() % 10 == 0)
                        System.out.printf("gallery: step %d/%d loss %.4f%n", e.step(), epochs * perEpoch, e.loss());
                }
                @Override public void onEpoch(EpochEvent e) { log.onEpoch(e); }
                @Override public void onUpdateRatios(UpdateRatioEvent e) { log.onUpdateRatios(e); }
                @Override public void onFinish(String reason) {
                    rec.onFinish(reason);
                    log.onFinish(reason);
                }
            }, control);
            tr.fit(data.train(), data.val());
            rec.close();
        }
        System.out.printf("gallery: trained in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        RunHistory run = RunHistory.read(runDir);
        ModelCapture cap = run.capture(run.snapshots().size() - 1);
        List<ModelCapture> caps = new ArrayList<>();
        for (int i = 0; i < run.snapshots().size(); i++) caps.add(run.capture(i));

        // ---- curves
        CurveChart curves = CurveChart.training(run, false, 0.6);
        written.add(save(curves.chart(), out, "training-curves"));
        curves.setLogScale(true);
        written.add(save(curves.chart(), out, "training-curves-log"));
        written.add(save(CurveChart.training(run, true, 0.6).chart(), out, "training-curves-wall"));
        double[] x = run.steps().stream().mapToDouble(s -> s.step()).toArray();
        double[] lr = run.steps().stream().mapToDouble(s -> s.lr()).toArray();
        written.add(save(CurveChart.learningRate(x, lr, "step"), out, "learning-rate"));

        // ---- forecast of probe window 1, last variate (OT): from the capture, and as stored in the snapshot
        int b = 1, v = cfg.variates() - 1;
        written.add(save(ForecastChart.of(cap, b, v, data.val().target(probe[b]), data.columns().get(v), probe[b]), out,
                         "forecast"));
        List<ForecastWindow> stored = run.forecastsAt(cap.step());
        if (!stored.isEmpty()) written.add(save(ForecastChart.of(stored.get(b), v), out, "forecast-window"));

        // ---- selection
        MixerCapture time0 = cap.mixer("blocks.0.time"), var0 = cap.mixer("blocks.0.variate");
        int seq = time0.seq(b, v);
        for (ScanQuantity q : ScanQuantity.values())
            written.add(save(SelectionCharts.scan(time0, "forward", seq, q).chart(), out,
                             "scan-" + q.name().toLowerCase().replace('_', '-')));
        written.add(save(SelectionCharts.scan(var0, "backward", var0.seq(b, 2), ScanQuantity.DELTA).chart(),
                         out, "scan-delta-variate-backward"));
        written.add(save(SelectionCharts.channelSelection(var0, null, b, data.columns()).chart(), out, "channel-selection"));
        written.add(save(SelectionCharts.meanAbsAttention(var0, var0.seq(b, 2)).chart(), out, "attention-variate-mean"));
        written.add(save(SelectionCharts.meanAbsAttention(time0, seq).chart(), out, "attention-time-mean"));
        written.add(save(SelectionCharts.attention(time0, "forward", seq, 0).chart(), out, "attention-time-channel0"));

        // ---- averaging
        written.add(save(AveragingChart.matrix(cap.averaging(), cap.step()).chart(), out, "averaging-matrix"));
        written.add(save(AveragingChart.drift(run.averagingHistory()), out, "averaging-drift"));

        // ---- diagnostics
        written.add(save(DiagnosticsCharts.deltaBands(caps, true), out, "delta-bands"));
        written.add(save(DiagnosticsCharts.updateRatios(run.updateRatios()), out, "update-ratios"));

        // ---- a teaching task: selective copying, briefly trained
        written.addAll(selectiveCopy(out, Math.max(600, 2 * steps)));
        System.out.printf("gallery: %d charts in %.1f s%n", written.size(), (System.nanoTime() - t0) / 1e9);
        return written;
    }

    /** Trains the teaching model briefly and draws where Δ selects (profile, one example's Δ and attention). */
    static List<Path> selectiveCopy(Path out, int steps) throws IOException {
        long t0 = System.nanoTime();
        SelectiveCopying task = new SelectiveCopying(32, 10, 4);
        SequenceModelConfig mc = SequenceModelConfig.defaults(task.vocab(), task.length()).withModel(16, 1, 8);
        SequenceModel model = new SequenceModel(Backends.create("cpu"), mc);
        TeachConfig tc = new TeachConfig(steps, 32, 3e-3, steps / 10, 0.05, 0.01, 1.0, 7L, 64, steps, 2.0);
        SequenceTrainer tr = new SequenceTrainer(model, task, tc, null);
        SequenceTrainer.Result res = tr.run();
        System.out.printf("gallery: selective copying %d steps in %.1f s, accuracy %.2f%n", res.steps(),
                          (System.nanoTime() - t0) / 1e9, res.heldOut().accuracy());
        String what = "selective copying, " + res.steps() + " steps, accuracy "
                      + String.format(java.util.Locale.ROOT, "%.2f", res.heldOut().accuracy());
        List<Path> written = new ArrayList<>();
        SelectionProbe.Profile p = SelectionProbe.delta(model, tr.heldOut(), 0, 32);
        Heatmap h = SelectionCharts.selectionProfile(p, tr.heldOut(), 12);
        h.chart().setTitle("Where Δ selects — " + what);
        h.restyle();
        written.add(save(h.chart(), out, "selection-profile"));
        SequenceCapture cap = Introspector.capture(model, tr.heldOut().subList(0, 4), res.steps());
        written.add(save(SelectionCharts.teaching(cap, 0, 0, ScanQuantity.DELTA).chart(), out, "teaching-delta"));
        written.add(save(SelectionCharts.teachingAttention(cap, 0, 0).chart(), out, "teaching-attention"));
        return written;
    }

    private static Path save(JFreeChart chart, Path out, String name) throws IOException {
        Path png = out.resolve(name + ".png");
        ChartImages.writePng(chart, WIDTH, HEIGHT, png);
        ChartImages.writeCsv(chart, out.resolve(name + ".csv"));
        System.out.println("gallery: " + png);
        return png;
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
