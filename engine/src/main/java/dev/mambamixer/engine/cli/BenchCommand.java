package dev.mambamixer.engine.cli;

import java.util.Arrays;
import dev.mambamixer.engine.backend.cuda.CudaProfiling;
import dev.mambamixer.engine.train.StepDriver;
import dev.mambamixer.engine.train.EpochBenchmark;
import dev.mambamixer.engine.data.SplitRule;
import dev.mambamixer.engine.data.SyntheticSeriesGenerator;
import dev.mambamixer.engine.data.ForecastData;
import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.Backends;
import dev.mambamixer.engine.backend.KernelProfile;
import dev.mambamixer.engine.model.MemoryEstimate;
import dev.mambamixer.engine.model.Tsm2Config;
import dev.mambamixer.engine.train.Benchmark;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true,
         description = "Training and inference samples/s of TSM2 on the ETTh1 shape (random data), or with --epochs the wall time of real training epochs.")
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--backend", defaultValue = "auto", description = "auto, cpu, cuda or reference (default: ${DEFAULT-VALUE})")
    String backend;
    @Option(names = "--batch", defaultValue = "32", description = "batch size (default ${DEFAULT-VALUE})") int batch;
    @Option(names = "--seq-len", defaultValue = "512", description = "look-back T (default ${DEFAULT-VALUE})") int seqLen;
    @Option(names = "--horizon", defaultValue = "96", description = "horizon H (default ${DEFAULT-VALUE})") int horizon;
    @Option(names = "--variates", defaultValue = "7", description = "variates M (default ${DEFAULT-VALUE})") int variates;
    @Option(names = "--d-model", split = ",", defaultValue = "32,128", description = "widths to run (default: ${DEFAULT-VALUE})")
    List<Integer> dModels;
    @Option(names = "--layers", split = ",", defaultValue = "2,4", description = "depths to run (default: ${DEFAULT-VALUE})")
    List<Integer> layers;
    @Option(names = "--warmup", defaultValue = "2", description = "untimed warm-up repetitions (default ${DEFAULT-VALUE})") int warmup;
    @Option(names = "--reps", defaultValue = "5", description = "timed repetitions (the median is reported) (default ${DEFAULT-VALUE})") int reps;
    @Option(names = "--profile", description = "also print where a training step's time goes, per model section")
    boolean profile;
    @Option(names = "--kernels",
            description = "also print a roofline table of a training step's kernels (time, share, GFLOP/s, GB/s) beside this machine's measured GEMM peak and copy bandwidth (host backends)")
    boolean kernels;
    @Option(names = "--epochs", defaultValue = "0",
            description = "instead: time this many real training epochs (validation at epoch ends) per step driver (default ${DEFAULT-VALUE})")
    int epochs;
    @Option(names = "--data", description = "CSV for --epochs (default: synthetic data with the ETTh1 split sizes)")
    java.nio.file.Path data;
    @Option(names = "--drivers", split = ",", defaultValue = "graph",
            description = "step drivers for --epochs: host, device, graph (default: ${DEFAULT-VALUE})")
    List<String> drivers;

    @Override public Integer call() throws java.io.IOException {
        Ranges.backend(backend);
        Ranges.positive("--batch", batch);
        Ranges.positive("--seq-len", seqLen);
        Ranges.positive("--horizon", horizon);
        Ranges.positive("--variates", variates);
        Ranges.positive("--d-model", dModels);
        Ranges.positive("--layers", layers);
        Ranges.nonNegative("--warmup", warmup);
        Ranges.positive("--reps", reps);
        Ranges.nonNegative("--epochs", epochs);
        for (String d : drivers) Ranges.oneOf("--drivers", d, "host", "device", "graph");
        if (epochs > 0) return epochs();
        try (Backend be = Backends.create(backend)) {
            System.out.println("backend: " + Backends.describe(be));
            System.out.printf("%-8s %-7s %-10s %-16s %-16s %-12s %-12s%n", "d_model", "layers", "params",
                              "train samples/s", "infer samples/s", "step ms", "forward ms");
            for (int d : dModels) {
                for (int l : layers) {
                    Tsm2Config cfg = Tsm2Config.defaults(seqLen, horizon, variates).withModel(d, l);
                    MemoryEstimate.tsm2(cfg, batch, batch).requireFitsOn(be, "--d-model " + d + " --layers " + l);
                    KernelProfile kp = kernels ? new KernelProfile() : null;
                    Benchmark.Result r = Benchmark.run(kp == null ? be : KernelProfile.wrap(be, kp), cfg, batch, warmup, reps, profile, kp);
                    System.out.printf("%-8d %-7d %-10d %-16.1f %-16.1f %-12.1f %-12.1f%n", d, l, r.params(),
                                      r.trainSamplesPerSec(), r.inferSamplesPerSec(), r.medianStepMs(), r.medianForwardMs());
                    if (profile) {
                        double total = r.profileMsPerStep().values().stream().mapToDouble(v -> v).sum();
                        r.profileMsPerStep().forEach((k, v) -> System.out.printf("    %-34s %8.1f ms  %5.1f%%%n", k, v,
                                                                                 100 * v / total));
                    }
                    if (kp != null) {
                        KernelProfile.Peaks peaks = KernelProfile.measurePeaks(be);
                        System.out.printf("  kernels of a training step (median step %.1f ms; this machine: GEMM peak %.1f GFLOP/s, copy %.1f GB/s):%n",
                                          r.medianStepMs(), peaks.gflopsPerSec(), peaks.gbPerSec());
                        System.out.print(kp.table(reps, peaks, 30));
                    }
                    // Per-kernel GPU times when run with -Dmambamixer.cuda.profile=true (CUDA only).
                    System.out.print(CudaProfiling.reportAndReset(be));
                }
            }
        }
        return 0;
    }

    /** Real epochs on real (or ETTh1-sized synthetic) data, per model size and step driver. */
    private int epochs() throws java.io.IOException {
        ForecastData fd = data != null
            ? ForecastData.load(data, seqLen, horizon)
            : ForecastData.of(SyntheticSeriesGenerator.generate(14400, 1L), seqLen, horizon, SplitRule.ETT_HOURLY);
        try (Backend be = Backends.create(backend)) {
            System.out.println("backend: " + Backends.describe(be));
            System.out.println("data: " + fd.summary());
            System.out.printf("%-8s %-7s %-8s %-34s %-12s %-12s %-12s %-12s%n", "d_model", "layers", "driver", "step mode",
                              "epoch 1 s", "epoch 2+ s", "samples/s", "valid. s");
            for (int d : dModels) {
                for (int l : layers) {
                    for (String dr : drivers) {
                        Tsm2Config cfg = Tsm2Config.defaults(seqLen, horizon, fd.variates()).withModel(d, l);
                        MemoryEstimate.tsm2(cfg, batch, batch).requireFitsOn(be, "--d-model " + d + " --layers " + l);
                        EpochBenchmark.Result r = EpochBenchmark.run(
                            be, cfg, fd, batch, epochs, StepDriver.parse(dr),
                            () -> CudaProfiling.reportAndReset(be),
                            () -> CudaProfiling.reportAndReset(be));
                        double[] later = Arrays.copyOfRange(r.epochSeconds(), 1, r.epochSeconds().length);
                        double steady = later.length == 0 ? r.epochSeconds()[0] : Benchmark.median(later);
                        System.out.printf("%-8d %-7d %-8s %-34s %-12.3f %-12.3f %-12.0f %-12.3f%n", d, l, dr, r.stepMode(),
                                          r.epochSeconds()[0], steady, r.windowsPerEpoch() / steady,
                                          Benchmark.median(r.validationSeconds()));
                        if (!r.profile().isEmpty())
                            System.out.print("profile of epoch 2's steps (" + dr + "):\n" + r.profile());
                    }
                }
            }
        }
        return 0;
    }
}
