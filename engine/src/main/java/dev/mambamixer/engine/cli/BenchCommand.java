package dev.mambamixer.engine.cli;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.Backends;
import dev.mambamixer.engine.model.Tsm2Config;
import dev.mambamixer.engine.train.Benchmark;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true,
         description = "Training and inference samples/s of TSM2 on the ETTh1 shape (random data).")
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--backend", defaultValue = "auto", description = "auto, cpu, cuda or reference (default: ${DEFAULT-VALUE})")
    String backend;
    @Option(names = "--batch", defaultValue = "32") int batch;
    @Option(names = "--seq-len", defaultValue = "512") int seqLen;
    @Option(names = "--horizon", defaultValue = "96") int horizon;
    @Option(names = "--variates", defaultValue = "7") int variates;
    @Option(names = "--d-model", split = ",", defaultValue = "32,128", description = "widths to run (default: ${DEFAULT-VALUE})")
    List<Integer> dModels;
    @Option(names = "--layers", split = ",", defaultValue = "2,4", description = "depths to run (default: ${DEFAULT-VALUE})")
    List<Integer> layers;
    @Option(names = "--warmup", defaultValue = "2") int warmup;
    @Option(names = "--reps", defaultValue = "5") int reps;
    @Option(names = "--profile", description = "also print where a training step's time goes, per model section")
    boolean profile;

    @Override public Integer call() {
        try (Backend be = Backends.create(backend)) {
            System.out.println("backend: " + Backends.describe(be));
            System.out.printf("%-8s %-7s %-10s %-16s %-16s %-12s %-12s%n", "d_model", "layers", "params",
                              "train samples/s", "infer samples/s", "step ms", "forward ms");
            for (int d : dModels) {
                for (int l : layers) {
                    Tsm2Config cfg = Tsm2Config.defaults(seqLen, horizon, variates).withModel(d, l);
                    Benchmark.Result r = Benchmark.run(be, cfg, batch, warmup, reps, profile);
                    System.out.printf("%-8d %-7d %-10d %-16.1f %-16.1f %-12.1f %-12.1f%n", d, l, r.params(),
                                      r.trainSamplesPerSec(), r.inferSamplesPerSec(), r.medianStepMs(), r.medianForwardMs());
                    if (profile) {
                        double total = r.profileMsPerStep().values().stream().mapToDouble(v -> v).sum();
                        r.profileMsPerStep().forEach((k, v) -> System.out.printf("    %-34s %8.1f ms  %5.1f%%%n", k, v,
                                                                                 100 * v / total));
                    }
                    // Per-kernel GPU times when run with -Dmambamixer.cuda.profile=true (CUDA only).
                    System.out.print(dev.mambamixer.engine.backend.cuda.CudaProfiling.reportAndReset(be));
                }
            }
        }
        return 0;
    }
}
