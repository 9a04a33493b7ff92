package dev.mambamixer.engine.cli;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.Backends;
import dev.mambamixer.engine.data.vision.VisionDatasets;
import dev.mambamixer.engine.io.Checkpoint;
import dev.mambamixer.engine.io.ProgressBar;
import dev.mambamixer.engine.io.RunFolder;
import dev.mambamixer.engine.model.Vim2;
import dev.mambamixer.engine.model.MemoryEstimate;
import dev.mambamixer.engine.model.Vim2Config;
import dev.mambamixer.engine.run.VisionRun;
import dev.mambamixer.engine.train.TrainingListener;
import dev.mambamixer.engine.train.VisionTrainConfig;
import dev.mambamixer.engine.train.VisionTrainer;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mambamixer vision train}: trains ViM2 on MNIST, the scikit-learn digits or an image
 * folder into a run folder (checkpoints best/last, events, held-out metrics), evaluating the
 * held-out split after every epoch; {@code --resume RUN} continues a run after its last epoch.
 */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train ViM2 into a run folder.")
final class VisionTrainCommand implements Callable<Integer> {
    enum Dataset { MNIST, DIGITS, FOLDER, CLUTTERED }

    @Option(names = "--data", defaultValue = "mnist", description = "mnist, digits, folder or cluttered (the teaching canvases from MNIST digits; default ${DEFAULT-VALUE})") Dataset data;
    @Option(names = "--data-path", description = "MNIST folder (IDX files), digits.csv(.gz) or an image folder "
                                                 + "(default: ../shared/data/mnist or ../shared/data/digits/digits.csv.gz)") Path dataPath;
    @Option(names = "--image-size", description = "image folder: resize to this square size (default 28); cluttered: canvas side (default 48)") Integer imageSize;
    @Option(names = "--image-channels", defaultValue = "1", description = "image folder: 1 (grey) or 3 (RGB) (default ${DEFAULT-VALUE})") int imageChannels;
    @Option(names = "--patch", description = "patch size of the stem (default 4 when the image side is a multiple of 4 and >= 16, else 1)") Integer patch;
    @Option(names = "--dims", split = ",", description = "stage widths, e.g. 48,96 (default: the MNIST preset's)") List<Integer> dims;
    @Option(names = "--token-mixers", split = ",", description = "SS2D token mixers per stage, e.g. 2,2") List<Integer> tokenMixers;
    @Option(names = "--channel-mixer", defaultValue = "per-token-lift",
            description = "per-token-lift (V-B), tokens (V-A) or none (default ${DEFAULT-VALUE})") String channelMixer;
    @Option(names = "--channel-lift", description = "V-B lifted width e_c (default: the preset's)") Integer channelLift;
    @Option(names = "--channel-state", description = "channel mixer state size N (default: the preset's)") Integer channelState;
    @Option(names = "--d-state", defaultValue = "16", description = "token mixer state size N (default ${DEFAULT-VALUE})") int dState;
    @Option(names = "--epochs", defaultValue = "10", description = "epochs over the training images (default ${DEFAULT-VALUE})") int epochs;
    @Option(names = "--batch", defaultValue = "64", description = "images per optimiser step (default ${DEFAULT-VALUE})") int batch;
    @Option(names = "--lr", defaultValue = "2e-3", description = "peak learning rate (warm-up, then cosine decay) (default ${DEFAULT-VALUE})") double lr;
    @Option(names = "--warmup", defaultValue = "100", description = "warm-up steps (at most a tenth of the run) (default ${DEFAULT-VALUE})") int warmup;
    @Option(names = "--weight-decay", defaultValue = "0.05", description = "AdamW weight decay (default ${DEFAULT-VALUE})") double weightDecay;
    @Option(names = "--label-smoothing", defaultValue = "0.1", description = "label smoothing of the cross-entropy (default ${DEFAULT-VALUE})") double labelSmoothing;
    @Option(names = "--shift", defaultValue = "2", description = "training augmentation: random shift up to this many pixels (default ${DEFAULT-VALUE})") int shift;
    @Option(names = "--clip", defaultValue = "1.0", description = "global gradient-norm clip, 0 = off (default ${DEFAULT-VALUE})") double clip;
    @Option(names = "--seed", defaultValue = "7", description = "seed for init, batches and shifts (default ${DEFAULT-VALUE})") long seed;
    @Option(names = "--backend", defaultValue = "cpu", description = "cpu, reference or cuda (default ${DEFAULT-VALUE})") String backend;
    @Option(names = "--runs-dir", defaultValue = "runs", description = "where run folders go (default: ${DEFAULT-VALUE})") Path runsDir;
    @Option(names = "--name", description = "run name (default: vim2-<data>)") String name;
    @Option(names = "--resume", description = "continue the run in this run folder after its last epoch (its config wins)") Path resume;

    private void checkRanges() {
        if (imageSize != null) Ranges.positive("--image-size", imageSize);
        Ranges.between("--image-channels", imageChannels, 1, 3);
        if (imageChannels == 2) throw new IllegalArgumentException("--image-channels must be 1 (grey) or 3 (RGB), got 2");
        if (patch != null) Ranges.positive("--patch", patch);
        Ranges.positive("--dims", dims);
        Ranges.positive("--token-mixers", tokenMixers);
        Ranges.oneOf("--channel-mixer", channelMixer, "per-token-lift", "tokens", "none");
        if (channelLift != null) Ranges.positive("--channel-lift", channelLift);
        if (channelState != null) Ranges.positive("--channel-state", channelState);
        Ranges.positive("--d-state", dState);
        Ranges.positive("--epochs", epochs);
        Ranges.positive("--batch", batch);
        Ranges.positive("--lr", lr);
        Ranges.nonNegative("--warmup", warmup);
        Ranges.nonNegative("--weight-decay", weightDecay);
        Ranges.fraction("--label-smoothing", labelSmoothing, 0, 1);
        Ranges.nonNegative("--shift", shift);
        Ranges.nonNegative("--clip", clip);
        Ranges.backend(backend);
    }

    private RunFolder run;   // the run folder once created or opened; call() closes it whatever happens

    @Override public Integer call() throws java.io.IOException {
        checkRanges();
        try {
            return train();
        } finally {
            if (run != null) run.close();   // releases the lock; a folder of a run that failed before its first step goes
        }
    }

    private int train() throws java.io.IOException {
        Vim2Config mc;
        VisionTrainConfig tc;
        VisionRun.DataSource ds;
        Checkpoint last = null;
        if (resume != null) {
            run = RunFolder.open(resume);   // the lock first: nothing in the folder is read before it is ours
            Path lastDir = run.checkpointDir("last");
            last = run.checkpoint("last");
            if (last == null) return Cli.fail("--resume " + resume + ": no checkpoints/last in that run folder");
            String where = lastDir.resolve(Checkpoint.CONFIG_FILE).toString();
            mc = VisionRun.modelConfig(last.config(), where);
            tc = VisionRun.trainConfig(last.config(), where);
            ds = VisionRun.dataSource(last.config(), where);
        } else {
            Path path = dataPath != null ? dataPath : switch (data) {
                case MNIST, CLUTTERED -> Path.of("..", "shared", "data", "mnist");
                case DIGITS -> Path.of("..", "shared", "data", "digits", "digits.csv.gz");
                case FOLDER -> throw new IllegalArgumentException("--data folder needs --data-path DIR (one sub-folder per class)");
            };
            ds = new VisionRun.DataSource(data.name().toLowerCase(Locale.ROOT), path.toString(), "", List.of());
            mc = null;
            tc = null;
            run = null;
        }
        int side = imageSize != null ? imageSize : data == Dataset.CLUTTERED ? 48 : 28;
        int size = mc != null ? mc.height() : side, chans = mc != null ? mc.channels() : imageChannels;
        VisionDatasets.VisionSplits splits = VisionRun.splits(ds, size, mc != null ? mc.width() : side, chans);
        var train = splits.train();
        if (mc == null) {
            ds = new VisionRun.DataSource(ds.kind(), ds.path(), splits.description(), train.classNames());
            int p = patch != null ? patch : train.height() % 4 == 0 && train.height() >= 16 ? 4 : 1;
            Vim2Config preset = Vim2Config.mnist();
            mc = preset.withImage(train.height(), train.width(), train.channels(), Math.max(2, train.classes()), p)
                       .withChannelMixer(Vim2Config.ChannelMixer.parse(channelMixer),
                                         channelLift != null ? channelLift : preset.channelLift(),
                                         channelState != null ? channelState : preset.channelState())
                       .withState(dState, 2).withSeed(seed);
            if (dims != null || tokenMixers != null)
                mc = mc.withStages(dims != null ? dims : mc.dims(), tokenMixers != null ? tokenMixers : mc.tokenMixers());
            mc.validate();
            tc = new VisionTrainConfig(epochs, batch, lr, warmup, 0.02, weightDecay, clip, labelSmoothing, shift, 256, seed).validate();
        }
        try (Backend be = Backends.create(backend)) {
            MemoryEstimate.vim2(mc, tc.batch(), tc.evalBatch())
                          .requireFitsOn(be, resume != null ? resume.resolve("checkpoints/last/config.json").toString()
                                                            : "the model and batch options");
            if (run == null) run = RunFolder.create(runsDir, name != null ? name : "vim2-" + ds.kind());
            Vim2 model = new Vim2(be, mc);
            System.out.println("data: " + splits.description());
            System.out.printf(Locale.ROOT, "model: ViM2, %dx%dx%d, patch %d, stages %s, token mixers %s, channel mixer %s, "
                              + "%,d parameters; backend %s%n", mc.height(), mc.width(), mc.channels(), mc.patch(), mc.dims(),
                              mc.tokenMixers(), mc.channelMixer(), model.parameterCount(), Backends.describe(be));
            System.out.println("run folder: " + run.dir());
            ProgressBar bar = ProgressBar.console("images");
            int perEpoch = (train.count() + tc.batch() - 1) / tc.batch();
            VisionRun.Builder b = VisionRun.builder(model, tc, ds).folder(run).listener(new TrainingListener() {
                @Override public void onStep(StepEvent e) {
                    bar.step(e.samples(), String.format(Locale.ROOT, "epoch %d  loss %.4f  acc %.3f", e.epoch(), e.loss(), e.accuracy()));
                }

                @Override public void onHeldOut(HeldOutEvent e) {
                    if (!bar.interactive()) System.out.printf(Locale.ROOT, "  epoch %d (step %d, %.0f s): held-out accuracy %.4f, loss %.4f%n",
                                                              e.step() / perEpoch, e.step(), e.wallSeconds(), e.accuracy(), e.loss());
                }
            });
            if (last != null) b.resume(last);
            VisionRun vr = b.build();
            VisionTrainer trainer = vr.trainer();
            if (last != null) System.out.println("resumed after epoch " + trainer.epoch() + " (step " + trainer.step() + ")");
            bar.start("train", (long) (tc.epochs() - trainer.epoch()) * train.count());
            VisionTrainer.Result r = vr.run(train, splits.heldOut());
            bar.finish();
            System.out.printf(Locale.ROOT, "%s: %d epochs, %d steps, %.1f s, %.1f images/s%n", r.reason(), r.epochs(), r.steps(),
                              r.seconds(), r.imagesPerSecond());
            if (r.failed()) return 1;
            VisionReport.print(r.heldOut(), splits.heldOut(), "held-out (best epoch " + r.bestEpoch() + ")");
            return 0;
        }
    }
}
