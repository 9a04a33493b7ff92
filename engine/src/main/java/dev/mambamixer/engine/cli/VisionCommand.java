package dev.mambamixer.engine.cli;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.Backends;
import dev.mambamixer.engine.data.vision.VisionDatasets;
import dev.mambamixer.engine.io.ProgressBar;
import dev.mambamixer.engine.model.Vim2;
import dev.mambamixer.engine.model.Vim2Config;
import dev.mambamixer.engine.train.TrainingListener;
import dev.mambamixer.engine.train.VisionEvaluation;
import dev.mambamixer.engine.train.VisionTrainConfig;
import dev.mambamixer.engine.train.VisionTrainer;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mambamixer vision}: trains ViM2 (MODEL.md §7) on MNIST, the scikit-learn digits or an
 * image folder, evaluating the held-out split after every epoch; prints accuracy per class, the
 * confusion matrix and the most confidently wrong images.
 */
@Command(name = "vision", mixinStandardHelpOptions = true,
         description = "Train the vision MambaMixer (ViM2) on MNIST, digits or an image folder.")
final class VisionCommand implements Callable<Integer> {
    enum Dataset { MNIST, DIGITS, FOLDER }

    @Option(names = "--data", defaultValue = "mnist", description = "mnist, digits or folder (default ${DEFAULT-VALUE})") Dataset data;
    @Option(names = "--data-path", description = "MNIST folder (IDX files), digits.csv(.gz) or an image folder "
                                                 + "(default: ../shared/data/mnist or ../shared/data/digits/digits.csv.gz)") Path dataPath;
    @Option(names = "--image-size", defaultValue = "28", description = "image folder: resize to this square size") int imageSize;
    @Option(names = "--image-channels", defaultValue = "1", description = "image folder: 1 (grey) or 3 (RGB)") int imageChannels;
    @Option(names = "--patch", description = "patch size of the stem (default: the preset's; 1 for digits)") Integer patch;
    @Option(names = "--dims", split = ",", description = "stage widths, e.g. 48,96 (default: the preset's)") List<Integer> dims;
    @Option(names = "--token-mixers", split = ",", description = "SS2D token mixers per stage, e.g. 2,2") List<Integer> tokenMixers;
    @Option(names = "--channel-mixer", defaultValue = "per-token-lift",
            description = "per-token-lift (V-B), tokens (V-A) or none (default ${DEFAULT-VALUE})") String channelMixer;
    @Option(names = "--channel-lift", description = "V-B lifted width e_c (default: the preset's)") Integer channelLift;
    @Option(names = "--channel-state", description = "channel mixer state size N (default: the preset's)") Integer channelState;
    @Option(names = "--d-state", defaultValue = "16", description = "token mixer state size N") int dState;
    @Option(names = "--epochs", defaultValue = "10") int epochs;
    @Option(names = "--batch", defaultValue = "64") int batch;
    @Option(names = "--lr", defaultValue = "2e-3") double lr;
    @Option(names = "--warmup", defaultValue = "100") int warmup;
    @Option(names = "--weight-decay", defaultValue = "0.05") double weightDecay;
    @Option(names = "--label-smoothing", defaultValue = "0.1") double labelSmoothing;
    @Option(names = "--shift", defaultValue = "2", description = "training augmentation: random shift up to this many pixels") int shift;
    @Option(names = "--clip", defaultValue = "1.0") double clip;
    @Option(names = "--seed", defaultValue = "7") long seed;
    @Option(names = "--backend", defaultValue = "cpu", description = "cpu, reference or cuda") String backend;

    @Override public Integer call() throws java.io.IOException {
        VisionDatasets.VisionSplits splits = switch (data) {
            case MNIST -> VisionDatasets.mnist(dataPath != null ? dataPath : Path.of("..", "shared", "data", "mnist"));
            case DIGITS -> VisionDatasets.digits(dataPath != null ? dataPath : Path.of("..", "shared", "data", "digits", "digits.csv.gz"));
            case FOLDER -> {
                if (dataPath == null) throw new IllegalArgumentException("--data folder needs --data-path DIR (one sub-folder per class)");
                yield VisionDatasets.imageFolder(dataPath, imageSize, imageSize, imageChannels, 0.8);
            }
        };
        var train = splits.train();
        int p = patch != null ? patch : train.height() % 4 == 0 && train.height() >= 16 ? 4 : 1;
        Vim2Config preset = Vim2Config.mnist();
        Vim2Config mc = preset.withImage(train.height(), train.width(), train.channels(), Math.max(2, train.classes()), p)
                              .withChannelMixer(Vim2Config.ChannelMixer.parse(channelMixer),
                                                channelLift != null ? channelLift : preset.channelLift(),
                                                channelState != null ? channelState : preset.channelState())
                                  .withState(dState, 2).withSeed(seed);
        if (dims != null || tokenMixers != null)
            mc = mc.withStages(dims != null ? dims : mc.dims(), tokenMixers != null ? tokenMixers : mc.tokenMixers());
        VisionTrainConfig tc = VisionTrainConfig.defaults(epochs).withBatch(batch).withLr(lr)
                                                .withRegularisation(weightDecay, labelSmoothing, shift).withSeed(seed);
        tc = new VisionTrainConfig(tc.epochs(), tc.batch(), tc.lr(), warmup, tc.minLrRatio(), tc.weightDecay(), clip,
                                   tc.labelSmoothing(), tc.maxShift(), tc.evalBatch(), tc.seed()).validate();
        try (Backend be = Backends.create(backend)) {
            Vim2 model = new Vim2(be, mc);
            System.out.println("data: " + splits.description());
            System.out.printf(Locale.ROOT, "model: ViM2, %dx%dx%d, patch %d, stages %s, token mixers %s, channel mixer %s, "
                              + "%,d parameters; backend %s%n", mc.height(), mc.width(), mc.channels(), mc.patch(), mc.dims(),
                              mc.tokenMixers(), mc.channelMixer(), model.parameterCount(), Backends.describe(be));
            ProgressBar bar = ProgressBar.console("images");
            int perEpoch = (train.count() + tc.batch() - 1) / tc.batch();
            long total = (long) tc.epochs() * train.count();
            bar.start("train", total);
            VisionTrainer trainer = new VisionTrainer(model, tc, new TrainingListener() {
                @Override public void onStep(StepEvent e) {
                    bar.step(e.samples(), String.format(Locale.ROOT, "epoch %d  loss %.4f  acc %.3f", e.epoch(), e.loss(), e.accuracy()));
                }

                @Override public void onHeldOut(HeldOutEvent e) {
                    if (!bar.interactive()) System.out.printf(Locale.ROOT, "  epoch %d (step %d, %.0f s): held-out accuracy %.4f, loss %.4f%n",
                                                              e.step() / perEpoch, e.step(), e.wallSeconds(), e.accuracy(), e.loss());
                }
            }, null);
            VisionTrainer.Result r = trainer.fit(train, splits.heldOut());
            bar.finish();
            System.out.printf(Locale.ROOT, "%s: %d epochs, %d steps, %.1f s, %.1f images/s%n", r.reason(), r.epochs(), r.steps(),
                              r.seconds(), r.imagesPerSecond());
            if (r.failed()) return 1;
            VisionEvaluation ev = r.heldOut();
            System.out.printf(Locale.ROOT, "held-out (%d images, best epoch %d): accuracy %.4f, loss %.4f%n", ev.count(),
                              r.bestEpoch(), ev.accuracy(), ev.loss());
            double[] pc = ev.perClassAccuracy();
            StringBuilder sb = new StringBuilder("per class:");
            for (int c = 0; c < pc.length; c++) sb.append(String.format(Locale.ROOT, "  %s %.3f", splits.heldOut().classNames().get(c), pc[c]));
            System.out.println(sb);
            System.out.println("confusion (rows true, columns predicted):");
            for (int[] row : ev.confusion()) {
                StringBuilder line = new StringBuilder();
                for (int v : row) line.append(String.format(Locale.ROOT, "%5d", v));
                System.out.println(line);
            }
            int[] wrong = ev.confidentMistakes(splits.heldOut(), 5);
            StringBuilder ws = new StringBuilder("most confident mistakes (image: true -> predicted, p):");
            for (int i : wrong) ws.append(String.format(Locale.ROOT, "  #%d: %d -> %d, %.3f", i, splits.heldOut().label(i),
                                                         ev.predicted()[i], ev.confidence()[i]));
            System.out.println(ws);
            return 0;
        }
    }
}
