package dev.mambamixer.engine.cli;

import dev.mambamixer.engine.run.DataRecord;
import dev.mambamixer.engine.model.Tsm2Defaults;
import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.Backends;
import dev.mambamixer.engine.data.ForecastData;
import dev.mambamixer.engine.introspect.SnapshotRecorder;
import dev.mambamixer.engine.io.Checkpoint;
import dev.mambamixer.engine.io.ConfigJson;
import dev.mambamixer.engine.io.ProgressBar;
import dev.mambamixer.engine.io.RunFolder;
import dev.mambamixer.engine.run.RunOutcome;
import dev.mambamixer.engine.run.Tsm2Run;
import dev.mambamixer.engine.train.HeadStart;
import dev.mambamixer.engine.train.StepDriver;
import dev.mambamixer.engine.model.MemoryEstimate;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.model.Tsm2Config;
import dev.mambamixer.engine.train.Metrics;
import dev.mambamixer.engine.train.TrainConfig;
import dev.mambamixer.engine.train.TrainControl;
import dev.mambamixer.engine.train.TrainResult;
import dev.mambamixer.engine.train.TrainingCheckpoints;
import dev.mambamixer.engine.train.TrainingListener;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
         description = {"Train TSM2 on a benchmark-format CSV and evaluate it on the test split.",
                        "Writes a run folder: config.json, metrics.csv, checkpoints/{best,last}, test-metrics.json, forecast.csv,",
                        "events.jsonl and snapshots/ (captures for the workbench and notebooks: docs/INTROSPECTION.md)."})
final class TrainCommand implements Callable<Integer> {
    @Mixin DataOptions data;
    @ArgGroup(validate = false, heading = "%nModel (docs/MODEL.md §6.3, §9)%n") ModelOptions model = new ModelOptions();

    @Option(names = "--epochs", defaultValue = "" + Tsm2Defaults.EPOCHS, description = "maximum epochs (default: ${DEFAULT-VALUE})") int epochs;
    @Option(names = "--batch", defaultValue = "" + Tsm2Defaults.BATCH, description = "batch size (default: ${DEFAULT-VALUE})") int batch;
    @Option(names = "--lr", defaultValue = "" + Tsm2Defaults.LR, description = "peak learning rate (default: ${DEFAULT-VALUE})") double lr;
    @Option(names = "--weight-decay", defaultValue = "" + Tsm2Defaults.WEIGHT_DECAY, description = "AdamW weight decay (default: ${DEFAULT-VALUE})") double weightDecay;
    @Option(names = "--clip", defaultValue = "" + Tsm2Defaults.CLIP, description = "global gradient-norm clip, 0 = off (default: ${DEFAULT-VALUE})") double clip;
    @Option(names = "--schedule", defaultValue = "cosine", description = "constant or cosine (default: ${DEFAULT-VALUE})") String schedule;
    @Option(names = "--warmup", defaultValue = "" + Tsm2Defaults.WARMUP, description = "warm-up steps (default: ${DEFAULT-VALUE})") int warmup;
    @Option(names = "--patience", defaultValue = "" + Tsm2Defaults.PATIENCE, description = "early-stopping patience in epochs (default: ${DEFAULT-VALUE})") int patience;
    @Option(names = "--seed", defaultValue = "" + Tsm2Defaults.SEED, description = "seed for init, shuffling and dropout (default: ${DEFAULT-VALUE})") long seed;
    @Option(names = "--max-steps-per-epoch", defaultValue = "0", description = "cap steps per epoch, 0 = full epochs (default: ${DEFAULT-VALUE})") int maxSteps;
    @Option(names = "--eval-batch", defaultValue = "128", description = "evaluation batch size (default: ${DEFAULT-VALUE})") int evalBatch;
    @Option(names = "--head-start", defaultValue = Tsm2Defaults.HEAD_START, description = "random or least-squares: least-squares silences the mixers (out_proj = 0) and fits the head to the training windows in closed form before the first step, validated as step 0 (MODEL.md §6.5; default: ${DEFAULT-VALUE})") String headStart;
    @Option(names = "--eval-every", defaultValue = "0", description = "also validate every n steps (patience counts validations); 0 = epoch ends only (default: ${DEFAULT-VALUE})") int evalEvery;
    @Option(names = "--step-driver", defaultValue = "host", description = "host, device or graph: who drives a training step's kernels on the GPU; device and graph are new and not yet checked on a GPU (default: ${DEFAULT-VALUE}; always host on CPU backends)") String stepDriver;
    @Option(names = "--backend", defaultValue = "auto", description = "auto, cpu, cuda or reference (default: ${DEFAULT-VALUE})") String backend;
    @Option(names = "--runs-dir", defaultValue = "runs", description = "where run folders go (default: ${DEFAULT-VALUE})") Path runsDir;
    @Option(names = "--name", description = "run name (default: the data file's name)") String name;
    @Option(names = "--resume", description = "continue the run in this run folder from its last checkpoint") Path resume;
    @Option(names = "--run-dir", description = "create the run folder exactly here instead of RUNS_DIR/<time>-NAME; it must not exist yet (used by sweeps)") Path runDir;
    @Option(names = "--forecast-stride", defaultValue = "0", description = "write every n-th test window to forecast.csv; 0 = every H-th (default: ${DEFAULT-VALUE})") int forecastStride;

    @Option(names = "--snapshot-every", defaultValue = "100", description = "capture the probe windows every n steps into snapshots/; 0 = never (default: ${DEFAULT-VALUE})") int snapshotEvery;
    @Option(names = "--probe-windows", defaultValue = "8", description = "validation windows in the probe batch, spread evenly (default: ${DEFAULT-VALUE})") int probeWindows;
    @Option(names = "--update-ratio-every", defaultValue = "50", description = "log update:parameter ratios every n steps; 0 = never (default: ${DEFAULT-VALUE})") int updateRatioEvery;

    /** Every value against its meaning, before any data is read (the model options check their own). */
    private void checkRanges() {
        Ranges.positive("--epochs", epochs);
        Ranges.positive("--batch", batch);
        Ranges.positive("--lr", lr);
        Ranges.nonNegative("--weight-decay", weightDecay);
        Ranges.nonNegative("--clip", clip);
        Ranges.oneOf("--schedule", schedule, "constant", "cosine");
        Ranges.nonNegative("--warmup", warmup);
        Ranges.positive("--patience", patience);
        Ranges.nonNegative("--max-steps-per-epoch", maxSteps);
        Ranges.positive("--eval-batch", evalBatch);
        Ranges.nonNegative("--eval-every", evalEvery);
        Ranges.oneOf("--step-driver", stepDriver, "host", "device", "graph");
        Ranges.backend(backend);
        Ranges.nonNegative("--forecast-stride", forecastStride);
        Ranges.nonNegative("--snapshot-every", snapshotEvery);
        Ranges.positive("--probe-windows", probeWindows);
        Ranges.nonNegative("--update-ratio-every", updateRatioEvery);
        data.checkRanges();
        if (runDir != null && resume != null) throw new IllegalArgumentException("--run-dir and --resume exclude each other (--resume names the folder)");
    }

    private RunFolder run;   // the run folder once created or opened; call() closes it whatever happens

    @Override public Integer call() throws Exception {
        checkRanges();
        try {
            return train();
        } finally {
            if (run != null) run.close();   // releases the lock; a folder of a run that failed before its first step goes
        }
    }

    private int train() throws Exception {
        ForecastData fd;
        Tsm2Config mc;
        TrainConfig tc;
        Checkpoint lastCk = null, bestCk = null;
        if (resume != null) {
            run = RunFolder.open(resume);   // the lock first: nothing in the folder is read before it is ours
            lastCk = run.checkpoint("last");
            JsonObject config;
            String where;
            if (lastCk != null) {
                bestCk = run.checkpoint("best");
                config = lastCk.config();
                where = run.checkpointDir("last").resolve(Checkpoint.CONFIG_FILE).toString();
            } else if (Files.isRegularFile(run.resolve(RunFolder.CONFIG_FILE))) {
                // killed before its first epoch ended: train again from the start, with the run's config
                Path cf = run.resolve(RunFolder.CONFIG_FILE);
                config = run.readConfig();
                where = cf.toString();
                System.out.println("no checkpoints/last yet in " + resume + ": training it again from the start");
            } else {
                return Cli.fail("--resume " + resume + ": no checkpoints/last and no config.json in that run folder");
            }
            mc = TrainingCheckpoints.modelConfig(config, where);
            tc = TrainingCheckpoints.trainConfig(config, where);   // required to resume
            fd = data.load(mc.seqLen(), mc.horizon());
            DataRecord.check(resume, data.data, fd, mc.variates(), "--resume");   // before "resumed" and any model
        } else {
            fd = data.load(data.seqLen, data.horizon);
            mc = model.toConfig(data.seqLen, data.horizon, fd.variates(), seed);
            tc = new TrainConfig(epochs, batch, lr, weightDecay, clip, schedule, warmup, 0.01, patience, seed, maxSteps,
                                 evalBatch, evalEvery, ConfigJson.parse(HeadStart.class, headStart, "--head-start")).validate();
            run = null;   // created once the sizes are known to fit
        }
        try (Backend be = Backends.create(backend)) {
            // before building anything: the sizes of the options or of the resumed config.json must fit
            MemoryEstimate.tsm2(mc, tc.batchSize(), Math.max(tc.evalBatchSize(), evalBatch))
                          .requireFitsOn(be, resume != null ? resume.resolve("checkpoints/last/config.json").toString()
                                                            : "the model and batch options");
            if (run == null) {
                String runName = name != null ? name : data.data.getFileName().toString().replaceAll("\\.csv(\\.gz)?$", "");
                run = runDir != null ? RunFolder.createAt(runDir) : RunFolder.create(runsDir, runName);
                com.google.gson.JsonObject config = TrainingCheckpoints.configJson(mc, tc);
                config.add(DataRecord.KEY, DataRecord.of(data.data, fd.columns()).toJson());   // checked on resume and eval
                run.writeConfig(config);
            }
            Tsm2 m = new Tsm2(be, mc);
            System.out.printf("data: %s  (%d variates; windows train %d, val %d, test %d; split %s)%n", data.data,
                              fd.variates(), fd.train().size(), fd.val().size(), fd.test().size(), fd.splits().rule());
            System.out.printf("model: TSM2 %s, d_model %d, %d layers, %,d parameters; backend %s%n", mc.design(),
                              mc.dModel(), mc.layers(), m.parameterCount(), Backends.describe(be));
            System.out.println("run folder: " + run.dir());
            ProgressBar bar = ProgressBar.console("samples");
            TrainConfig tcf = tc;
            TrainControl control = new TrainControl();
            control.setUpdateRatioEvery(updateRatioEvery);
            TrainingListener console = new TrainingListener() {
                @Override public void onStep(StepEvent e) {
                    if (e.stepInEpoch() == 1) bar.start("epoch " + e.epoch() + "/" + tcf.epochs(),
                                                        (long) e.stepsPerEpoch() * tcf.batchSize());
                    bar.step((long) e.stepInEpoch() * tcf.batchSize(), String.format("loss %.4f", e.loss()));
                }

                @Override public void onEpoch(EpochEvent e) {
                    if (e.endOfEpoch()) bar.finish();
                    if (e.step() == 0) {   // before any step: the least-squares head start
                        System.out.printf("%n  least-squares head start: val MSE %.4f  MAE %.4f  %.0f s%n", e.valMse(), e.valMae(),
                                          e.wallSeconds());
                        return;
                    }
                    System.out.printf("%s %d%s: train loss %.4f  val MSE %.4f  MAE %.4f  lr %.2e  %.0f s%s%n",
                                      e.endOfEpoch() ? "\nepoch" : "\n  validation in epoch", e.epoch(),
                                      e.endOfEpoch() ? "" : " at step " + e.step(), e.trainLoss(), e.valMse(), e.valMae(),
                                      e.lr(), e.wallSeconds(), e.best() ? "  (best)" : "");
                }
            };
            Tsm2Run.Builder b = Tsm2Run.builder(m, fd, tc).folder(run).listener(console).control(control)
                .driver(StepDriver.parse(stepDriver)).test(evalBatch, forecastStride);
            if (snapshotEvery > 0)
                b.snapshots(snapshotEvery, SnapshotRecorder.spreadWindows(fd.val(), Math.min(probeWindows, fd.val().size())));
            if (lastCk != null) b.resume(lastCk, bestCk);
            Tsm2Run tr = b.build();
            if (lastCk != null)
                System.out.println("resumed after epoch " + tr.trainer().epoch() + " (step " + tr.trainer().step() + ")");
            RunOutcome o = tr.run();
            if (o instanceof RunOutcome.Failed f) {
                if (f.error() instanceof RuntimeException re) throw re;
                if (f.error() instanceof Error err) throw err;
                System.err.println("error: " + dev.mambamixer.engine.io.FileErrors.printable(f.cause()));
                if (Checkpoint.exists(run.checkpointDir("last")) || Checkpoint.exists(run.checkpointDir("best")))
                    System.err.println("the last good checkpoints in " + run.dir().resolve(RunFolder.CHECKPOINTS) + " are intact");
                else
                    System.err.println("no checkpoint was saved before this failure; " + run.dir() + " records it in "
                                       + RunFolder.EVENTS_FILE);
                return 3;
            }
            TrainResult r = o.training();
            System.out.println("training steps: " + tr.trainer().stepMode());
            System.out.println(r.reason() + "; best epoch " + r.bestEpoch() + String.format(" (val MSE %.4f)", r.bestValMse()));
            Metrics test = o instanceof RunOutcome.Finished fin ? fin.test() : ((RunOutcome.Stopped) o).test();
            System.out.printf("test: MSE %.4f  MAE %.4f  (%d windows, standardised space)%n", test.mse(), test.mae(),
                              test.windows());
            return 0;
        }
    }
}
