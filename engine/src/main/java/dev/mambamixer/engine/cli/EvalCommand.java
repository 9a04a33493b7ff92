package dev.mambamixer.engine.cli;

import dev.mambamixer.engine.run.DataRecord;
import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.Backends;
import dev.mambamixer.engine.data.ForecastData;
import dev.mambamixer.engine.data.WindowDataset;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.train.Evaluation;
import dev.mambamixer.engine.train.Metrics;
import dev.mambamixer.engine.train.TrainingCheckpoints;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "eval", mixinStandardHelpOptions = true,
         description = "Evaluate a trained TSM2 checkpoint: MSE and MAE in standardised space (docs/MODEL.md §6.2).")
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true,
            description = "a checkpoint folder, or a run folder (uses its checkpoints/best)")
    Path checkpoint;
    @Option(names = "--data", description = "benchmark-format CSV (default: the file the run was trained on, from its config.json)")
    Path data;
    @Option(names = "--split", defaultValue = "test", description = "train, val or test (default: ${DEFAULT-VALUE})")
    String split;
    @Option(names = "--split-rule", defaultValue = "auto", description = "auto, ett_hourly, ett_minute or ratio (default: ${DEFAULT-VALUE})")
    String rule;
    @Option(names = "--allow-extreme-values", description = "accept cells with |x| > 1e15 (as train's option)")
    boolean allowExtremeValues;
    @Option(names = "--batch", defaultValue = "128", description = "evaluation batch size (default ${DEFAULT-VALUE})") int batch;
    @Option(names = "--backend", defaultValue = "auto", description = "auto, cpu, cuda or reference (default: ${DEFAULT-VALUE})")
    String backend;

    @Override public Integer call() throws Exception {
        Ranges.positive("--batch", batch);
        Ranges.oneOf("--split", split, "train", "val", "test");
        Checkpoints.splitRule("--split-rule", rule);
        Ranges.backend(backend);
        try (Backend be = Backends.create(backend)) {
            Tsm2 m = TrainingCheckpoints.loadModel(Checkpoints.resolve(checkpoint), be, batch);
            Path data = DataRecord.dataFor(checkpoint, this.data, "eval");
            ForecastData fd = Checkpoints.loadData(data, rule, m.config(), allowExtremeValues);
            DataRecord.check(DataRecord.runDirOf(checkpoint), data, fd, m.config().variates(), "eval");
            WindowDataset ds = Checkpoints.split(fd, split);
            Metrics r = Evaluation.run(m, ds, batch, null);
            System.out.printf("%s %s: MSE %.4f  MAE %.4f  (%d windows, T=%d, H=%d)%n", data.getFileName(), split, r.mse(),
                              r.mae(), r.windows(), ds.lookback(), ds.horizon());
            return 0;
        }
    }
}
