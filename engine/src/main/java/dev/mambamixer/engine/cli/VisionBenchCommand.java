package dev.mambamixer.engine.cli;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.Backends;
import dev.mambamixer.engine.model.MemoryEstimate;
import dev.mambamixer.engine.model.Vim2Config;
import dev.mambamixer.engine.train.VisionBenchmark;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mambamixer vision bench}: ViM2 training and inference images/s on random images. */
@Command(name = "bench", mixinStandardHelpOptions = true,
         description = "ViM2 training-step and inference images/s on random images (median over repetitions).")
final class VisionBenchCommand implements Callable<Integer> {
    @Option(names = "--preset", split = ",", defaultValue = "mnist", description = "mnist, tiny, small, base (default ${DEFAULT-VALUE})") List<String> presets;
    @Option(names = "--batch", defaultValue = "64", description = "images per batch (default ${DEFAULT-VALUE})") int batch;
    @Option(names = "--warmup", defaultValue = "2", description = "untimed warm-up repetitions (default ${DEFAULT-VALUE})") int warmup;
    @Option(names = "--reps", defaultValue = "5", description = "timed repetitions (the median is reported) (default ${DEFAULT-VALUE})") int reps;
    @Option(names = "--backend", defaultValue = "cpu", description = "cpu, reference or cuda (default ${DEFAULT-VALUE})") String backend;

    @Override public Integer call() {
        Ranges.positive("--batch", batch);
        Ranges.nonNegative("--warmup", warmup);
        Ranges.positive("--reps", reps);
        Ranges.backend(backend);
        for (String p : presets) Ranges.oneOf("--preset", p, "mnist", "tiny", "small", "base");
        try (Backend be = Backends.create(backend)) {
            System.out.println("backend: " + Backends.describe(be));
            System.out.printf(Locale.ROOT, "%-7s %-10s %-6s %-12s %-12s %-12s %-12s%n", "preset", "params", "batch",
                              "train img/s", "infer img/s", "step ms", "forward ms");
            for (String p : presets) {
                Vim2Config cfg = switch (p) {
                    case "mnist" -> Vim2Config.mnist();
                    case "tiny" -> Vim2Config.tiny();
                    case "small" -> Vim2Config.small();
                    case "base" -> Vim2Config.base();
                    default -> throw new IllegalArgumentException("--preset: unknown '" + p + "' (expected mnist, tiny, small or base)");
                };
                MemoryEstimate.vim2(cfg, batch, batch).requireFitsOn(be, "--preset " + p + " --batch " + batch);
                VisionBenchmark.Result r = VisionBenchmark.run(be, cfg, batch, warmup, reps);
                System.out.printf(Locale.ROOT, "%-7s %-10d %-6d %-12.1f %-12.1f %-12.1f %-12.1f%n", p, r.params(), batch,
                                  r.trainImagesPerSec(), r.inferImagesPerSec(), r.medianStepMs(), r.medianForwardMs());
            }
            return 0;
        }
    }
}
