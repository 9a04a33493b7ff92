package dev.mambamixer.engine.introspect;

import dev.mambamixer.engine.backend.CpuBackend;
import dev.mambamixer.engine.data.ForecastData;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.model.Tsm2Config;
import dev.mambamixer.engine.train.TrainConfig;
import dev.mambamixer.engine.train.Trainer;
import dev.mambamixer.engine.train.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Overhead of {@link SnapshotRecorder} (+ {@link EventLog}) on CPU training (a main class, not a
 * test): TSM2 d_model 32, 2 layers, T=96, H=24, batch 32 on sample-data/synthetic.csv, for
 * {@code steps} optimiser steps (2 epochs of steps/2, so one mid-run validation in both arms),
 * without (A) and with (B) a snapshot every {@code every} steps on 8 validation windows, A/B
 * alternated {@code reps} times after one warm-up run. Reports the training-loop wall time (to the
 * last step event, excluding the final validation), medians and the overhead; and the process
 * CPU time of each arm (all threads: trainer, BLAS, snapshot writer, GC), which a busy machine
 * disturbs far less than wall time. Run e.g.
 * <pre>
 * mvn -q -o test-compile -pl engine
 * mvn -q -o dependency:build-classpath -pl engine -Dmdep.outputFile=cp.txt
 * java --add-modules jdk.incubator.vector -cp engine/target/classes:engine/target/test-classes:$(cat engine/cp.txt) \
 *      dev.mambamixer.engine.introspect.SnapshotOverheadBench [steps=200] [every=50] [reps=3]
 * </pre>
 */
public final class SnapshotOverheadBench {

    public static void main(String[] args) throws Exception {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int every = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Path csv = Paths.get("sample-data", "synthetic.csv");
        if (!Files.exists(csv)) csv = Paths.get("..", "sample-data", "synthetic.csv");
        ForecastData data = ForecastData.load(csv, 96, 24);
        System.out.printf(Locale.ROOT, "data %s: %d train windows; steps %d, snapshot every %d, reps %d, cores %d%n",
                          csv, data.train().size(), steps, every, reps, Runtime.getRuntime().availableProcessors());
        run(data, Math.max(2, steps / 4), false, every);   // warm-up (JIT, BLAS)
        double[] a = new double[reps], b = new double[reps], ca = new double[reps], cb = new double[reps];
        for (int r = 0; r < reps; r++) {
            double c0 = cpuSeconds();
            a[r] = run(data, steps, false, every);
            double c1 = cpuSeconds();
            b[r] = run(data, steps, true, every);
            double c2 = cpuSeconds();
            ca[r] = c1 - c0;
            cb[r] = c2 - c1;
            System.out.printf(Locale.ROOT, "rep %d: without %.2f s (CPU %.2f s), with %.2f s (CPU %.2f s)%n", r + 1, a[r],
                              ca[r], b[r], cb[r]);
        }
        double ma = median(a), mb = median(b);
        System.out.printf(Locale.ROOT, "median wall without %.2f s, with %.2f s, overhead %+.2f %%%n", ma, mb,
                          100 * (mb - ma) / ma);
        double cost = median(snapshotCost.stream().mapToDouble(Double::doubleValue).toArray());
        System.out.printf(Locale.ROOT, "snapshot work (training-thread capture + writer CPU), median %.3f s = %.2f %% of "
                          + "the median training time without snapshots (upper bound of the slowdown when the writer "
                          + "competes with training for every core)%n", cost, 100 * cost / ma);
        double mca = median(ca), mcb = median(cb);
        System.out.printf(Locale.ROOT, "median CPU  without %.2f s, with %.2f s, overhead %+.2f %%%n", mca, mcb,
                          100 * (mcb - mca) / mca);
    }

    /** Per B run: capture seconds on the training thread + writer CPU seconds. */
    static final java.util.List<Double> snapshotCost = new java.util.ArrayList<>();

    /** Training-loop seconds for one fresh model (same seed every time). */
    static double run(ForecastData data, int steps, boolean snapshots, int every) throws Exception {
        Tsm2 model = new Tsm2(new CpuBackend(), Tsm2Config.defaults(96, 24, data.variates()).withModel(32, 2));
        TrainConfig tc = new TrainConfig(2, 32, 1e-3, 0.01, 1.0, "cosine", 20, 0.01, 10, 42L, steps / 2, 128);
        double[] lastWall = {0};
        TrainingListener timer = new TrainingListener() {
            @Override public void onStep(StepEvent e) { lastWall[0] = e.wallSeconds(); }
        };
        if (!snapshots) {
            new Trainer(model, tc, timer).fit(data.train(), data.val());
            return lastWall[0];
        }
        Path dir = Files.createTempDirectory("snapshot-bench");
        try {
            EventLog log = new EventLog(dir);
            SnapshotRecorder rec = SnapshotRecorder.of(model, data.val(), SnapshotRecorder.spreadWindows(data.val(), 8),
                                                       every, dir, log);
            new Trainer(model, tc, new TrainingListener() {
                @Override public void onStep(StepEvent e) { rec.onStep(e); log.onStep(e); timer.onStep(e); }
                @Override public void onEpoch(EpochEvent e) { log.onEpoch(e); }
                @Override public void onFinish(String reason) { rec.onFinish(reason); log.onFinish(reason); }
            }).fit(data.train(), data.val());
            rec.close();
            log.close();
            RunHistory h = RunHistory.read(dir);
            System.out.printf(Locale.ROOT, "  %d snapshots (%.3f s on the training thread, writer CPU %.3f s), %d step "
                              + "events logged%n", h.snapshots().size(), rec.captureSeconds(), rec.writerCpuSeconds(),
                              h.steps().size());
            snapshotCost.add(rec.captureSeconds() + rec.writerCpuSeconds());
            return lastWall[0];
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** CPU time of the whole process (every thread), seconds. */
    static double cpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                    .getOperatingSystemMXBean()).getProcessCpuTime() * 1e-9;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
