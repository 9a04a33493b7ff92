package dev.mambamixer.engine.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Command-line entry point: {@code mambamixer train|eval|forecast|bench|generate-sample}. */
@Command(name = "mambamixer", mixinStandardHelpOptions = true, version = "MambaMixer Workbench 0.1.0",
         description = "Train and inspect MambaMixer (TSM2) forecasters.",
         subcommands = {TrainCommand.class, SweepCommand.class, WorkerCommand.class, EvalCommand.class, ForecastCommand.class, BenchCommand.class, ParamsCommand.class,
                        TeachCommand.class, VisionCommand.class,
                        GenerateSampleCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
        // bad input (data files, configs, checkpoints) -> one clear line and exit 2, no stack trace
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            Throwable t = ex;
            if (t instanceof java.io.UncheckedIOException && t.getCause() != null) t = t.getCause();
            if (t instanceof IllegalArgumentException || t instanceof java.io.IOException
                || t instanceof IllegalStateException || t instanceof dev.mambamixer.engine.data.DataFormatException) {
                cmd.getErr().println("error: " + dev.mambamixer.engine.io.FileErrors.errorText(t));
                return 2;
            }
            throw ex;
        });
        return cl.execute(args);
    }
}
