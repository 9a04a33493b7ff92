package dev.mambamixer.engine.cli;

import dev.mambamixer.engine.run.DataRecord;
import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.Backends;
import dev.mambamixer.engine.data.ForecastData;
import dev.mambamixer.engine.data.WindowDataset;
import dev.mambamixer.engine.io.RunFolder;
import dev.mambamixer.engine.run.Forecasts;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.train.Metrics;
import dev.mambamixer.engine.train.TrainingCheckpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "forecast", mixinStandardHelpOptions = true,
         description = "Write forecasts of a trained checkpoint for a split's windows as CSV (original units).")
final class ForecastCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "a checkpoint folder, or a run folder (uses its checkpoints/best)")
    Path checkpoint;
    @Option(names = "--data", description = "benchmark-format CSV (default: the file the run was trained on, from its config.json)")
    Path data;
    @Option(names = "--split", defaultValue = "test", description = "train, val or test (default: ${DEFAULT-VALUE})")
    String split;
    @Option(names = "--split-rule", defaultValue = "auto", description = "auto, ett_hourly, ett_minute or ratio (default ${DEFAULT-VALUE})") String rule;
    @Option(names = "--out", required = true, description = "output CSV: window,horizon_step,variate,prediction,target")
    Path out;
    @Option(names = "--stride", defaultValue = "0", description = "every n-th window; 0 = every H-th (default: ${DEFAULT-VALUE})")
    int stride;
    @Option(names = "--allow-extreme-values", description = "accept cells with |x| > 1e15 (as train's option)")
    boolean allowExtremeValues;
    @Option(names = "--batch", defaultValue = "128", description = "evaluation batch size (default ${DEFAULT-VALUE})") int batch;
    @Option(names = "--backend", defaultValue = "auto", description = "auto, cpu, cuda or reference (default ${DEFAULT-VALUE})") String backend;

    @Override public Integer call() throws Exception {
        Ranges.positive("--batch", batch);
        Ranges.nonNegative("--stride", stride);
        Ranges.oneOf("--split", split, "train", "val", "test");
        Checkpoints.splitRule("--split-rule", rule);
        Ranges.backend(backend);
        if (java.nio.file.Files.isDirectory(out)) throw new IllegalArgumentException("--out " + out + " is a folder (expected a CSV file path)");
        try (Backend be = Backends.create(backend)) {
            Tsm2 m = TrainingCheckpoints.loadModel(Checkpoints.resolve(checkpoint), be, batch);
            Path data = DataRecord.dataFor(checkpoint, this.data, "forecast");
            ForecastData fd = Checkpoints.loadData(data, rule, m.config(), allowExtremeValues);
            DataRecord.check(DataRecord.runDirOf(checkpoint), data, fd, m.config().variates(), "forecast");
            WindowDataset ds = Checkpoints.split(fd, split);
            Path abs = out.toAbsolutePath();
            if (abs.getParent() != null) Files.createDirectories(abs.getParent());
            Metrics r = Forecasts.evaluateAndWrite(m, fd, ds, batch, stride, RunFolder.forecastWriterAt(abs));
            System.out.printf("wrote %s (%s split; MSE %.4f, MAE %.4f over %d windows)%n", out, split, r.mse(), r.mae(),
                              r.windows());
            return 0;
        }
    }
}
