package dev.mambamixer.engine.cli;

import dev.mambamixer.engine.data.SyntheticSeriesGenerator;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "generate-sample", mixinStandardHelpOptions = true,
         description = "Write the synthetic sample series (documented in sample-data/README.md).")
final class GenerateSampleCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "sample-data/synthetic.csv", description = "(default: ${DEFAULT-VALUE})")
    Path out;
    @Option(names = "--rows", defaultValue = "" + SyntheticSeriesGenerator.DEFAULT_ROWS, description = "rows to generate (default ${DEFAULT-VALUE})") int rows;
    @Option(names = "--seed", defaultValue = "" + SyntheticSeriesGenerator.DEFAULT_SEED, description = "random seed (default ${DEFAULT-VALUE})") long seed;

    @Override public Integer call() throws Exception {
        try {
            SyntheticSeriesGenerator.write(out, rows, seed);
        } catch (java.io.IOException e) {
            throw dev.mambamixer.engine.io.FileErrors.writing(out, e);   // "disk full" / "permission denied" with the path
        }
        System.out.println("wrote " + out + " (" + rows + " rows, seed " + seed + ")");
        return 0;
    }
}
