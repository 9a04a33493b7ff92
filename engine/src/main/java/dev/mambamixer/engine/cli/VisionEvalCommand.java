package dev.mambamixer.engine.cli;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.Backends;
import dev.mambamixer.engine.data.vision.ImageSet;
import dev.mambamixer.engine.data.vision.VisionDatasets;
import dev.mambamixer.engine.model.Vim2;
import dev.mambamixer.engine.model.MemoryEstimate;
import dev.mambamixer.engine.model.Vim2Config;
import dev.mambamixer.engine.run.VisionRun;
import dev.mambamixer.engine.run.VisionRunFolder;
import dev.mambamixer.engine.train.VisionEvaluation;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mambamixer vision eval RUN|CHECKPOINT}: held-out (or training) accuracy of a ViM2 checkpoint. */
@Command(name = "eval", mixinStandardHelpOptions = true,
         description = "Evaluate a ViM2 checkpoint (a run folder means its best checkpoint) on the split it was trained with.")
final class VisionEvalCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "run folder or checkpoint folder") Path path;
    @Option(names = "--data-path", description = "the images, if they moved since training (same kind as in the run's config)") Path dataPath;
    @Option(names = "--split", defaultValue = "held-out", description = "held-out or train (default ${DEFAULT-VALUE})") String split;
    @Option(names = "--batch", defaultValue = "256", description = "evaluation batch size (default ${DEFAULT-VALUE})") int batch;
    @Option(names = "--backend", defaultValue = "cpu", description = "cpu, reference or cuda (default ${DEFAULT-VALUE})") String backend;

    @Override public Integer call() throws java.io.IOException {
        Ranges.positive("--batch", batch);
        Ranges.oneOf("--split", split, "held-out", "train");
        Loaded l = load(path, backend);
        try (Backend be = l.model().backend()) {
            VisionRun.DataSource ds = l.data();
            if (dataPath != null) ds = new VisionRun.DataSource(ds.kind(), dataPath.toString(), ds.description(), ds.classes());
            Vim2Config mc = l.model().config();
            VisionDatasets.VisionSplits s = VisionRun.splits(ds, mc.height(), mc.width(), mc.channels());
            ImageSet set = switch (split) {
                case "held-out" -> s.heldOut();
                case "train" -> s.train();
                default -> throw new IllegalArgumentException("--split: unknown split '" + split + "' (expected held-out or train)");
            };
            System.out.println("checkpoint: " + l.dir() + "; data: " + s.description());
            VisionReport.print(VisionEvaluation.of(l.model(), set, batch), set, split);
            return 0;
        }
    }

    /** A ViM2 model with a checkpoint's weights, and the data source it was trained on. */
    record Loaded(Vim2 model, VisionRun.DataSource data, Path dir) {}

    static Loaded load(Path path, String backend) throws java.io.IOException {
        Path dir = Checkpoints.resolve(path);
        Backend be = Backends.create(backend);
        try {
            VisionRunFolder.Kept k = VisionRunFolder.load(dir, be);
            return new Loaded(k.model(), k.data(), dir);
        } catch (java.io.IOException | RuntimeException e) {
            be.close();
            throw e;
        }
    }
}
