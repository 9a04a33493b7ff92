package dev.mambamixer.engine.cli;

import dev.mambamixer.engine.model.Tsm2Defaults;
import dev.mambamixer.engine.data.ForecastData;
import dev.mambamixer.engine.data.SplitRule;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the data comes from and how it is windowed (MODEL.md §6.2). */
final class DataOptions {
    @Option(names = "--data", defaultValue = "sample-data/synthetic.csv",
            description = "benchmark-format CSV (.csv or .csv.gz) (default: ${DEFAULT-VALUE})")
    Path data;
    @Option(names = "--seq-len", defaultValue = "" + Tsm2Defaults.SEQ_LEN, description = "look-back T (default: ${DEFAULT-VALUE})")
    int seqLen;
    @Option(names = "--horizon", defaultValue = "" + Tsm2Defaults.HORIZON, description = "forecast horizon H (default: ${DEFAULT-VALUE})")
    int horizon;
    @Option(names = "--split", defaultValue = "auto",
            description = "split rule: auto (from the file name), ett_hourly, ett_minute or ratio (default: ${DEFAULT-VALUE})")
    String split;
    @Option(names = "--allow-extreme-values",
            description = "accept cells with |x| > 1e15 (refused by default as implausible; NaN and Inf are always refused)")
    boolean allowExtremeValues;

    ForecastData load(int t, int h) throws IOException {
        return ForecastData.load(data, t, h, Checkpoints.splitRule("--split", split), allowExtremeValues);
    }

    void checkRanges() {
        Ranges.positive("--seq-len", seqLen);
        Ranges.positive("--horizon", horizon);
        Checkpoints.splitRule("--split", split);
    }
}
